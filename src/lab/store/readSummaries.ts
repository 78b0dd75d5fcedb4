// Store rows as the contract's summaries, and read-only access to a lab file without a runner
// (status, export, merge sources). The runner adds its live throughput to the same summaries.
import type { ProbeSummary, SweepSummary } from '../../contract/labApi';
import { LabStore, type ProbeCounts, type ProbeRow, type SweepRow } from './labStore';
import { openLabDatabase, type OpenOptions } from './openDatabase';
import { isRunnable } from './sweepStatus';

/** A read-only store on the file (refused, untouched, if it is not a lab SeqLab can read). */
export function openReadonlyStore(path: string, opts: OpenOptions = {}): LabStore {
  return new LabStore(openLabDatabase(path, { ...opts, readonly: true }));
}

let lastRevision = 0;

/**
 * The next summary's revision (SweepSummary.revision): wall-clock milliseconds, so that a
 * restarted server's summaries are newer than the ones before it, and at least a microsecond past
 * the previous one, so that two read within the same tick are still ordered.
 */
function nextRevision(): number {
  lastRevision = Math.max(performance.timeOrigin + performance.now(), lastRevision + 0.001);
  return lastRevision;
}

const seconds = (from: string | null, to: string | null): number =>
  from ? Math.max(0, ((to ? Date.parse(to) : Date.now()) - Date.parse(from)) / 1000) : 0;

/**
 * throughput: probes per second over the recent window of the process running it, if any;
 * queueingTarget: the probes it will have, while it is still being queued (LabStore.queueingTarget).
 */
export function toSweepSummary(
  row: SweepRow,
  counts: ProbeCounts,
  throughput: number | null,
  queueingTarget: number | null = null,
): SweepSummary {
  const live = isRunnable(row.status);
  const remaining = counts.queued + counts.running;
  const elapsed = seconds(row.started_at, row.finished_at);
  // A finished sweep reports its average rate (a fast one may never have had a live window).
  const tp = live ? throughput : counts.done > 0 && elapsed > 0 ? counts.done / elapsed : null;
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    probes: { ...counts },
    throughput: tp,
    etaSeconds: live && tp && tp > 0 ? remaining / tp : null,
    elapsedSeconds: elapsed,
    ...(queueingTarget === null ? {} : { queueing: { queued: counts.total, total: queueingTarget } }),
    revision: nextRevision(),
  };
}

export function toProbeSummary(p: ProbeRow): ProbeSummary {
  return {
    id: p.id,
    arch: p.arch,
    T: p.T,
    forgetBias: p.forget_bias,
    seed: p.seed,
    status: p.status,
    attempts: p.attempts,
    error: p.error,
    seconds: p.seconds,
  };
}

/** Every sweep of the file, as a reader sees it (no live throughput: nothing runs here). */
export function readSweepSummaries(store: LabStore): SweepSummary[] {
  return store.listSweeps().map((s) => toSweepSummary(s, store.counts(s.id), null, store.queueingTarget(s.id)));
}
