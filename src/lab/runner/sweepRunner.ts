// The pool: hands queued probes to worker processes in small batches, stores each finished probe
// (this process is the only SQLite writer), retries probes whose worker died, and reports
// progress. Cancel, pause/resume, retry-failed, and a clean stop that requeues running probes.
import { cpus } from 'node:os';
import type { ProbeConfig } from '../../engine/index';
import type { ProgressEvent, SweepStatus } from '../../contract/labApi';
import { LabStore, type ProbeRow } from '../store/labStore';
import { ProgressTracker, toProbeSummary, toSweepSummary } from './progressTracker';
import type { FromWorker, ProbeTask } from '../../worker/workerProtocol';
import { SpeedFit, speedModelFrom, type SpeedModel } from '../sweep/estimateSweep';
import type { WorkerHandle, WorkerSpawner } from './workerTransport';

export interface RunnerOptions {
  spawn: WorkerSpawner;
  /** Worker processes; default max(1, cores - 1). */
  workers?: number;
  /** A batch is filled until its work (T*N*(D+H)*G) reaches this, or maxBatch probes. */
  batchWork?: number;
  maxBatch?: number;
  /** Idle workers are stopped after this long without work (default 30 s). */
  idleMs?: number;
}

interface Slot {
  handle: WorkerHandle;
  ready: boolean;
  /** Probes sent to this worker and not yet reported, by id -> sweep id. */
  batch: Map<number, number>;
  /** The probe the worker reported started and has not finished. */
  current: number | null;
  /** Set when we kill it on purpose (cancel, stop): its exit is not a probe failure. */
  killedOnPurpose: boolean;
  /** A 'skip' is on its way to it (work stealing); wait for the answer before asking again. */
  stealing: boolean;
  /** Its process is gone; anything still arriving from it is ignored. */
  dead: boolean;
  /** A 'calibrate' is on its way to it or being worked on. */
  calibrating: boolean;
  exited: Promise<void>;
}

const TERMINAL: SweepStatus[] = ['done', 'failed', 'cancelled'];
const MAX_SPAWN_FAILURES = 3;

export function defaultWorkers(): number {
  return Math.max(1, cpus().length - 1);
}

const workOf = (p: Pick<ProbeRow, 'T' | 'N' | 'D' | 'H' | 'arch'>): number => p.T * p.N * (p.D + p.H) * p.H * (p.arch === 'lstm' ? 4 : 1);

export class SweepRunner {
  readonly workers: number;
  private readonly slots = new Set<Slot>();
  private readonly active = new Set<number>();
  private readonly tracker = new ProgressTracker();
  private readonly listeners = new Set<(e: ProgressEvent) => void>();
  private readonly waiters = new Map<number, { resolve: (s: SweepStatus) => void; reject: (e: Error) => void }[]>();
  private stopped = false;
  private spawnFailures = 0;
  private fatal: Error | null = null;
  private readonly batchWork: number;
  private readonly maxBatch: number;
  private idleTimer: NodeJS.Timeout | null = null;
  /** This machine's engine speed, from the first worker that reported it. */
  private speed: SpeedModel | null = null;
  /** The same, refitted to the probes this runner has finished. */
  private readonly speedFit = new SpeedFit();

  constructor(readonly store: LabStore, private readonly opts: RunnerOptions) {
    this.workers = Math.max(1, Math.floor(opts.workers ?? defaultWorkers()));
    this.batchWork = opts.batchWork ?? 2e7;
    this.maxBatch = opts.maxBatch ?? 16;
  }

  /** Requeues probes a dead process left running; optionally resumes every unfinished sweep. */
  start(resumeUnfinished: boolean): void {
    this.store.requeueOrphans();
    if (resumeUnfinished) for (const id of this.store.unfinishedSweepIds()) this.activate(id);
  }

  onProgress(listener: (e: ProgressEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs (or keeps running) the queued probes of this sweep. */
  activate(sweepId: number): void {
    if (this.stopped) return;
    this.active.add(sweepId);
    this.tracker.activate(sweepId);
    this.settle(sweepId);
    this.pump();
  }

  summary(sweepId: number) {
    const row = this.store.getSweep(sweepId);
    if (!row) return undefined;
    return toSweepSummary(row, this.store.counts(sweepId), this.tracker.throughput(sweepId));
  }

  /** Resolves when the sweep is done, failed or cancelled (rejects if workers cannot start). */
  waitForSweep(sweepId: number): Promise<SweepStatus> {
    const status = this.store.getSweep(sweepId)?.status;
    if (status && TERMINAL.includes(status)) return Promise.resolve(status);
    if (this.fatal) return Promise.reject(this.fatal);
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(sweepId) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(sweepId, list);
    });
  }

