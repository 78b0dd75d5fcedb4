// Throughput and ETA per sweep, from the finish times of its recent probes in this process.
import type { ProbeSummary, SweepSummary } from '../../contract/labApi';
import type { ProbeCounts, ProbeRow, SweepRow } from '../store/labStore';

const WINDOW = 20;

export class ProgressTracker {
  private readonly times = new Map<number, number[]>();

  /** The sweep starts (or resumes) running here: the clock for its first probes starts now. */
  activate(sweepId: number, at = Date.now()): void {
    if (!this.times.has(sweepId)) this.times.set(sweepId, [at]);
  }

  deactivate(sweepId: number): void {
    this.times.delete(sweepId);
  }

  record(sweepId: number, at = Date.now()): void {
    const t = this.times.get(sweepId) ?? [at];
    t.push(at);
    if (t.length > WINDOW + 1) t.splice(0, t.length - (WINDOW + 1));
    this.times.set(sweepId, t);
  }

  /** Probes finished per second over the recent window; null before the first. */
  throughput(sweepId: number): number | null {
    const t = this.times.get(sweepId);
    if (!t || t.length < 2) return null;
    const span = (t[t.length - 1] - t[0]) / 1000;
    return span > 0 ? (t.length - 1) / span : null;
  }
}

const seconds = (from: string | null, to: string | null): number =>
  from ? Math.max(0, ((to ? Date.parse(to) : Date.now()) - Date.parse(from)) / 1000) : 0;

export function toSweepSummary(row: SweepRow, counts: ProbeCounts, throughput: number | null): SweepSummary {
  const live = row.status === 'running' || row.status === 'queued';
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
  };
}

export function toProbeSummary(p: ProbeRow): ProbeSummary {
  return {
    id: p.id, arch: p.arch, T: p.T, forgetBias: p.forget_bias, seed: p.seed,
    status: p.status, attempts: p.attempts, error: p.error, seconds: p.seconds,
  };
}
