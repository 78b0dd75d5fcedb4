// `seqlab slurm submit`: a checked sweep as a Slurm job array of shards and a merge job after
// it. A resubmission of the same spec to the same lab submits only the shards whose part files
// are unfinished (each resumes its part file), and only the merge when every shard is done.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { checkClusterSpec, sameSweep, sweepSlug, type CheckedSpec } from './clusterSpec';
import { readSweepOfSpec } from '../lab/clusterSupport';
import type { SweepSummary } from '../contract/labApi';
import { slurmLayout, type SlurmLayout } from './slurmLayout';
import { readRecord, writeRecord, type SlurmRecord, type Submission } from './slurmRecord';
import { mergeScript, shardScript, type Installation, type SlurmJobOptions } from './slurmScripts';
import { viewSubmission } from './slurmState';
import { SlurmError, sbatch, scancel } from './slurmTools';

export interface SubmitRequest {
  db: string;
  checked: CheckedSpec;
  shards: number;
  install: Installation;
  job: SlurmJobOptions;
}

export type SubmitOutcome =
  | { kind: 'submitted'; layout: SlurmLayout; record: SlurmRecord; submission: Submission }
  /** The lab already holds the whole merged sweep: nothing was submitted. */
  | { kind: 'merged'; layout: SlurmLayout; merged: SweepSummary };

/** How to name the commands in messages (the user's --db, as typed). */
const commandsFor = (db: string) => ({
  status: `seqlab slurm status --db ${db}`,
  cancel: `seqlab slurm cancel --db ${db}`,
});

export async function submitSweep(req: SubmitRequest): Promise<SubmitOutcome> {
  const layout = slurmLayout(req.db);
  const { checked, shards } = req;
  const lab = readSweepOfSpec(layout.lab, checked.spec);
  if (!lab.ok) throw new SlurmError(lab.error.message);
  if (lab.value?.status === 'done') return { kind: 'merged', layout, merged: lab.value };

  const record = readRecord(layout.record) ?? {
    version: 1 as const,
    lab: layout.lab,
    sweep: checked.spec.name,
    shards,
    submissions: [],
  };
  checkSameSubmission(layout, record, checked, shards);
  if (record.submissions.length > 0) await refuseWhileRunning(layout, record, checked, req.db);

  mkdirSync(layout.logs, { recursive: true });
  if (!existsSync(layout.spec)) writeFileSync(layout.spec, JSON.stringify(checked.input, null, 2) + '\n');
  const unfinished: number[] = [];
  for (let shard = 1; shard <= shards; shard++) {
    const part = readSweepOfSpec(layout.part(shard), checked.spec, { index: shard, count: shards });
    if (!part.ok) throw new SlurmError(`${layout.part(shard)}: ${part.error.message}`);
    if (part.value?.status !== 'done') unfinished.push(shard);
  }

  const jobName = `seqlab-${sweepSlug(checked.spec.name)}`;
  let arrayJob: string | null = null;
  if (unfinished.length > 0) {
    writeFileSync(layout.shardScript, shardScript(layout, shards, unfinished, req.install, jobName, req.job), { mode: 0o755 });
    arrayJob = await sbatch(layout.shardScript);
  }
  writeFileSync(layout.mergeScript, mergeScript(layout, shards, arrayJob, req.install, jobName, req.job), { mode: 0o755 });
  let mergeJob: string;
  try {
    mergeJob = await sbatch(layout.mergeScript);
  } catch (err) {
    // Shards with nothing to merge them are no use: take the array back.
    if (arrayJob) await scancel([arrayJob]).catch(() => {});
    throw err;
  }
  const submission: Submission = { submittedAt: new Date().toISOString(), arrayJob, shards: unfinished, mergeJob };
  const updated: SlurmRecord = { ...record, submissions: [...record.submissions, submission] };
  writeRecord(layout.record, updated);
  return { kind: 'submitted', layout, record: updated, submission };
}

/** The folder's earlier submission must be of the same sweep in the same number of shards. */
function checkSameSubmission(layout: SlurmLayout, record: SlurmRecord, checked: CheckedSpec, shards: number): void {
  if (record.shards !== shards) {
    throw new SlurmError(
      `${layout.folder} holds this sweep in ${record.shards} shards; resubmit with --shards ${record.shards} (or remove the folder to start over)`,
    );
  }
  if (!existsSync(layout.spec)) return;
  let saved: ReturnType<typeof checkClusterSpec>;
  try {
    saved = checkClusterSpec(JSON.parse(readFileSync(layout.spec, 'utf8')));
  } catch (err) {
    throw new SlurmError(`${layout.spec} cannot be read (${(err as Error).message}); remove ${layout.folder} to start over`);
  }
  if (!saved.ok || !sameSweep(saved.value.spec, checked.spec)) {
    const name = saved.ok ? ` (sweep "${saved.value.spec.name}")` : '';
    throw new SlurmError(
      `${layout.folder} holds a submission of another spec${name}; use another --db, or remove the folder to start over`,
    );
  }
}

async function refuseWhileRunning(layout: SlurmLayout, record: SlurmRecord, checked: CheckedSpec, db: string): Promise<void> {
  const view = await viewSubmission(layout, record, checked);
  const live = view.shards.filter((s) => s.live);
  const what = [
    ...(live.length
      ? [`shard${live.length > 1 ? 's' : ''} ${live.map((s) => `${s.shard} (job ${s.job}, ${s.state})`).join(', ')}`]
      : []),
    ...(view.merge?.live ? [`the merge (job ${view.merge.job}, ${view.merge.state})`] : []),
  ];
  if (what.length === 0) return;
  const c = commandsFor(db);
  throw new SlurmError(
    `the last submission is still in Slurm: ${what.join(' and ')}; wait for it (\`${c.status}\`) or cancel it (\`${c.cancel}\`) before submitting again`,
  );
}

export { commandsFor };
