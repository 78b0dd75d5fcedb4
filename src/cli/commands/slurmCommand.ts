// `seqlab slurm submit|status|cancel`: a sweep as a Slurm job array of shards and a merge job
// (src/cluster does the work; this file reads flags and prints).
//   submit spec.json --db lab.sqlite --shards N [--cpus-per-task C] [--partition P] [--time T]
//          [--mem M] [--sbatch-arg ARG]... [--wait]
//   status --db lab.sqlite [--json]
//   cancel --db lab.sqlite
import type { Command } from 'commander';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { checkClusterSpec, type CheckedSpec } from '../../cluster/clusterSpec';
import { slurmLayout, type SlurmLayout } from '../../cluster/slurmLayout';
import { readRecord, type SlurmRecord } from '../../cluster/slurmRecord';
import { arrayRange } from '../../cluster/slurmScripts';
import { viewSubmission, type SubmissionView } from '../../cluster/slurmState';
import { commandsFor, submitSweep } from '../../cluster/slurmSubmit';
import { scancel } from '../../cluster/slurmTools';
import { watchSubmission } from '../../cluster/slurmWatch';
import { CliError } from './cliError';
import { formatSeconds } from './labFlags';
import { collect, intFlag, scriptValue } from './slurmFlags';
import { readSpec, specError } from './sweepCommand';

interface SubmitFlags {
  db: string;
  shards: number;
  cpusPerTask: number;
  partition?: string;
  time?: string;
  mem?: string;
  sbatchArg?: string[];
  wait?: boolean;
}

const SHARDS = { min: 1, max: 100_000 };
const CPUS = { min: 1, max: 256 };

export function registerSlurmCommand(program: Command): void {
  const slurm = program.command('slurm').description('run a sweep on a Slurm cluster: a job array of shards, then a merge');
  slurm
    .command('submit')
    .description('submit the sweep as N shard jobs and a merge job into the lab (again: only unfinished shards)')
    .argument('<spec>', 'sweep spec JSON file')
    .requiredOption('--db <file>', 'lab file the merge writes (job files go to <file>.slurm/)')
    .requiredOption(
      '--shards <n>',
      `number of shard jobs, in [${SHARDS.min}, ${SHARDS.max}]`,
      intFlag('--shards', SHARDS.min, SHARDS.max),
    )
    .option('--cpus-per-task <n>', 'CPUs per shard job (its workers)', intFlag('--cpus-per-task', CPUS.min, CPUS.max), 1)
    .option('--partition <name>', 'Slurm partition', scriptValue('--partition'))
    .option('--time <limit>', 'time limit per job (Slurm format, e.g. 2:00:00)', scriptValue('--time'))
    .option('--mem <size>', 'memory per job (Slurm format, e.g. 4G)', scriptValue('--mem'))
    .option(
      '--sbatch-arg <arg>',
      'another sbatch option for both jobs, e.g. --sbatch-arg=--account=lab (repeatable)',
      collect(scriptValue('--sbatch-arg')),
    )
    .option('--wait', 'show progress until the merge has run; exit non-zero naming failed shards')
    .action(submit);
  slurm
    .command('status')
    .description("each shard's state and probes done, the merge job, and the lab")
    .requiredOption('--db <file>', 'lab file given to submit')
    .option('--json', 'print the state as JSON')
    .action(status);
  slurm
    .command('cancel')
    .description('cancel the pending and running jobs of the submission')
    .requiredOption('--db <file>', 'lab file given to submit')
    .action(cancel);
}

/** The spec a submission's folder holds, checked. */
function savedSpec(layout: SlurmLayout): CheckedSpec {
  const checked = checkClusterSpec(readSpec(layout.spec));
  if (!checked.ok) throw specError(layout.spec, checked.error);
  return checked.value;
}

function submission(db: string): { layout: SlurmLayout; record: SlurmRecord; checked: CheckedSpec } {
  const layout = slurmLayout(db);
  let record: SlurmRecord | null;
  try {
    record = readRecord(layout.record);
  } catch (err) {
    throw new CliError(`--db ${db}: ${(err as Error).message}`);
  }
  if (!record || record.submissions.length === 0)
    throw new CliError(`--db ${db}: nothing was submitted to Slurm for it (no ${layout.record})`);
  return { layout, record, checked: savedSpec(layout) };
}

