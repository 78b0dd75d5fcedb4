// Throughput and ETA per sweep, from the finish times of its recent probes in this process.

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

// The summaries themselves are the store's (its rows as the contract's types); the runner adds
// only its live throughput.
export { toProbeSummary, toSweepSummary } from '../store/readSummaries';
