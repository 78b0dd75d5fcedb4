// `--wait`: the submission's state, again and again, until nothing of it will run any more.
// Stopping the watch (Ctrl-C) stops only the watch: the jobs are Slurm's.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CheckedSpec } from './clusterSpec';
import type { SlurmLayout } from './slurmLayout';
import type { SlurmRecord } from './slurmRecord';
import { isOver, viewSubmission, type SubmissionView } from './slurmState';

/** Polls every intervalMs; resolves to the last view, or null when stopped through the signal. */
export async function watchSubmission(
  layout: SlurmLayout,
  record: SlurmRecord,
  checked: CheckedSpec,
  onView: (view: SubmissionView) => void,
  signal: AbortSignal,
  intervalMs = 1000,
): Promise<SubmissionView | null> {
  for (;;) {
    if (signal.aborted) return null;
    const view = await viewSubmission(layout, record, checked);
    if (signal.aborted) return null;
    onView(view);
    if (isOver(view)) return view;
    try {
      await sleep(intervalMs, undefined, { signal });
    } catch {
      return null;
    }
  }
}
