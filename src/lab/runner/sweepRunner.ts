// The runner: runs the queued probes of active sweeps in worker processes, stores each finished
// probe (this process is the only SQLite writer), retries probes whose worker died, and reports
// progress; cancel, pause/resume, retry-failed, and a clean stop that requeues running probes.
// It coordinates: the pool (./workerPool.ts) keeps the processes, the scheduler (./scheduler.ts)
// decides what runs where, calibration (./calibration.ts) measures the engine's speed, and the
// status table (../store/sweepStatus.ts) says what each event does to a sweep.
import { availableParallelism } from 'node:os';
import type { GivenModel, ProbeConfig } from '../../engine/index';
import { probeWork, type TimingSample } from '../../engine/probeCost';
import type { ProgressEvent, SweepStatus, WorkerActivity } from '../../contract/labApi';
import type { SweepSpec } from '../../contract/sweepSpec';
import { sweepProbeSettings, type SweepProbeSettings } from '../sweep/sweepProbeSettings';
import { perWorkerProbeBytes } from '../sweep/memoryBudget';
import type { FromWorker, ProbeTask } from '../../worker/workerProtocol';
import type { LabStore, ProbeRow } from '../store/labStore';
import { isRunnable, isTerminal } from '../store/sweepStatus';
import type { SpeedModel } from '../sweep/estimateSweep';
import { Calibration } from './calibration';
import { SampleTimer } from './sampleTimer';
import { ProgressTracker, toProbeSummary, toSweepSummary } from './progressTracker';
import { blameCrash, candidatesWanted, planPump, unstartedProbes, withdrawSweep, type SchedulerLimits } from './scheduler';
import { StateWatch } from './stateWatch';
import { SweepListeners } from './sweepListeners';
import { WorkerPool, type BusyState, type PoolWorker, type WorkerState } from './workerPool';
import type { WorkerSpawner } from './workerTransport';

export interface RunnerOptions {
  spawn: WorkerSpawner;
  /** Worker processes; default every core (defaultWorkers). */
  workers?: number;
  /** A batch is filled until its work (probeWork, src/engine/probeCost.ts) reaches this, or maxBatch probes. */
  batchWork?: number;
  maxBatch?: number;
  /** Idle workers are stopped after this long without work (default 30 s). */
  idleMs?: number;
  /**
   * The trained layer and sequences of a sweep with weights / inputs files (undefined: none);
   * throws when they cannot be read or changed since the sweep was queued.
   */
  modelOf?: (sweepId: number) => GivenModel | undefined;
}

/** A worker's state as the Queue shows it. */
const ACTIVITY_OF: Record<Exclude<WorkerState['kind'], 'dead'>, WorkerActivity['state']> = {
  starting: 'starting',
  idle: 'idle',
  timing: 'timing',
  busy: 'running',
  retiring: 'stopping',
};

/** Workers that die before saying 'ready' this many times in a row halt the runner. */
const MAX_SPAWN_FAILURES = 3;