async function submit(specPath: string, flags: SubmitFlags): Promise<void> {
  const checked = checkClusterSpec(readSpec(specPath));
  if (!checked.ok) throw specError(specPath, checked.error);
  if (!existsSync(dirname(resolve(flags.db)))) throw new CliError(`--db ${flags.db}: the folder does not exist`);
  const outcome = await submitSweep({
    db: flags.db,
    checked: checked.value,
    shards: flags.shards,
    // This very installation, by absolute paths: compute nodes need no PATH set-up.
    install: { node: process.execPath, cli: realpathSync(process.argv[1]) },
    job: {
      cpusPerTask: flags.cpusPerTask,
      partition: flags.partition,
      time: flags.time,
      mem: flags.mem,
      sbatchArgs: flags.sbatchArg ?? [],
    },
  }).catch((err: Error) => {
    throw new CliError(err.message, 1);
  });
  if (outcome.kind === 'merged') {
    const p = outcome.merged.probes;
    process.stdout.write(
      `nothing to submit: ${flags.db} already holds sweep "${outcome.merged.name}" merged (${p.done}/${p.total} probes done)\n`,
    );
    return;
  }
  const { layout, record, submission: s } = outcome;
  const shards =
    s.shards.length === record.shards
      ? `shards 1-${record.shards}`
      : `shard${s.shards.length > 1 ? 's' : ''} ${arrayRange(s.shards)} of ${record.shards}`;
  const lines = [
    s.arrayJob
      ? `submitted ${shards} as job array ${s.arrayJob}, and the merge as job ${s.mergeJob} (runs once every shard has succeeded)`
      : `every shard is done: submitted the merge as job ${s.mergeJob}`,
    `folder: ${layout.folder} (job scripts, part files, logs/)`,
  ];
  const c = commandsFor(flags.db);
  if (!flags.wait) lines.push(`watch: ${c.status}    cancel: ${c.cancel}`);
  process.stdout.write(lines.join('\n') + '\n');
  if (flags.wait) await wait(flags.db, layout, record, checked.value);
}

async function wait(db: string, layout: SlurmLayout, record: SlurmRecord, checked: CheckedSpec): Promise<void> {
  const stop = new AbortController();
  const onSigint = (): void => stop.abort();
  process.on('SIGINT', onSigint);
  const progress = progressLine();
  let final: SubmissionView | null;
  try {
    final = await watchSubmission(layout, record, checked, progress.update, stop.signal);
  } catch (err) {
    throw new CliError((err as Error).message, 1);
  } finally {
    process.off('SIGINT', onSigint);
    progress.end();
  }
  const c = commandsFor(db);
  if (!final)
    throw new CliError(
      `stopped waiting; the jobs go on in Slurm. Watch them with \`${c.status}\`, cancel them with \`${c.cancel}\``,
      130,
    );
  if (final.complete) {
    const p = final.merged!.probes;
    process.stderr.write(`${db} holds sweep "${final.merged!.name}", merged: ${p.done}/${p.total} probes done\n`);
    return;
  }
  const again = final.shards.some((s) => s.failed) ? 'only the unfinished shards rerun' : 'the finished shards are merged';
  throw new CliError(`${failureReport(final)}; fix the cause and submit again: ${again}`, 1);
}

/** The failed shards with their logs, and what became of the merge. */
function failureReport(view: SubmissionView): string {
  const failed = view.shards.filter((s) => s.failed);
  const parts = failed.map((s) => `shard ${s.shard} failed (${[s.state, s.reason].filter(Boolean).join(', ')}): see ${s.log}`);
  const m = view.merge;
  if (m && failed.length === 0)
    parts.push(
      `the merge job ${m.job} did not merge the sweep (${[m.state, m.reason].filter(Boolean).join(', ')}): see ${m.log}`,
    );
  else if (m) parts.push(`the merge job ${m.job} did not run (${[m.state, m.reason].filter(Boolean).join(', ')})`);
  return parts.join('; ');
}

