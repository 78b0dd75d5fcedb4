// Times samples of a sweep's shapes on the pool's idle workers, for the sweep form's estimate
// (../sweep/timedEstimate.ts chooses them). The same samples run on `concurrency` workers at once,
// so that what workers running side by side cost each other (memory bandwidth, the shared cache)
// is in the times.
import type { TimingSample } from '../../engine/probeCost';
import type { FromWorker } from '../../worker/workerProtocol';
import type { PoolWorker, WorkerPool } from './workerPool';

type SampleTimes = Extract<FromWorker, { type: 'sampleTimes' }>;

/** Answers kept: a form asks again for every edit, mostly for samples it has asked before. */
const CACHED_ANSWERS = 256;

export class SampleTimer {
  private nextRequest = 1;
  private readonly pending = new Map<number, { worker: PoolWorker; answer: (seconds: number[] | null) => void }>();
  private readonly cache = new Map<string, number[]>();
  /** The timing in progress: one at a time, so that two never share the workers' cores. */
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly pool: WorkerPool) {}

  /**
   * Each sample's seconds, the slowest of `concurrency` idle workers timing them at once; null when
   * that many are not idle, or any worker is running probes (its probes and the samples would
   * slow each other), or a worker died or did not answer within timeoutMs. Calls take turns.
   */
  time(samples: readonly TimingSample[], concurrency: number, timeoutMs: number): Promise<number[] | null> {
    const next = this.last.then(() => this.timeNow(samples, concurrency, timeoutMs));
    this.last = next.catch(() => {});
    return next;
  }

  private async timeNow(samples: readonly TimingSample[], concurrency: number, timeoutMs: number): Promise<number[] | null> {
    const key = JSON.stringify([concurrency, samples]);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const live = this.pool.all().filter((w) => w.state.kind !== 'retiring' && w.state.kind !== 'dead');
    if (live.some((w) => w.state.kind !== 'idle') || live.length < concurrency) return null;
    const answers = await Promise.all(live.slice(0, concurrency).map((w) => this.ask(w, samples, timeoutMs)));
    if (answers.some((a) => a === null || a.length !== samples.length)) return null;
    // The slowest worker's: a sweep lasts until its slowest worker is through.
    const slowest = samples.map((_, i) => Math.max(...answers.map((a) => a![i])));
    if (this.cache.size >= CACHED_ANSWERS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, slowest);
    return slowest;
  }

  /** A worker's answer. */
  onAnswer(msg: SampleTimes): void {
    const waiting = this.pending.get(msg.requestId);
    this.pending.delete(msg.requestId);
    waiting?.answer(msg.seconds);
  }

  /** A worker is gone: what it was asked is not coming. */
  onExit(worker: PoolWorker): void {
    for (const [id, waiting] of this.pending) {
      if (waiting.worker !== worker) continue;
      this.pending.delete(id);
      waiting.answer(null);
    }
  }

  private ask(worker: PoolWorker, samples: readonly TimingSample[], timeoutMs: number): Promise<number[] | null> {
    const requestId = this.nextRequest++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        resolve(null);
      }, timeoutMs);
      timer.unref();
      this.pending.set(requestId, {
        worker,
        answer: (seconds) => {
          clearTimeout(timer);
          resolve(seconds);
        },
      });
      worker.handle.send({ type: 'timeSamples', requestId, samples: [...samples] });
    });
  }
}
