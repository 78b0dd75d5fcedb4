// Where a Slurm submission keeps its files: a folder beside the lab file (lab.sqlite.slurm/)
// holding the spec the shards run, the job scripts, the submission record, one part file per
// shard and the jobs' logs. Every path is absolute: compute nodes that share the filesystem
// find them wherever the jobs start.
import { join, resolve } from 'node:path';

export interface SlurmLayout {
  /** The lab file the merge job writes. */
  lab: string;
  folder: string;
  /** The spec as submitted: what every shard runs. */
  spec: string;
  shardScript: string;
  mergeScript: string;
  /** The submissions made so far (job ids, shards, options). */
  record: string;
  logs: string;
  part(shard: number): string;
  shardLog(shard: number): string;
  /** The shard log pattern as sbatch's --output takes it (%a: the array index). */
  shardLogPattern: string;
  mergeLog: string;
}

export function slurmLayout(db: string): SlurmLayout {
  const lab = resolve(db);
  const folder = `${lab}.slurm`;
  const logs = join(folder, 'logs');
  return {
    lab,
    folder,
    spec: join(folder, 'spec.json'),
    shardScript: join(folder, 'shard.sh'),
    mergeScript: join(folder, 'merge.sh'),
    record: join(folder, 'submission.json'),
    logs,
    part: (shard) => join(folder, `part-${shard}.sqlite`),
    shardLog: (shard) => join(logs, `shard-${shard}.out`),
    shardLogPattern: join(logs, 'shard-%a.out'),
    mergeLog: join(logs, 'merge.out'),
  };
}
