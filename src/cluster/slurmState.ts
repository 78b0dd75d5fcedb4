// Where a Slurm submission stands: each shard's job state (from the queue, else from accounting
// where the cluster keeps it, else from its part file alone), the probes it has done (from its
// log while it runs, from its part file once it has ended), the merge job, and whether the lab
// holds the merged sweep.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { SweepSummary } from '../contract/labApi';
import { readSweepOfSpec } from '../lab/clusterSupport';
import type { CheckedSpec } from './clusterSpec';
import type { SlurmLayout } from './slurmLayout';
import { latestShardJobs, latestSubmission, type SlurmRecord } from './slurmRecord';
import { hasEnded, sacctStates, squeueStates, type JobState, type JobStates } from './slurmTools';

export interface ShardView {
  shard: number;
  /** The shard's latest job ("12_3"), null if it was never submitted. */
  job: string | null;
  /** Slurm's state of that job when Slurm still knows it; else DONE or UNFINISHED from the part file. */
  state: string;
  reason?: string;
  /** Pending or running: Slurm will still run it. */
  live: boolean;
  /** The part file holds the finished shard. */
  done: boolean;
  /** Ended without finishing its part file. */
  failed: boolean;
  probes: { done: number; failed: number; total: number | null };
  log: string;
  /** Why the part file could not be read, if it could not. */
  problem?: string;
}

export interface MergeView {
  job: string;
  state: string;
  reason?: string;
  live: boolean;
  log: string;
}

export interface SubmissionView {
  shards: ShardView[];
  merge: MergeView | null;
  /** The merged sweep in the lab file, once there is one. */
  merged: SweepSummary | null;
  /** The lab holds the whole sweep, every probe done. */
  complete: boolean;
  probes: { done: number; total: number };
  /**
   * Whether Slurm's accounting (sacct) answered for jobs the queue no longer lists (null: none
   * needed asking). Without it, those jobs are judged by their part files.
   */
  accounting: boolean | null;
}

/** Nothing will run any more by itself: every job has ended (or Slurm has forgotten it). */
export const isOver = (v: SubmissionView): boolean => !v.shards.some((s) => s.live) && !v.merge?.live;

/** States of these jobs: the queue first, accounting for those no longer queued. */
async function jobStates(ids: string[]): Promise<{ states: JobStates; accounting: boolean | null }> {
  const queued = await squeueStates();
  const states: JobStates = new Map(ids.filter((id) => queued.has(id)).map((id) => [id, queued.get(id)!]));
  const missing = ids.filter((id) => !states.has(id));
  if (missing.length === 0) return { states, accounting: null };
  const accounted = await sacctStates(missing);
  if (accounted) for (const id of missing) if (accounted.has(id)) states.set(id, accounted.get(id)!);
  return { states, accounting: accounted !== null };
}

/**
 * The probes a running shard has finished, from the last progress line `seqlab sweep` wrote to its
 * log ("[###...] 3/7 probes ..."). A live shard's part file is not opened: its job may be writing
 * it from another host, and SQLite's WAL index cannot be shared across hosts (a network
 * filesystem), so only ended shards' part files are read.
 */
function logProgress(log: string): { done: number; total: number } | null {
  let text: string;
  try {
    const fd = openSync(log, 'r');
    try {
      const size = fstatSync(fd).size;
      const buf = Buffer.alloc(Math.min(size, LOG_TAIL_BYTES));
      readSync(fd, buf, 0, buf.length, size - buf.length);
      text = buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  const lines = [...text.matchAll(/\] (\d+)\/(\d+) probes/g)];
  const last = lines.at(-1);
  return last ? { done: Number(last[1]), total: Number(last[2]) } : null;
}

const LOG_TAIL_BYTES = 16 * 1024;

export async function viewSubmission(layout: SlurmLayout, record: SlurmRecord, checked: CheckedSpec): Promise<SubmissionView> {
  const shardJobs = latestShardJobs(record);
  const last = latestSubmission(record);
  const ids = [...shardJobs.values(), ...(last ? [last.mergeJob] : [])];
  // Job states first, files after: a job seen ended has finished writing its file.
  const { states, accounting } = await jobStates(ids);
  const isLive = (known: JobState | undefined): boolean => known !== undefined && !hasEnded(known);

  const shards: ShardView[] = [];
  for (let shard = 1; shard <= record.shards; shard++) {
    const job = shardJobs.get(shard) ?? null;
    const known: JobState | undefined = job ? states.get(job) : undefined;
    const common = { shard, job, log: layout.shardLog(shard), ...(known?.reason ? { reason: known.reason } : {}) };
    if (isLive(known)) {
      const progress = logProgress(layout.shardLog(shard));
      shards.push({
        ...common,
        state: known!.state,
        live: true,
        done: false,
        failed: false,
        probes: { done: progress?.done ?? 0, failed: 0, total: progress?.total ?? null },
      });
      continue;
    }
    const part = readSweepOfSpec(layout.part(shard), checked.spec, { index: shard, count: record.shards });
    const sweep = part.ok ? part.value : null;
    const done = sweep?.status === 'done';
    shards.push({
      ...common,
      state: known?.state ?? (done ? 'DONE' : 'UNFINISHED'),
      live: false,
      done,
      failed: !done,
      probes: { done: sweep?.probes.done ?? 0, failed: sweep?.probes.failed ?? 0, total: sweep?.probes.total ?? null },
      ...(part.ok ? {} : { problem: part.error.message }),
    });
  }

  let merge: MergeView | null = null;
  if (last) {
    const known = states.get(last.mergeJob);
    merge = {
      job: last.mergeJob,
      state: known?.state ?? 'ENDED',
      ...(known?.reason ? { reason: known.reason } : {}),
      live: isLive(known),
      log: layout.mergeLog,
    };
  }
  // The lab is read only while no merge job writes it (for the same reason as the part files).
  const lab = merge?.live ? null : readSweepOfSpec(layout.lab, checked.spec);
  const merged = lab?.ok ? lab.value : null;
  const complete = merged?.status === 'done';
  const done = complete ? checked.probes : shards.reduce((n, s) => n + s.probes.done, 0);
  return { shards, merge, merged, complete, probes: { done, total: checked.probes }, accounting };
}
