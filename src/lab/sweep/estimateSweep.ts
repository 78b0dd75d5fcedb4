// What a spec costs before it is queued: probes, stored norms, disk, and rough wall time from
// this machine's measured engine speed (two small probes timed by a worker, then scaled by
// work, and refitted to the probes that have run).
import { runProbe } from '../../engine/index';
import type { SweepEstimate } from '../../contract/labApi';
import type { ExpandedProbe } from './expandSweep';

/** Work of one probe: T * N * (D + H) * G multiply-adds, roughly, for forward + backward. */
export function probeWork(c: { arch: 'rnn' | 'lstm'; T: number; N: number; D: number; H: number }): number {
  return c.T * c.N * (c.D + c.H) * (c.arch === 'lstm' ? 4 * c.H : c.H);
}

/** Seconds per unit of work (probeWork) and per time step (the per-step overhead of small probes). */
export interface SpeedModel {
  perWork: number;
  perStep: number;
}

/** Per-probe cost outside the engine: messages, the SQLite write, scheduling (measured ~1 ms). */
const PER_PROBE_SECONDS = 0.002;
/** Starting the worker processes (measured ~0.15 s). */
const STARTUP_SECONDS = 0.2;

/**
 * The two probes the speed is measured on: one dominated by the matrix products (H = 64), one by
 * the elementwise work and per-step overhead (H = 4).
 */
export const CALIBRATION_PROBES = {
  big: { arch: 'lstm' as const, T: 48, N: 16, D: 16, H: 64, seed: 1 },
  small: { arch: 'lstm' as const, T: 192, N: 4, D: 4, H: 4, seed: 1 },
};

/** Seconds the two calibration probes took. */
export interface CalibrationTimes {
  big: number;
  small: number;
}

/**
 * Times the calibration probes, `runs` times each (the first run only warms up the JIT); the
 * fastest run counts. A sweep worker does this when the runner asks it to ('calibrate').
 */
export function timeCalibrationProbes(runs: number): CalibrationTimes {
  const time = (config: typeof CALIBRATION_PROBES.big | typeof CALIBRATION_PROBES.small): number => {
    let seconds = Infinity;
    for (let i = 0; i < Math.max(2, runs); i++) {
      const t0 = performance.now();
      runProbe(config, { fullGradients: false });
      if (i > 0) seconds = Math.min(seconds, (performance.now() - t0) / 1000);
    }
    return Math.max(seconds, 1e-6);
  };
  return { big: time(CALIBRATION_PROBES.big), small: time(CALIBRATION_PROBES.small) };
}

/** The speed model from the calibration probes' times. */
export function speedModelFrom(times: CalibrationTimes): SpeedModel {
  const { big, small } = CALIBRATION_PROBES;
  // Solve tb = a*work(big) + b*T(big), ts = a*work(small) + b*T(small) for a, b >= 0.
  const [w1, u1, w2, u2] = [probeWork(big), big.T, probeWork(small), small.T];
  const det = w1 * u2 - w2 * u1;
  let a = (times.big * u2 - times.small * u1) / det;
  let b = (w1 * times.small - w2 * times.big) / det;
  if (!(a > 0)) a = times.big / w1;
  if (!(b > 0)) b = 0;
  return { perWork: a, perStep: b };
}

/**
 * The speed model refitted to the probes a runner has finished (least squares of seconds on
 * work and steps, both costs kept >= 0), so that later estimates follow what sweeps really took
 * here rather than the calibration probes alone.
 */
export class SpeedFit {
  private n = 0;
  private ww = 0;
  private wt = 0;
  private tt = 0;
  private ws = 0;
  private ts = 0;

  add(c: { arch: 'rnn' | 'lstm'; T: number; N: number; D: number; H: number }, seconds: number): void {
    if (!(seconds > 0) || !Number.isFinite(seconds)) return;
    // The worker's own time, as the model's: probeSeconds adds the per-probe costs around it.
    const w = probeWork(c);
    const s = seconds;
    this.n++;
    this.ww += w * w;
    this.wt += w * c.T;
    this.tt += c.T * c.T;
    this.ws += w * s;
    this.ts += c.T * s;
  }

  /** The fitted model once there are enough probes to fit, else null. */
  model(minProbes = 8): SpeedModel | null {
    if (this.n < minProbes) return null;
    const det = this.ww * this.tt - this.wt * this.wt;
    let a = det > 0 ? (this.ws * this.tt - this.ts * this.wt) / det : NaN;
    let b = det > 0 ? (this.ww * this.ts - this.wt * this.ws) / det : NaN;
    if (!(a > 0 && b >= 0)) {
      // One cost alone fits better than a negative other.
      a = this.ws / this.ww;
      b = 0;
    }
    return a > 0 ? { perWork: a, perStep: b } : null;
  }
}

let inProcessModel: SpeedModel | null = null;

/**
 * This machine's engine speed measured in this process, once: only where no worker can report
 * it (the runner normally asks one, so that the host process never stops for it).
 */
export function speedModelInProcess(): SpeedModel {
  inProcessModel ??= speedModelFrom(timeCalibrationProbes(4));
  return inProcessModel;
}

function probeSeconds(c: { arch: 'rnn' | 'lstm'; T: number; N: number; D: number; H: number }, m: SpeedModel): number {
  return m.perWork * probeWork(c) + m.perStep * c.T + PER_PROBE_SECONDS;
}

/** Bytes per stored probe besides its blobs (row, config JSON, indexes), measured roughly. */
const PROBE_OVERHEAD_BYTES = 600;

export function estimateProbes(probes: ExpandedProbe[], workers: number, m: SpeedModel): SweepEstimate {
  let norms = 0;
  let bytes = 0;
  let total = 0;
  let longest = 0;
  for (const p of probes) {
    const c = p.config;
    const perStep = c.arch === 'lstm' ? 5 : 4;
    const steps = c.lossStep + 1;
    norms += steps * perStep;
    bytes += steps * perStep * 8 + PROBE_OVERHEAD_BYTES;
    const seconds = probeSeconds(c, m);
    total += seconds;
    longest = Math.max(longest, seconds);
  }
  // Workers share the work, but the sweep lasts at least as long as its longest probe.
  const seconds = probes.length === 0 ? 0 : STARTUP_SECONDS + Math.max(total / workers, longest);
  return { probes: probes.length, norms, diskBytes: bytes, seconds, workers };
}
