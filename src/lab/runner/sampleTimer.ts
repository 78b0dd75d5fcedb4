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

/**
 * How long an answer is kept: the machine's speed drifts (other programs, the CPU's clock, a
 * laptop on battery), so a form left open for an hour times its samples again.
 */
export const ANSWER_LIFETIME_MS = 10 * 60_000;

export interface SampleTimerOptions {
  /** Called when the workers it timed on are idle again (the runner hands them probes). */
  released?: () => void;
  /** Milliseconds now, for the answers' lifetime (tests pass their own clock). */
  now?: () => number;
}

export class SampleTimer {
  private nextRequest = 1;
  private readonly pending = new Map<number, { worker: PoolWorker; answer: (seconds: number[] | null) => void }>();
  private readonly cache = new Map<string, { seconds: number[]; at: number }>();
  /** The timing in progress: one at a time, so that two never share the workers' cores. */
  private last: Promise<unknown> = Promise.resolve();
  private readonly released: () => void;
  private readonly now: () => number;

  constructor(
    private readonly pool: WorkerPool,
    options: SampleTimerOptions = {},
  ) {
    this.released = options.released ?? (() => {});
    this.now = options.now ?? Date.now;
  }

  /**
   * Each sample's seconds, the slowest of `concurrency` idle workers timing them at once; null when
   * that many are not idle, or any worker is running probes (its probes and the samples would
   * slow each other), or a worker died or did not answer within timeoutMs. Calls take turns.
   * The workers asked are 'timing' until all have answered: the runner sends them no probes,
   * which would wait behind the samples and, on the other worker, slow them.
   */
  time(samples: readonly TimingSample[], concurrency: number, timeoutMs: number): Promise<number[] | null> {
    const next = this.last.then(() => this.timeNow(samples, concurrency, timeoutMs));
    this.last = next.catch(() => {});
    return next;
  }

  private async timeNow(samples: readonly TimingSample[], concurrency: number, timeoutMs: number): Promise<number[] | null> {
    const key = JSON.stringify([concurrency, samples]);
    const cached = this.cache.get(key);
    if (cached && this.now() - cached.at < ANSWER_LIFETIME_MS) return cached.seconds;
    this.cache.delete(key);
    const live = this.pool.all().filter((w) => w.state.kind !== 'retiring' && w.state.kind !== 'dead');
    if (live.some((w) => w.state.kind !== 'idle') || live.length < concurrency) return null;
    const chosen = live.slice(0, concurrency);
    for (const w of chosen) w.state = { kind: 'timing' };
    let answers: (number[] | null)[];
    try {
      answers = await Promise.all(chosen.map((w) => this.ask(w, samples, timeoutMs)));
    } finally {
      // A worker that did not answer in time may still be timing: probes sent to it wait their turn.
      for (const w of chosen) if (w.state.kind === 'timing') w.state = { kind: 'idle' };
      this.released();
    }
    if (answers.some((a) => a === null || a.length !== samples.length)) return null;
    // The slowest worker's: a sweep lasts until its slowest worker is through.
    const slowest = samples.map((_, i) => Math.max(...answers.map((a) => a![i])));
    if (this.cache.size >= CACHED_ANSWERS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { seconds: slowest, at: this.now() });
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
