// Which probe runs next and where: the runner's decisions, pure (no store, no processes), so they
// can be tested on their own. The runner tells them what the pool and the queue look like and
// carries out what they answer.
import { threadsEach } from '../../engine/index';
import type { WorkerState } from './workerPool';

/** A queued probe as the scheduler sees it. */
export interface QueuedProbe {
  id: number;
  sweepId: number;
  /** probeWork of its config (src/engine/probeCost.ts). */
  work: number;
}

export interface SchedulerLimits {
  /** Worker processes the pool may have. */
  maxWorkers: number;
  /** A batch is filled until its work reaches this (it always takes one probe)... */
  batchWork: number;
  /** ...or it holds this many probes. */
  maxBatch: number;
}

/**
 * Probes one batch may hold: a fair share of what is queued (so that every worker gets some),
 * at most maxBatch, at least one.
 */
export function batchLimit(queued: number, limits: SchedulerLimits): number {
  return Math.max(1, Math.min(limits.maxBatch, Math.ceil(queued / limits.maxWorkers)));
}

/** The longest prefix of `candidates` (in queue order) whose work stays within batchWork; never empty if they are not. */
export function fillBatch(candidates: readonly QueuedProbe[], batchWork: number): QueuedProbe[] {
  const batch: QueuedProbe[] = [];
  let work = 0;
  for (const p of candidates) {
    if (batch.length > 0 && work + p.work > batchWork) break;
    batch.push(p);
    work += p.work;
  }
  return batch;
}

/** How many queued probes, from the head of the queue, planPump needs to see. */
export function candidatesWanted(workers: readonly { state: WorkerState }[], queued: number, limits: SchedulerLimits): number {
  const idle = workers.filter((w) => w.state.kind === 'idle').length;
  return idle * batchLimit(queued, limits);
}

/** The probes a busy worker holds and has not started. */
export function unstartedProbes(state: WorkerState): number[] {
  if (state.kind !== 'busy') return [];
  return [...state.batch.keys()].filter((id) => id !== state.current);
}

export interface PumpPlan<W> {
  /** A batch for each of these idle workers. */
  batches: { worker: W; probes: QueuedProbe[] }[];
  /** Work stealing: ask these workers for their unstarted probes back. */
  steal: { worker: W; probeIds: number[] }[];
  /** Workers to start. */
  spawn: number;
  /** Threads each of this round's batches may use (see probeThreads). */
  threads: number;
}

/**
 * Threads for each of `batches` new batches when `left` probes stay queued after them: one while
 * any does (every core gets a probe of its own); else the cores of the pool's size that no worker
 * uses (no worker started for them, or idle and given nothing), shared among the new batches. So
 * the probes of a sweep with fewer probes than free workers use the cores the others leave. (A
 * probe already running keeps its threads: a core freed later, when another worker runs out of
 * probes, stays idle. A sweep queued meanwhile takes an idle worker all the same, and shares the
 * cores until the probe is done.)
 */
export function probeThreads(
  workers: readonly { state: WorkerState }[],
  batches: number,
  left: number,
  limits: SchedulerLimits,
): number {
  if (left > 0 || batches === 0) return 1;
  const working = workers.filter((w) => ['starting', 'timing', 'busy'].includes(w.state.kind)).length + batches;
  const free = Math.max(0, limits.maxWorkers - working);
  return threadsEach(free + batches, batches);
}

/**
 * One round of scheduling. `workers`: the pool, in order; `queued`: how many probes of runnable
 * sweeps are queued; `candidates`: the first candidatesWanted(...) of them in queue order
 * (biggest first). Idle workers get batches in pool order; once the queue is empty while a worker
 * is still idle, the others are asked for the probes queued behind their running one, so those
 * can be spread out; workers are started while queued probes outnumber them.
 */
export function planPump<W extends { state: WorkerState }>(
  workers: readonly W[],
  queued: number,
  candidates: readonly QueuedProbe[],
  limits: SchedulerLimits,
): PumpPlan<W> {
  const limit = batchLimit(queued, limits);
  const batches: PumpPlan<W>['batches'] = [];
  let taken = 0;
  for (const worker of workers) {
    if (worker.state.kind !== 'idle' || taken >= queued || taken >= candidates.length) continue;
    const probes = fillBatch(candidates.slice(taken, taken + limit), limits.batchWork);
    batches.push({ worker, probes });
    taken += probes.length;
  }
  const left = queued - taken;
  const stillIdle = workers.some((w) => w.state.kind === 'idle' && !batches.some((b) => b.worker === w));
  const steal: PumpPlan<W>['steal'] = [];
  if (left <= 0 && stillIdle) {
    for (const worker of workers) {
      if (worker.state.kind !== 'busy' || worker.state.stealing) continue;
      const probeIds = unstartedProbes(worker.state);
      if (probeIds.length > 0) steal.push({ worker, probeIds });
    }
  }
  const spawn = Math.max(0, Math.min(limits.maxWorkers - workers.length, left));
  return { batches, steal, spawn, threads: probeThreads(workers, batches.length, left, limits) };
}

/**
 * What pausing or cancelling a sweep asks of one worker: nothing, to hand back the sweep's
 * probes it has not started ('skip'), or, when cancelling the sweep of the probe it is running,
 * to stop at once ('kill': that probe is lost work anyway, and its other probes are requeued).
 */
export function withdrawSweep(
  state: WorkerState,
  sweepId: number,
  why: 'pause' | 'cancel',
): { kill: true } | { skip: number[] } | null {
  if (state.kind !== 'busy') return null;
  if (why === 'cancel' && state.current !== null && state.batch.get(state.current) === sweepId) return { kill: true };
  const skip = unstartedProbes(state).filter((id) => state.batch.get(id) === sweepId);
  return skip.length > 0 ? { skip } : null;
}

export interface CrashBlame {
  /** The probe charged a failed attempt, if any. */
  culprit: number | null;
  /** Its sweep, as the worker's batch has it. */
  culpritSweep: number | undefined;
  /** The worker died before saying the culprit started: it must be marked started too. */
  culpritUnreported: boolean;
  /** Its other probes, which go back to the queue uncharged. */
  requeue: number[];
  /** Every sweep it held probes of (to settle). */
  sweeps: number[];
}

/**
 * Who is to blame when a worker dies by itself: the probe it reported started; if that message
 * was lost in the crash, the first unreported one (a worker runs its batch in order). Charging it
 * keeps a probe that kills its worker at once from being requeued forever.
 */
export function blameCrash(last: WorkerState): CrashBlame {
  if (last.kind !== 'busy') return { culprit: null, culpritSweep: undefined, culpritUnreported: false, requeue: [], sweeps: [] };
  const ids = [...last.batch.keys()];
  const culprit = last.current ?? ids[0] ?? null;
  return {
    culprit,
    culpritSweep: culprit === null ? undefined : last.batch.get(culprit),
    culpritUnreported: last.current === null && culprit !== null,
    requeue: ids.filter((id) => id !== culprit),
    sweeps: [...new Set(last.batch.values())],
  };
}