  pause(sweepId: number): void {
    const row = this.store.getSweep(sweepId);
    if (!row || (row.status !== 'queued' && row.status !== 'running')) return;
    this.store.setSweepStatus(sweepId, 'paused');
    this.active.delete(sweepId);
    this.tracker.deactivate(sweepId);
    // Unstarted probes come back as 'skipped' and are requeued; the running ones finish.
    for (const slot of this.slots) {
      const ids = [...slot.batch].filter(([id, s]) => s === sweepId && id !== slot.current).map(([id]) => id);
      if (ids.length > 0) slot.handle.send({ type: 'skip', probeIds: ids });
    }
    this.emit(sweepId);
  }

  resume(sweepId: number): void {
    const row = this.store.getSweep(sweepId);
    if (!row || row.status !== 'paused') return;
    this.store.setSweepStatus(sweepId, row.started_at ? 'running' : 'queued');
    this.activate(sweepId);
    this.emit(sweepId);
  }

  cancel(sweepId: number): void {
    const row = this.store.getSweep(sweepId);
    if (!row || TERMINAL.includes(row.status)) return;
    this.store.cancelSweep(sweepId);
    this.active.delete(sweepId);
    this.tracker.deactivate(sweepId);
    for (const slot of this.slots) {
      if (slot.current !== null && slot.batch.get(slot.current) === sweepId) {
        // Stop the running probe now: kill its worker; its other probes go back to the queue.
        this.retire(slot, true);
      } else {
        const ids = [...slot.batch].filter(([, s]) => s === sweepId).map(([id]) => id);
        if (ids.length > 0) slot.handle.send({ type: 'skip', probeIds: ids });
      }
    }
    this.emit(sweepId);
    this.resolveWaiters(sweepId, 'cancelled');
    this.pump();
  }

  retryFailed(sweepId: number): number {
    const n = this.store.retryFailed(sweepId);
    const row = this.store.getSweep(sweepId);
    if (n > 0 && row && (row.status === 'failed' || row.status === 'done')) this.store.setSweepStatus(sweepId, 'running');
    if (row && row.status !== 'paused' && row.status !== 'cancelled') this.activate(sweepId);
    this.emit(sweepId);
    return n;
  }