/**
 * Every core: the host process only stores results, so on 2 cores 2 workers finish the standard
 * sweep sooner than 1 (README, Speed).
 */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export class SweepRunner {
  private readonly limits: SchedulerLimits;
  private readonly pool: WorkerPool;
  private readonly calibration: Calibration;
  private readonly sampleTimer: SampleTimer;
  private readonly modelOf: RunnerOptions['modelOf'];
  /** Wakes warmUp() and speedModel() when the pool or the runner changes. */
  private readonly watch = new StateWatch();
  private readonly listeners = new SweepListeners();
  /** Sweeps whose queued probes this runner hands out. */
  private readonly active = new Set<number>();
  private readonly tracker = new ProgressTracker();
  private stopped = false;
  private spawnFailures = 0;
  private fatal: Error | null = null;
  /**
   * Inside a worker's message: what changed is told once the handler is through (its probe
   * stored, the freed worker given its next batch), so each event's counts are the settled ones
   * (a sweep with a probe on every worker never reads "0 running" between two batches).
   */
  private deferring = 0;
  /** Sweeps to tell about when the handler ends, with the probe that changed, if any. */
  private readonly pendingEmits = new Map<number, number | null>();

  constructor(
    readonly store: LabStore,
    opts: RunnerOptions,
  ) {
    this.modelOf = opts.modelOf;
    this.limits = {
      maxWorkers: Math.max(1, Math.floor(opts.workers ?? defaultWorkers())),
      batchWork: opts.batchWork ?? 2e7,
      maxBatch: opts.maxBatch ?? 16,
    };
    this.pool = new WorkerPool(
      opts.spawn,
      {
        message: (worker, msg) => this.guarded(() => this.onMessage(worker, msg)),
        exit: (worker, last, reason) =>
          this.guarded(() => {
            this.sampleTimer.onExit(worker);
            this.onExit(last, reason);
          }),
      },
      opts.idleMs ?? 30_000,
    );
    this.calibration = new Calibration(this.pool);
    this.sampleTimer = new SampleTimer(this.pool, { released: () => this.guarded(() => this.pump()) });
  }

  /**
   * Requeues probes a dead process left running (uncharged) and drops sweeps it died queueing;
   * optionally resumes every unfinished sweep.
   */
  start(resumeUnfinished: boolean): void {
    this.store.dropAbandonedQueueing();
    this.store.requeueOrphans();
    this.store.fillMissingWork();
    // This process holds the file's lock, so a sweep marked running was left so by one that
    // died (a crash, kill -9): it waits to run again, or is finished if its last probe was stored.
    for (const id of this.store.unfinishedSweepIds()) {
      this.store.applySweepEvent(id, 'interrupt');
      this.store.settleSweep(id);
    }
    if (resumeUnfinished) for (const id of this.store.unfinishedSweepIds()) this.activate(id);
  }

  /** Worker processes the pool may have. */
  get workers(): number {
    return this.limits.maxWorkers;
  }

  /**
   * Changes the pool's size while it runs: more workers start at once if there is work; above
   * the new size, idle workers stop now and busy ones hand back the probes they have not started
   * and stop when their running one is done.
   */
  setWorkers(workers: number): void {
    this.limits.maxWorkers = Math.max(1, Math.floor(workers));
    this.guarded(() => {
      for (const worker of this.surplus()) {
        const unstarted = unstartedProbes(worker.state);
        if (worker.state.kind === 'busy' && unstarted.length > 0 && !worker.state.stealing) {
          worker.state.stealing = true;
          worker.handle.send({ type: 'skip', probeIds: unstarted });
        }
      }
      this.pump();
    });
  }

  /** What each worker is doing now, in the order they were started. */
  workerActivity(): WorkerActivity[] {
    return this.pool
      .all()
      .filter((w) => w.state.kind !== 'dead')
      .map((w, i) => {
        const state = w.state;
        const probeId = state.kind === 'busy' ? (state.current ?? [...state.batch.keys()][0] ?? null) : null;
        const probe = probeId === null ? undefined : this.store.getProbe(probeId);
        return {
          slot: i + 1,
          pid: w.handle.pid ?? null,
          state: ACTIVITY_OF[state.kind as Exclude<WorkerState['kind'], 'dead'>],
          probe: probe ? { sweepId: probe.sweep_id, ...toProbeSummary(probe) } : null,
          batch: state.kind === 'busy' ? state.batch.size : 0,
        } satisfies WorkerActivity;
      });
  }

  onProgress(listener: (e: ProgressEvent) => void): () => void {
    return this.listeners.onProgress(listener);
  }

  /** Runs (or keeps running) the queued probes of this sweep. */
  activate(sweepId: number): void {
    if (this.stopped) return;
    // Resumed or retried: its files are read (and checked against their hashes) again.
    this.modelsBySweep.delete(sweepId);
    this.active.add(sweepId);
    this.tracker.activate(sweepId);
    this.settle(sweepId);
    this.pump();
  }

  summary(sweepId: number) {
    const row = this.store.getSweep(sweepId);
    if (!row) return undefined;
    return toSweepSummary(row, this.store.counts(sweepId), this.tracker.throughput(sweepId), this.store.queueingTarget(sweepId));
  }

  /** Tells progress listeners how the sweep stands now (a sweep being queued grows chunk by chunk). */
  announce(sweepId: number): void {
    this.emit(sweepId);
  }

  /** Resolves when the sweep is done, failed or cancelled (rejects if workers cannot start). */
  waitForSweep(sweepId: number): Promise<SweepStatus> {
    const status = this.store.getSweep(sweepId)?.status;
    if (status && isTerminal(status)) return Promise.resolve(status);
    if (this.fatal) return Promise.reject(this.fatal);
    return this.listeners.wait(sweepId);
  }

  pause(sweepId: number): void {
    const t = this.store.applySweepEvent(sweepId, 'pause');
    if (!t || t.from === t.to) return;
    this.deactivate(sweepId);
    // Unstarted probes come back as 'skipped' and are requeued; the running ones finish.
    for (const worker of this.pool.all()) {
      const ask = withdrawSweep(worker.state, sweepId, 'pause');
      if (ask && 'skip' in ask) worker.handle.send({ type: 'skip', probeIds: ask.skip });
    }
    this.emit(sweepId);
  }

  /** A paused sweep runs again; a queued or running one keeps running. */
  resume(sweepId: number): void {
    const t = this.store.applySweepEvent(sweepId, 'resume');
    if (!t) return;
    this.activate(sweepId);
    if (t.from !== t.to) this.emit(sweepId);
  }

  cancel(sweepId: number): void {
    const t = this.store.cancelSweep(sweepId);
    if (!t || t.from === t.to) return;
    this.deactivate(sweepId);
    for (const worker of this.pool.all()) {
      const ask = withdrawSweep(worker.state, sweepId, 'cancel');
      if (!ask) continue;
      if ('kill' in ask) this.retire(worker);
      else worker.handle.send({ type: 'skip', probeIds: ask.skip });
    }
    this.emit(sweepId);
    this.listeners.finished(sweepId, 'cancelled');
    this.pump();
  }

  /** A cancelled sweep runs again: its cancelled probes are queued, its finished ones kept. */
  reopen(sweepId: number): boolean {
    const t = this.store.reopenCancelled(sweepId);
    if (!t) return false;
    this.tracker.deactivate(sweepId);
    this.activate(sweepId);
    this.emit(sweepId);
    return true;
  }

  /** The sweep is about to be deleted: nothing of it is kept here. */
  forget(sweepId: number): void {
    this.deactivate(sweepId);
    this.settingsBySweep.delete(sweepId);
  }

  retryFailed(sweepId: number): number {
    const n = this.store.retryFailed(sweepId);
    const status = this.store.getSweep(sweepId)?.status;
    if (status && isRunnable(status)) this.activate(sweepId);
    this.emit(sweepId);
    return n;
  }

  /** Kills every worker and requeues what they were running; the sweeps stay unfinished. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.pool.cancelReaping();
    const exits = this.pool.all().map((w) => {
      this.retire(w);
      return w.exited;
    });
    // Nothing runs them now: they wait for the next process to open the file (status says queued).
    try {
      for (const id of this.active) this.store.applySweepEvent(id, 'interrupt');
    } catch {
      // The store is what failed (the runner halted on it); the next open settles them.
    }
    this.watch.notify();
    await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 5000).unref())]);
  }

  /** Starts the whole pool now (rather than on the first queued probe) and waits until it is ready. */
  async warmUp(timeoutMs = 30_000): Promise<void> {
    if (this.fatal) throw this.fatal;
    while (this.pool.size < this.workers && !this.stopped) this.pool.spawn();
    const started = (): boolean => !this.pool.all().some((w) => w.state.kind === 'starting');
    await this.watch.until(() => started() || this.fatal !== null || this.stopped, timeoutMs, 'workers did not start in time');
    if (this.fatal) throw this.fatal;
  }

  /**
   * This machine's engine speed: the calibration probes timed by a worker (one is started if none
   * is running; it will serve the sweep being estimated), so that the host process never runs
   * the engine itself; once enough probes have finished, refitted to what they took.
   */
  async speedModel(timeoutMs = 30_000): Promise<SpeedModel> {
    if (!this.calibration.measured) {
      if (this.fatal) throw this.fatal;
      if (this.stopped) throw new Error('the runner is stopped');
      const release = this.calibration.want();
      try {
        await this.watch.until(
          () => this.calibration.measured || this.fatal !== null || this.stopped,
          timeoutMs,
          'no worker measured the engine speed in time',
        );
      } finally {
        release();
      }
    }
    const model = this.calibration.model();
    if (model) return model;
    if (this.fatal) throw this.fatal;
    throw new Error('the runner is stopped');
  }

  /**
   * Seconds of these samples of a sweep's shapes (src/lab/sweep/timedEstimate.ts), timed by
   * `concurrency` of this runner's workers at once (started if they are not running); null when
   * they cannot be timed now: workers are running probes, or did not start or answer in time.
   */
  async timeSamples(samples: readonly TimingSample[], concurrency: number, timeoutMs = 30_000): Promise<number[] | null> {
    if (this.fatal || this.stopped) return null;
    try {
      // A worker being stopped (a cancelled probe's) still counts in the pool: let it go first.
      const leaving = this.pool.all().filter((w) => w.state.kind === 'retiring');
      if (leaving.length > 0)
        await Promise.race([Promise.all(leaving.map((w) => w.exited)), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
      await this.warmUp(timeoutMs);
    } catch {
      return null;
    }
    return this.sampleTimer.time(samples, Math.max(1, Math.min(concurrency, this.workers)), timeoutMs);
  }

  workerPids(): number[] {
    return this.pool.pids();
  }

  /** Why the runner halted, if it did. */
  get haltedBy(): Error | null {
    return this.fatal;
  }

  // ---- internals ----------------------------------------------------------------------------

  private deactivate(sweepId: number): void {
    this.active.delete(sweepId);
    this.tracker.deactivate(sweepId);
  }

  /** Kills a worker on purpose; its unreported probes go back to the queue (cancelled ones stay so). */
  private retire(worker: PoolWorker): void {
    const last = this.pool.retire(worker);
    if (last?.kind !== 'busy') return;
    // Stopped by us, not by their own failure: no attempt is charged.
    this.store.requeue([...last.batch.keys()]);
    for (const s of new Set(last.batch.values())) this.emit(s);
  }

  /** The pool changed: a wanted calibration finds a worker, waits re-check their conditions. */
  private poolChanged(): void {
    if (!this.fatal && !this.stopped) this.calibration.ensureAsked();
    this.watch.notify();
  }

  private onExit(last: WorkerState, reason: string): void {
    if (last.kind === 'retiring')
      this.pump(); // a replacement may be needed for other sweeps' probes
    else this.onCrash(last, reason);
    this.poolChanged();
  }

  private onCrash(last: WorkerState, reason: string): void {
    if (last.kind === 'starting') this.spawnFailures++;
    const blame = blameCrash(last);
    if (blame.culprit !== null) {
      if (blame.culpritUnreported) this.store.markStarted(blame.culprit);
      this.store.failAttempt(blame.culprit, reason);
      this.emitProbe(blame.culpritSweep ?? this.store.getProbe(blame.culprit)?.sweep_id ?? 0, blame.culprit);
    }
    this.store.requeue(blame.requeue);
    for (const s of blame.sweeps) this.settle(s);
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
    this.deferring++;
    try {
      fn();
    } catch (err) {
      this.halt(new Error(`the sweep runner stopped: ${err instanceof Error ? err.message : String(err)}`));
    } finally {
      this.deferring--;
      if (this.deferring === 0) this.flushEmits();
    }
  }

  private flushEmits(): void {
    const pending = [...this.pendingEmits];
    this.pendingEmits.clear();
    for (const [sweepId, probeId] of pending) this.broadcast(sweepId, probeId);
  }

  /** Workers above the pool's size, the newest first (the ones to stop). */
  private surplus(): PoolWorker[] {
    const live = this.pool.all().filter((w) => w.state.kind !== 'retiring' && w.state.kind !== 'dead');
    return live.slice(this.limits.maxWorkers).reverse();
  }

  /** Stops dispatching and fails every waiter with this error; running workers are stopped. */
  private halt(error: Error): void {
    if (this.fatal) return;
    this.fatal = error;
    this.listeners.failAll(error);
    for (const worker of this.pool.all()) {
      try {
        this.retire(worker);
      } catch {
        // The store is what failed; the process is stopped all the same.
      }
    }
    this.watch.notify();
  }

  private onMessage(worker: PoolWorker, msg: FromWorker): void {
    switch (msg.type) {
      case 'ready':
        this.spawnFailures = 0;
        this.poolChanged();
        break;
      case 'speed':
        this.calibration.onSpeed(worker, msg.speed);
        this.watch.notify();
        return;
      case 'sampleTimes':
        this.sampleTimer.onAnswer(msg);
        return;
      case 'started': {
        const busy = this.busy(worker);
        if (!busy) return;
        // Cancelled while this news was in flight: stop it now, as cancel would have.
        if (this.store.getProbe(msg.probeId)?.status === 'cancelled') {
          this.pool.release(worker, [msg.probeId]);
          this.retire(worker);
          return;
        }
        busy.current = msg.probeId;
        this.store.markStarted(msg.probeId);
        return;
      }
      case 'done': {
        const busy = this.busy(worker);
        if (!busy) return;
        const sweepId = busy.batch.get(msg.probeId);
        const row = this.store.getProbe(msg.probeId);
        // A probe cancelled meanwhile stays cancelled.
        const keep = sweepId !== undefined && row?.status === 'running';
        // Stored before it leaves the batch: if storing throws, the halt requeues it.
        if (keep) {
          this.store.storeResult(msg.probeId, msg.outcome);
          this.calibration.record(row, msg.outcome.seconds, this.probeSettingsOf(sweepId));
        }
        this.pool.release(worker, [msg.probeId]);
        if (keep) {
          this.tracker.record(sweepId);
          this.emitProbe(sweepId, msg.probeId);
          this.settle(sweepId);
        }
        break;
      }
      case 'error': {
        const busy = this.busy(worker);
        if (!busy) return;
        const sweepId = busy.batch.get(msg.probeId);
        if (sweepId !== undefined) this.store.failAttempt(msg.probeId, msg.message);
        this.pool.release(worker, [msg.probeId]);
        if (sweepId !== undefined) {
          this.emitProbe(sweepId, msg.probeId);
          this.settle(sweepId);
        }
        break;
      }
      case 'skipped': {
        const busy = this.busy(worker);
        if (busy) busy.stealing = false;
        const touched = this.pool.release(worker, msg.probeIds);
        this.store.requeue(msg.probeIds);
        for (const s of touched) this.emit(s);
        this.pump();
        return;
      }
    }
    if (worker.state.kind === 'idle') this.pump();
  }

  private busy(worker: PoolWorker): BusyState | null {
    return worker.state.kind === 'busy' ? worker.state : null;
  }

  /** Hands queued probes to idle workers, steals back queued-behind work, spawns workers while there is work. */
  private pump(): void {
    if (this.stopped || this.fatal) return;
    // After the pool was made smaller: a surplus worker stops once it has nothing left to run.
    for (const worker of this.surplus())
      if (worker.state.kind === 'idle' || worker.state.kind === 'starting') this.retire(worker);
    const runnable = [...this.active].filter((id) => {
      const s = this.store.getSweep(id)?.status;
      return s !== undefined && isRunnable(s);
    });
    if (runnable.length === 0) {
      this.pool.reapIdleLater(() => !this.stopped && this.active.size === 0);
      return;
    }
    const workers = this.pool.all();
    const queued = this.store.countQueued(runnable);
    const rows = this.store.nextQueued(runnable, candidatesWanted(workers, queued, this.limits));
    const byId = new Map(rows.map((p) => [p.id, p]));
    const candidates = rows.map((p) => ({ id: p.id, sweepId: p.sweep_id, work: probeWork(p) }));
    const plan = planPump(workers, queued, candidates, this.limits);
    for (const { worker, probes } of plan.batches)
      this.dispatch(
        worker,
        probes.map((p) => byId.get(p.id)!),
        plan.threads,
      );
    for (const { worker, probeIds } of plan.steal) {
      const busy = this.busy(worker)!;
      busy.stealing = true;
      worker.handle.send({ type: 'skip', probeIds });
    }
    for (let i = 0; i < plan.spawn; i++) this.pool.spawn();
  }

  private dispatch(worker: PoolWorker, batch: ProbeRow[], threads: number): void {
    this.store.markDispatched(batch.map((p) => p.id));
    for (const sweepId of new Set(batch.map((p) => p.sweep_id))) this.store.applySweepEvent(sweepId, 'dispatch');
    this.pool.assign(worker, new Map(batch.map((p) => [p.id, p.sweep_id])));
    for (const sweepId of new Set(batch.map((p) => p.sweep_id))) this.emit(sweepId);
    const tasks: ProbeTask[] = batch.map((p) => ({
      probeId: p.id,
      config: JSON.parse(p.config_json) as ProbeConfig,
      ...this.probeSettingsOf(p.sweep_id),
      ...this.modelTaskOf(p.sweep_id),
      // This worker's share of the memory budget: the probes of every worker fit it together.
      maxBytes: perWorkerProbeBytes(this.workers),
      ...(threads > 1 ? { threads } : {}),
    }));
    worker.handle.send({ type: 'run', tasks });
  }

  /**
   * A sweep's trained layer and sequences (its weights / inputs files), read once per sweep while
   * it stays active, or why they cannot be (the probes then fail with it).
   */
  private readonly modelsBySweep = new Map<number, Pick<ProbeTask, 'model' | 'modelError'>>();
  private modelTaskOf(sweepId: number): Pick<ProbeTask, 'model' | 'modelError'> {
    let entry = this.modelsBySweep.get(sweepId);
    if (entry === undefined) {
      try {
        const model = this.modelOf?.(sweepId);
        entry = model ? { model } : {};
      } catch (err) {
        entry = { modelError: err instanceof Error ? err.message : String(err) };
      }
      this.modelsBySweep.set(sweepId, entry);
    }
    return entry;
  }

  /** What the sweep's probes compute (Lyapunov vectors, norms), read once per sweep (its spec never changes). */
  private readonly settingsBySweep = new Map<number, SweepProbeSettings>();
  private probeSettingsOf(sweepId: number): SweepProbeSettings {
    let settings = this.settingsBySweep.get(sweepId);
    if (settings === undefined) {
      const row = this.store.getSweep(sweepId);
      settings = row ? sweepProbeSettings(JSON.parse(row.spec_json) as SweepSpec) : { lyapunovVectors: 0 };
      this.settingsBySweep.set(sweepId, settings);
    }
    return settings;
  }

  private settle(sweepId: number): void {
    const status = this.store.settleSweep(sweepId);
    if (isTerminal(status)) {
      this.active.delete(sweepId);
      this.emit(sweepId);
      this.listeners.finished(sweepId, status);
    }
  }

  private emit(sweepId: number): void {
    if (this.deferring > 0) {
      if (!this.pendingEmits.has(sweepId)) this.pendingEmits.set(sweepId, null);
      return;
    }
    this.broadcast(sweepId, null);
  }

  private emitProbe(sweepId: number, probeId: number): void {
    if (this.deferring > 0) this.pendingEmits.set(sweepId, probeId);
    else this.broadcast(sweepId, probeId);
  }

  /** The sweep as it stands now, with the probe that changed, if any, to every listener. */
  private broadcast(sweepId: number, probeId: number | null): void {
    const sweep = this.summary(sweepId);
    if (!sweep) return;
    const probe = probeId === null ? undefined : this.store.getProbe(probeId);
    this.listeners.broadcast(probe ? { sweep, probe: toProbeSummary(probe) } : { sweep });
  }
}
