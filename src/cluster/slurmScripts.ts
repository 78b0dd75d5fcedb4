// The two job scripts of a Slurm submission. The shard script is a job array: task i runs
// `seqlab sweep --shard i/N` of this very installation (absolute node and CLI paths, resolved at
// submit time) into part-i.sqlite, with as many workers as Slurm gave it CPUs; rerun, it resumes
// the part file (and retries probes that failed). The merge script merges every part into the
// lab once the array has succeeded (afterok), and is cancelled by Slurm if a shard fails.
// Logs are appended to, so a resubmitted shard's log keeps its earlier attempts.
import type { SlurmLayout } from './slurmLayout';
import { shellQuote } from './shellQuote';

/** This SeqLab: the node binary and the CLI entry the jobs run. */
export interface Installation {
  node: string;
  cli: string;
}

export interface SlurmJobOptions {
  cpusPerTask: number;
  partition?: string;
  time?: string;
  mem?: string;
  /** Further sbatch options, one per #SBATCH line, after SeqLab's own (so they can override them). */
  sbatchArgs: string[];
}

/** Array indexes as sbatch's --array takes them: "1-4", "3", "1,3-4". */
export function arrayRange(shards: number[]): string {
  const sorted = [...new Set(shards)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function directives(jobName: string, output: string, opts: SlurmJobOptions, cpus: number): string[] {
  const lines = [`--job-name=${jobName}`, `--cpus-per-task=${cpus}`, `--output=${output}`, '--open-mode=append'];
  if (opts.partition) lines.push(`--partition=${opts.partition}`);
  if (opts.time) lines.push(`--time=${opts.time}`);
  if (opts.mem) lines.push(`--mem=${opts.mem}`);
  return [...lines, ...opts.sbatchArgs];
}

const header = (what: string, sbatch: string[]): string[] => [
  '#!/bin/bash',
  `# ${what}`,
  '# Written by `seqlab slurm submit`; submitted with sbatch. Rewritten at each submission.',
  ...sbatch.map((d) => `#SBATCH ${d}`),
  'set -euo pipefail',
];

export function shardScript(
  layout: SlurmLayout,
  shards: number,
  array: number[],
  install: Installation,
  jobName: string,
  opts: SlurmJobOptions,
): string {
  const sbatch = [`--array=${arrayRange(array)}`, ...directives(jobName, layout.shardLogPattern, opts, opts.cpusPerTask)];
  return [
    ...header(`SeqLab shard jobs: task i runs shard i of ${shards} of the sweep into part-i.sqlite.`, sbatch),
    `folder=${shellQuote(layout.folder)}`,
    'shard="${SLURM_ARRAY_TASK_ID}"',
    `echo "seqlab: shard \${shard}/${shards}, job \${SLURM_JOB_ID}, on $(hostname), from $(date -u +%Y-%m-%dT%H:%M:%SZ)"`,
    `exec ${shellQuote(install.node)} ${shellQuote(install.cli)} sweep "\${folder}/spec.json" --db "\${folder}/part-\${shard}.sqlite" ` +
      `--shard "\${shard}/${shards}" --workers "\${SLURM_CPUS_PER_TASK}" --retry-failed`,
    '',
  ].join('\n');
}

/** afterArray: the shard array job to wait for (null when every shard is done already). */
export function mergeScript(
  layout: SlurmLayout,
  shards: number,
  afterArray: string | null,
  install: Installation,
  jobName: string,
  opts: SlurmJobOptions,
): string {
  const dependency = afterArray ? [`--dependency=afterok:${afterArray}`, '--kill-on-invalid-dep=yes'] : [];
  const sbatch = [...dependency, ...directives(`${jobName}-merge`, layout.mergeLog, opts, 1)];
  const parts = Array.from({ length: shards }, (_, k) => `"\${folder}/part-${k + 1}.sqlite"`);
  return [
    ...header(`SeqLab merge job: merges the ${shards} part files into the lab once every shard has succeeded.`, sbatch),
    `folder=${shellQuote(layout.folder)}`,
    `echo "seqlab: merge, job \${SLURM_JOB_ID}, on $(hostname), from $(date -u +%Y-%m-%dT%H:%M:%SZ)"`,
    `exec ${shellQuote(install.node)} ${shellQuote(install.cli)} merge ${parts.join(' ')} --into ${shellQuote(layout.lab)}`,
    '',
  ].join('\n');
}