const stateCounts = (view: SubmissionView): string => {
  const counts = new Map<string, number>();
  for (const s of view.shards) counts.set(s.state.toLowerCase(), (counts.get(s.state.toLowerCase()) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
};

/** A line redrawn in place on a terminal; on a pipe, a line whenever it changes. */
function progressLine() {
  const tty = process.stderr.isTTY === true;
  const t0 = Date.now();
  let last = '';
  return {
    update(view: SubmissionView): void {
      const { done, total } = view.probes;
      const width = 30;
      const filled = total > 0 ? Math.round((done / total) * width) : 0;
      const text =
        `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} probes  shards: ${stateCounts(view)}` +
        (view.merge ? `  merge: ${view.merge.state.toLowerCase()}` : '');
      if (text === last) return;
      last = text;
      const elapsed = formatSeconds((Date.now() - t0) / 1000);
      process.stderr.write(tty ? `\r\x1b[2K${text}  ${elapsed}` : `${text}  ${elapsed}\n`);
    },
    end(): void {
      if (tty && last) process.stderr.write('\n');
    },
  };
}

async function status(flags: { db: string; json?: boolean }): Promise<void> {
  const { layout, record, checked } = submission(flags.db);
  const view = await viewSubmission(layout, record, checked).catch((err: Error) => {
    throw new CliError(err.message, 1);
  });
  if (flags.json) {
    process.stdout.write(JSON.stringify({ folder: layout.folder, lab: layout.lab, sweep: record.sweep, ...view }) + '\n');
    return;
  }
  const rel = (p: string): string => relative(process.cwd(), p) || p;
  const rows = view.shards.map((s) => [
    String(s.shard),
    s.job ?? '-',
    s.state + (s.reason ? ` (${s.reason})` : ''),
    `${s.probes.done}/${s.probes.total ?? '?'}` + (s.probes.failed ? ` (${s.probes.failed} failed)` : ''),
    rel(s.log),
  ]);
  if (view.merge)
    rows.push([
      'merge',
      view.merge.job,
      view.merge.state + (view.merge.reason ? ` (${view.merge.reason})` : ''),
      '-',
      rel(view.merge.log),
    ]);
  const head = ['shard', 'job', 'state', 'probes', 'log'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]): string =>
    r
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const lab = view.complete
    ? `${flags.db}: holds the merged sweep (${view.merged!.probes.done}/${view.merged!.probes.total} probes done)`
    : `${flags.db}: not merged yet`;
  const lines = [
    `sweep "${record.sweep}" in ${record.shards} shards: ${view.probes.done}/${view.probes.total} probes done`,
    fmt(head),
    ...rows.map(fmt),
    lab,
  ];
  if (view.accounting === false) lines.push('(Slurm accounting is off: jobs that left the queue are judged by their part files)');
  process.stdout.write(lines.join('\n') + '\n');
}

async function cancel(flags: { db: string }): Promise<void> {
  const { layout, record, checked } = submission(flags.db);
  try {
    const view = await viewSubmission(layout, record, checked);
    // Cancelling an array job cancels all of its tasks.
    const arrays = [...new Set(view.shards.filter((s) => s.live && s.job).map((s) => s.job!.split('_')[0]))];
    const jobs = [...arrays, ...(view.merge?.live ? [view.merge.job] : [])];
    if (jobs.length === 0) {
      process.stdout.write(`nothing to cancel: no job of ${layout.folder} is pending or running\n`);
      return;
    }
    await scancel(jobs);
    const live = view.shards.filter((s) => s.live).map((s) => s.shard);
    process.stdout.write(
      `cancelled ${[
        ...(arrays.length ? [`job array ${arrays.join(', ')} (shard${live.length > 1 ? 's' : ''} ${arrayRange(live)})`] : []),
        ...(view.merge?.live ? [`merge job ${view.merge.job}`] : []),
      ].join(' and ')}; submit again to resume\n`,
    );
  } catch (err) {
    throw new CliError((err as Error).message, 1);
  }
}