  /** Kills every worker and requeues what they were running; the sweeps stay unfinished. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const exits = [...this.slots].map((s) => {
      this.retire(s, true);
      return s.exited;
    });
    await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 5000).unref())]);
  }

  /** Starts the whole pool now (rather than on the first queued probe) and waits until it is ready. */
  async warmUp(timeoutMs = 30_000): Promise<void> {
    while (this.slots.size < this.workers && !this.stopped) this.spawnSlot();
    const t0 = Date.now();
    while ([...this.slots].some((s) => !s.ready)) {
      if (this.fatal) throw this.fatal;
      if (Date.now() - t0 > timeoutMs) throw new Error('workers did not start in time');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /**
   * This machine's engine speed: the calibration probes timed by a worker (one is started if none
   * is running; it will serve the sweep being estimated), so that the host process never runs
   * the engine itself; once enough probes have finished, refitted to what they took.
   */
  async speedModel(timeoutMs = 30_000): Promise<SpeedModel> {
    const t0 = Date.now();
    while (!this.speed) {
      if (this.fatal) throw this.fatal;
      if (this.stopped) throw new Error('the runner is stopped');
      if (Date.now() - t0 > timeoutMs) throw new Error('no worker measured the engine speed in time');
      // Ask one ready worker (again if the one asked has died); start one if there is none.
      if (![...this.slots].some((s) => s.calibrating && !s.dead)) {
        const slot = [...this.slots].find((s) => s.ready && !s.killedOnPurpose && !s.dead);
        if (slot) {
          slot.calibrating = true;
          slot.handle.send({ type: 'calibrate' });
        } else if (this.slots.size === 0) {
          this.spawnSlot();
        }
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.speedFit.model() ?? this.speed;
  }

  workerPids(): number[] {
    return [...this.slots].map((s) => s.handle.pid).filter((p): p is number => typeof p === 'number');
  }

  // ---- internals ----------------------------------------------------------------------------

  /** Kills a worker on purpose; its unreported probes go back to the queue (cancelled ones stay so). */
  private retire(slot: Slot, requeue: boolean): void {
    if (slot.killedOnPurpose) return;
    slot.killedOnPurpose = true;
    if (requeue) {
      const ids = [...slot.batch.keys()];
      if (slot.current !== null) this.store.requeue([slot.current], true);
      this.store.requeue(ids.filter((id) => id !== slot.current), false);
      for (const s of new Set(slot.batch.values())) this.emit(s);
    }
    slot.batch.clear();
    slot.current = null;
    slot.handle.kill();
  }

  private spawnSlot(): Slot {
    const handle = this.opts.spawn();
    let markExited!: () => void;
    const slot: Slot = {
      handle, ready: false, batch: new Map(), current: null, killedOnPurpose: false, stealing: false, dead: false, calibrating: false,
      exited: new Promise<void>((r) => (markExited = r)),
    };
    handle.onMessage((msg) => this.guarded(() => this.onMessage(slot, msg)));
    handle.onExit((code, reason) => {
      slot.dead = true;
      this.slots.delete(slot);
      markExited();
      this.guarded(() => {
        if (!slot.killedOnPurpose) this.onCrash(slot, reason);
        else this.pump(); // a replacement may be needed for other sweeps' probes
      });
    });
    this.slots.add(slot);
    return slot;
  }

  private onCrash(slot: Slot, reason: string): void {
    if (!slot.ready) this.spawnFailures++;
    const touched = new Set(slot.batch.values());
    // The culprit is the probe it reported started; if that message was lost in the crash, the
    // first unreported one (a worker runs its batch in order). Charging it keeps a probe that
    // kills its worker at once from being requeued forever.
    let culprit = slot.current;
    if (culprit === null && slot.ready && slot.batch.size > 0) {
      culprit = slot.batch.keys().next().value as number;
      this.store.markStarted(culprit);
    }
    if (culprit !== null) {
      this.store.failAttempt(culprit, reason);
      this.emitProbe(slot.batch.get(culprit) ?? this.store.getProbe(culprit)?.sweep_id ?? 0, culprit);
    }
    this.store.requeue([...slot.batch.keys()].filter((id) => id !== culprit), false);
    slot.batch.clear();
    for (const s of touched) this.settle(s);
    if (this.spawnFailures >= MAX_SPAWN_FAILURES && !this.fatal) {
      this.halt(new Error(`worker processes fail to start (${reason})`));
      return;
    }
    this.pump();
  }

  /**
   * Runs an event handler; an error there (the disk is full, the file went away) must not crash
   * the host process (Electron's main, the lab server): the runner halts and reports it instead.
   */
  private guarded(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.halt(new Error(`the sweep runner stopped: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  /** Stops dispatching and fails every waiter with this error; running workers are stopped. */
  private halt(error: Error): void {
    if (this.fatal) return;
    this.fatal = error;
    for (const [id, list] of this.waiters) {
      for (const w of list) w.reject(error);
      this.waiters.delete(id);
    }
    for (const slot of this.slots) {
      try {
        this.retire(slot, true);
      } catch {
        slot.handle.kill(); // the store is what failed: just stop the process
      }
    }
  }

  /** Why the runner halted, if it did. */
  get haltedBy(): Error | null {
    return this.fatal;
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    if (slot.killedOnPurpose || slot.dead) return;
    switch (msg.type) {
      case 'ready':
        slot.ready = true;
        this.spawnFailures = 0;
        break;
      case 'speed':
        slot.calibrating = false;
        this.speed ??= speedModelFrom(msg.speed);
        return;
      case 'started':
        // Cancelled while this news was in flight: stop it now, as cancel would have.
        if (this.store.getProbe(msg.probeId)?.status === 'cancelled') {
          slot.batch.delete(msg.probeId);
          this.retire(slot, true);
          return;
        }
        slot.current = msg.probeId;
        this.store.markStarted(msg.probeId);
        return;
      case 'done': {
        const sweepId = slot.batch.get(msg.probeId);
        const row = this.store.getProbe(msg.probeId);
        // A probe cancelled meanwhile stays cancelled.
        const store = sweepId !== undefined && row?.status === 'running';
        // Stored before it leaves the batch: if storing throws, the halt requeues it.
        if (store) {
          this.store.storeResult(msg.probeId, msg.outcome);
          this.speedFit.add(row, msg.outcome.seconds);
        }
        slot.batch.delete(msg.probeId);
        slot.current = null;
        if (store && sweepId !== undefined) {
          this.tracker.record(sweepId);
          this.emitProbe(sweepId, msg.probeId);
          this.settle(sweepId);
        }
        break;
      }
      case 'error': {
        const sweepId = slot.batch.get(msg.probeId);
        if (sweepId !== undefined) this.store.failAttempt(msg.probeId, msg.message);
        slot.batch.delete(msg.probeId);
        slot.current = null;
        if (sweepId !== undefined) {
          this.emitProbe(sweepId, msg.probeId);
          this.settle(sweepId);
        }
        break;
      }
      case 'skipped': {
        slot.stealing = false;
        const touched = new Set<number>();
        for (const id of msg.probeIds) {
          const s = slot.batch.get(id);
          if (s !== undefined) touched.add(s);
          slot.batch.delete(id);
        }
        this.store.requeue(msg.probeIds, false);
        for (const s of touched) this.emit(s);
        this.pump();
        return;
      }
    }
    if (slot.batch.size === 0) this.pump();
  }

  /** Fills idle workers with batches of queued probes; spawns workers while there is work. */
  private pump(): void {
    if (this.stopped || this.fatal) return;
    const runnable = [...this.active].filter((id) => {
      const s = this.store.getSweep(id)?.status;
      return s === 'queued' || s === 'running';
    });
    if (runnable.length === 0) {
      this.reapIdleLater();
      return;
    }
    const queuedNow = this.store.countQueued(runnable);
    const idle = (s: Slot) => s.ready && !s.killedOnPurpose && s.batch.size === 0;
    let left = queuedNow;
    for (const slot of this.slots) {
      if (idle(slot) && left > 0) left -= this.dispatch(slot, runnable, Math.ceil(queuedNow / this.workers));
    }
    // Work stealing: a worker is idle and the queue is empty, but others hold unstarted probes
    // in their batches (behind a slow probe): ask for them back so they can be spread out.
    if (left <= 0 && [...this.slots].some(idle)) {
      for (const slot of this.slots) {
        if (slot.stealing || slot.killedOnPurpose) continue;
        const unstarted = [...slot.batch.keys()].filter((id) => id !== slot.current);
        if (unstarted.length === 0) continue;
        slot.stealing = true;
        slot.handle.send({ type: 'skip', probeIds: unstarted });
      }
    }
    // Spawn more workers while queued probes outnumber the busy ones.
    let queued = this.store.nextQueued(runnable, this.workers).length;
    while (this.slots.size < this.workers && queued > 0) {
      this.spawnSlot();
      queued--;
    }
  }

  /** With nothing to run, stop the idle workers after a while (they cost memory, not CPU). */
  private reapIdleLater(): void {
    if (this.idleTimer || this.slots.size === 0) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.stopped || this.active.size > 0) return;
      for (const slot of this.slots) if (slot.batch.size === 0) this.retire(slot, false);
    }, this.opts.idleMs ?? 30_000);
    this.idleTimer.unref();
  }

  /** Sends one batch (at most `share` probes); returns how many. */
  private dispatch(slot: Slot, runnable: number[], share: number): number {
    const candidates = this.store.nextQueued(runnable, Math.max(1, Math.min(this.maxBatch, share)));
    if (candidates.length === 0) return 0;
    const batch: ProbeRow[] = [];
    let work = 0;
    for (const p of candidates) {
      if (batch.length > 0 && work + workOf(p) > this.batchWork) break;
      batch.push(p);
      work += workOf(p);
    }
    this.store.markDispatched(batch.map((p) => p.id));
    for (const sweepId of new Set(batch.map((p) => p.sweep_id))) {
      if (this.store.getSweep(sweepId)?.status === 'queued') this.store.setSweepStatus(sweepId, 'running');
    }
    for (const p of batch) slot.batch.set(p.id, p.sweep_id);
    const tasks: ProbeTask[] = batch.map((p) => ({ probeId: p.id, config: JSON.parse(p.config_json) as ProbeConfig }));
    slot.handle.send({ type: 'run', tasks });
    return batch.length;
  }

  private settle(sweepId: number): void {
    const status = this.store.settleSweep(sweepId);
    if (TERMINAL.includes(status)) {
      this.active.delete(sweepId);
      this.emit(sweepId);
      this.resolveWaiters(sweepId, status);
    }
  }

  private resolveWaiters(sweepId: number, status: SweepStatus): void {
    const list = this.waiters.get(sweepId);
    if (!list) return;
    this.waiters.delete(sweepId);
    for (const w of list) w.resolve(status);
  }

  private emit(sweepId: number): void {
    const sweep = this.summary(sweepId);
    if (!sweep) return;
    this.broadcast({ sweep });
  }

  private broadcast(event: ProgressEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A listener's bug must not stop the pool.
      }
    }
  }

  private emitProbe(sweepId: number, probeId: number): void {
    const sweep = this.summary(sweepId);
    const probe = this.store.getProbe(probeId);
    if (!sweep || !probe) return;
    this.broadcast({ sweep, probe: toProbeSummary(probe) });
  }
}
