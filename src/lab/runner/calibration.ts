// This machine's engine speed, for estimates: one worker is asked to time the calibration probes
// (src/engine/probeCost.ts), so that the host process never runs the engine itself; once enough
// probes have finished, the model is refitted to what they took.
import type { CalibrationTimes, ProbeCostNeeds, ProbeShape } from '../../engine/probeCost';
import { SpeedFit, speedModelFrom, type SpeedModel } from '../sweep/estimateSweep';
import type { PoolWorker, WorkerPool } from './workerPool';

export class Calibration {
  /** From the first worker that answered. */
  private speed: SpeedModel | null = null;
  private readonly fit = new SpeedFit();
  /** The worker asked to time the probes, until it answers or dies. */
  private asked: PoolWorker | null = null;
  /** Callers waiting for the speed: only while there are any is a worker asked. */
  private wanted = 0;

  constructor(private readonly pool: WorkerPool) {}

  get measured(): boolean {
    return this.speed !== null;
  }

  /** The refitted model if there is one, else the measured one (null before any answer). */
  model(): SpeedModel | null {
    return this.fit.model(this.speed) ?? this.speed;
  }

  /** A finished probe, and what its sweep asks it to compute: what it took refits the model. */
  record(probe: ProbeShape, seconds: number, needs: ProbeCostNeeds = {}): void {
    this.fit.add(probe, seconds, needs);
  }

  /** Someone waits for the speed; call the returned function when they stop waiting. */
  want(): () => void {
    this.wanted++;
    this.ensureAsked();
    let released = false;
    return () => {
      if (!released) this.wanted--;
      released = true;
    };
  }

  /** A worker's answer to 'calibrate'. */
  onSpeed(worker: PoolWorker, times: CalibrationTimes): void {
    if (this.asked === worker) this.asked = null;
    this.speed ??= speedModelFrom(times);
  }

  /**
   * While someone waits, keeps one live worker timing the probes: asks a ready one (again, if the
   * one asked has died), or starts one if the pool is empty. Call when the pool changes.
   */
  ensureAsked(): void {
    if (this.speed || this.wanted === 0) return;
    if (this.asked && this.asked.state.kind !== 'dead') return;
    this.asked = null;
    const ready = this.pool.all().find((w) => w.state.kind === 'idle' || w.state.kind === 'busy' || w.state.kind === 'timing');
    if (ready) {
      this.asked = ready;
      ready.handle.send({ type: 'calibrate' });
    } else if (this.pool.size === 0) {
      this.pool.spawn();
    }
  }
}
