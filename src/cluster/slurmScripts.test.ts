// The Slurm job scripts, read the way Slurm and bash read them: the #SBATCH directives parsed,
// and each script run by bash (with the task's SLURM_* variables) against a stand-in for the CLI
// that prints the arguments it was given, so quoting, paths and shard arguments are what the
// shell really passes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../lab/testing/labTestSupport';
import { slurmLayout } from './slurmLayout';
import { sbatchDirectives } from './testing/realSlurm';
import { arrayRange, mergeScript, shardScript, type SlurmJobOptions } from './slurmScripts';

/** Runs a job script with bash in env; returns the argv its exec line gave the CLI. */
function argvOf(script: string, dir: string, env: Record<string, string>): string[] {
  const path = join(dir, 'job.sh');
  writeFileSync(path, script);
  const r = spawnSync('bash', [path], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as string[];
}

function setUp() {
  // A folder name a shell would split or unquote if the scripts quoted it wrong.
  const dir = join(tempDir(), "my lab's $HOME");
  mkdirSync(dir);
  const echoCli = join(dir, 'echo argv.mjs');
  writeFileSync(echoCli, 'console.log(JSON.stringify(process.argv.slice(2)));\n');
  const layout = slurmLayout(join(dir, 'lab.sqlite'));
  return { dir, layout, install: { node: process.execPath, cli: echoCli } };
}

const OPTS: SlurmJobOptions = {
  cpusPerTask: 3,
  partition: 'short',
  time: '1:00:00',
  mem: '2G',
  sbatchArgs: ['--account=gradients', '--qos=low'],
};

describe('Slurm job scripts', () => {
  it("shard script: a job array of the unfinished shards, each running this CLI on its own part file with Slurm's CPUs as workers", () => {
    const { dir, layout, install } = setUp();
    const script = shardScript(layout, 4, [1, 3, 4], install, 'seqlab-test', OPTS);
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(sbatchDirectives(script)).toEqual([
      '--array=1,3-4',
      '--job-name=seqlab-test',
      '--cpus-per-task=3',
      `--output=${join(layout.logs, 'shard-%a.out')}`,
      '--open-mode=append',
      '--partition=short',
      '--time=1:00:00',
      '--mem=2G',
      '--account=gradients',
      '--qos=low',
    ]);
    const argv = argvOf(script, dir, { SLURM_ARRAY_TASK_ID: '3', SLURM_CPUS_PER_TASK: '3', SLURM_JOB_ID: '17' });
    expect(argv).toEqual([
      'sweep',
      join(layout.folder, 'spec.json'),
      '--db',
      join(layout.folder, 'part-3.sqlite'),
      '--shard',
      '3/4',
      '--workers',
      '3',
      '--retry-failed',
    ]);
    expect(layout.shardLog(3)).toBe(join(dir, 'lab.sqlite.slurm', 'logs', 'shard-3.out'));
  });

  it('merge script: after the array succeeds (or cancelled if it cannot), merges every part into the lab', () => {
    const { dir, layout, install } = setUp();
    const script = mergeScript(layout, 3, '41', install, 'seqlab-test', { cpusPerTask: 3, sbatchArgs: [] });
    expect(sbatchDirectives(script)).toEqual([
      '--dependency=afterok:41',
      '--kill-on-invalid-dep=yes',
      '--job-name=seqlab-test-merge',
      '--cpus-per-task=1',
      `--output=${layout.mergeLog}`,
      '--open-mode=append',
    ]);
    const argv = argvOf(script, dir, { SLURM_JOB_ID: '42' });
    expect(argv).toEqual([
      'merge',
      ...[1, 2, 3].map((i) => join(layout.folder, `part-${i}.sqlite`)),
      '--into',
      join(dir, 'lab.sqlite'),
    ]);
    // With every shard done already, the merge waits for nothing.
    expect(
      sbatchDirectives(mergeScript(layout, 3, null, install, 'seqlab-test', { cpusPerTask: 1, sbatchArgs: [] })).some((d) =>
        d.startsWith('--dependency'),
      ),
    ).toBe(false);
  });

  it('writes array ranges as sbatch takes them', () => {
    expect([arrayRange([1, 2, 3, 4]), arrayRange([3]), arrayRange([4, 1, 3]), arrayRange([1, 2, 5, 7, 8, 9])]).toEqual([
      '1-4',
      '3',
      '1,3-4',
      '1-2,5,7-9',
    ]);
  });
});
