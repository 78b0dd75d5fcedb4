// The worker processes: starts them through a WorkerSpawner, keeps what each is doing, tells a
// crash from an exit we caused, drops what a worker we are stopping still says, and stops idle
// workers after a while. What runs where is the scheduler's business (./scheduler.ts).
import type { FromWorker } from '../../worker/workerProtocol';
import type { WorkerHandle, WorkerSpawner } from './workerTransport';

/** What one worker is doing. */
export type WorkerState =
  /** Spawned; it has not said 'ready' yet. */
  | { kind: 'starting' }
  | { kind: 'idle' }
  /** Timing samples for a sweep's estimate (./sampleTimer.ts): no probes until it is idle again. */
  | { kind: 'timing' }
  | {
      kind: 'busy';
      /** Probes sent to it and not yet reported, by id -> sweep id (it runs them in this order). */
      batch: Map<number, number>;
      /** The probe it reported started and has not finished. */
      current: number | null;
      /** A work-stealing 'skip' is on its way to it: wait for the answer before asking again. */
      stealing: boolean;
    }
  /** Killed on purpose (cancel, stop, idle): its exit is not a failure, its messages are dropped. */
  | { kind: 'retiring' }
  /** Its process is gone. */
  | { kind: 'dead' };

export type BusyState = Extract<WorkerState, { kind: 'busy' }>;

export interface PoolWorker {
  readonly handle: WorkerHandle;
  state: WorkerState;
  /** Resolves once the process is gone. */
  readonly exited: Promise<void>;
}

export interface PoolEvents {
  /** A message from a live worker ('ready' has already made it idle). */
  message(worker: PoolWorker, msg: FromWorker): void;
  /** Its process is gone; `last` is what it was doing then ('retiring': we stopped it). */
  exit(worker: PoolWorker, last: WorkerState, reason: string): void;
}

export class WorkerPool {
  private readonly live = new Set<PoolWorker>();
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly spawner: WorkerSpawner,
    private readonly events: PoolEvents,
    private readonly idleMs: number,
  ) {}

  /** Workers whose process has not exited yet (retiring ones included). */
  get size(): number {
    return this.live.size;
  }

  /** The same workers, in the order they were started. */
  all(): PoolWorker[] {
    return [...this.live];
  }

  spawn(): PoolWorker {
    const handle = this.spawner();
    let markExited!: () => void;
    const worker: PoolWorker = { handle, state: { kind: 'starting' }, exited: new Promise<void>((r) => (markExited = r)) };
    handle.onMessage((msg) => {
      if (worker.state.kind === 'retiring' || worker.state.kind === 'dead') return;
      if (msg.type === 'ready' && worker.state.kind === 'starting') worker.state = { kind: 'idle' };
      this.events.message(worker, msg);
    });
    handle.onExit((_code, reason) => {
      const last = worker.state;
      worker.state = { kind: 'dead' };
      this.live.delete(worker);
      markExited();
      this.events.exit(worker, last, reason);
    });
    this.live.add(worker);
    return worker;
  }

  /** Kills a worker on purpose; returns what it was doing, or null if it was already going. */
  retire(worker: PoolWorker): WorkerState | null {
    const last = worker.state;
    if (last.kind === 'retiring' || last.kind === 'dead') return null;
    worker.state = { kind: 'retiring' };
    worker.handle.kill();
    return last;
  }

  /** Gives an idle worker a batch (probe id -> sweep id, in the order it will run them). */
  assign(worker: PoolWorker, batch: Map<number, number>): void {
    worker.state = { kind: 'busy', batch, current: null, stealing: false };
  }

  /**
   * Probes of a worker's batch that it reported finished or handed back: they leave the batch,
   * and an emptied batch makes the worker idle. Returns the sweeps they belonged to.
   */
  release(worker: PoolWorker, probeIds: readonly number[]): Set<number> {
    const sweeps = new Set<number>();
    const state = worker.state;
    if (state.kind !== 'busy') return sweeps;
    for (const id of probeIds) {
      const sweepId = state.batch.get(id);
      if (sweepId !== undefined) sweeps.add(sweepId);
      state.batch.delete(id);
      if (state.current === id) state.current = null;
    }
    if (state.batch.size === 0) worker.state = { kind: 'idle' };
    return sweeps;
  }

  pids(): number[] {
    return this.all()
      .map((w) => w.handle.pid)
      .filter((p): p is number => typeof p === 'number');
  }

  /**
   * With nothing to run, stops the workers without work after idleMs (they cost memory, not
   * CPU), if stillIdle() says so then.
   */
  reapIdleLater(stillIdle: () => boolean): void {
    if (this.idleTimer || this.live.size === 0) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (!stillIdle()) return;
      for (const w of this.all()) if (w.state.kind === 'idle' || w.state.kind === 'starting') this.retire(w);
    }, this.idleMs);
    this.idleTimer.unref();
  }

  cancelReaping(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
