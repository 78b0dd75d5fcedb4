// The record of a lab's Slurm submissions (submission.json in its folder): which shards each
// submission ran as which jobs. `status`, `cancel` and a resubmission read it; it is rewritten
// whole (a temporary file renamed over it) after each submission.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

const submissionSchema = z.object({
  submittedAt: z.string(),
  /** The shard array job; null when only the merge was left to run. */
  arrayJob: z.string().nullable(),
  shards: z.array(z.number().int().min(1)),
  mergeJob: z.string(),
});

const recordSchema = z.object({
  version: z.literal(1),
  lab: z.string(),
  sweep: z.string(),
  shards: z.number().int().min(1),
  submissions: z.array(submissionSchema),
});

export type Submission = z.infer<typeof submissionSchema>;
export type SlurmRecord = z.infer<typeof recordSchema>;

/** The record, null when there is none yet; throws naming the file when it is unreadable. */
export function readRecord(path: string): SlurmRecord | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path} is not valid JSON (${(err as Error).message}); remove the folder to start over`);
  }
  const r = recordSchema.safeParse(parsed);
  if (!r.success) throw new Error(`${path} is not a SeqLab submission record; remove the folder to start over`);
  return r.data;
}

export function writeRecord(path: string, record: SlurmRecord): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n');
  renameSync(tmp, path);
}

/** The job id of each shard's latest run, as Slurm prints array tasks ("12_3"). */
export function latestShardJobs(record: SlurmRecord): Map<number, string> {
  const jobs = new Map<number, string>();
  for (const s of record.submissions) if (s.arrayJob) for (const shard of s.shards) jobs.set(shard, `${s.arrayJob}_${shard}`);
  return jobs;
}

export const latestSubmission = (record: SlurmRecord): Submission | undefined => record.submissions.at(-1);
