// `seqlab sweep spec.json --db lab.sqlite [--workers 2] [--shard i/n]`: queue (or resume) a sweep
// and run it to completion with a progress line on stderr. Ctrl-C requeues the running probes
// and exits 130; rerunning the same command resumes.
import { withSpecRelativePaths } from './specPaths';
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { NormName, ProgressEvent, SweepSummary } from '../../contract/labApi';
import type { SweepSpecInput } from '../../contract/sweepSpec';
import type { LabError } from '../../contract/result';
import { parseJsonDocument } from '../../contract/jsonDocument';
import { openLabService, type LabService } from '../../lab/labService';
import { checkSweep } from '../../lab/sweepCheck';
import { CliError } from './cliError';
import { formatSeconds, parseShard, parseWorkers } from './labFlags';
import { NORMS_FLAG_HELP, parseNormsFlag } from './normsFlag';

interface SweepFlags {
  db: string;
  workers?: number;
  shard?: { index: number; count: number };
  retryFailed?: boolean;
  norms?: NormName[];
}

export function registerSweepCommand(program: Command): void {
  program
    .command('sweep')
    .description('queue a sweep (or resume the unfinished one of the same spec) and run it to completion')
    .argument('<spec>', 'sweep spec JSON file')
    .requiredOption('--db <file>', 'lab file (SQLite), created if missing')
    .option('--workers <n>', 'worker processes (default: every core)', parseWorkers)
    .option('--shard <i/n>', 'run only the i-th of n deterministic shards of the probe list', parseShard)
    .option('--retry-failed', 'when resuming, run the probes that failed before again')
    .option('--norms <names>', `${NORMS_FLAG_HELP}; replaces the spec's "norms"`, parseNormsFlag)
    .action(async (specPath: string, flags: SweepFlags) => {
      const spec = withSpecRelativePaths(withNorms(readSpec(specPath), flags.norms), specPath);
      // Reject a bad spec before the lab file is even created.
      const check = checkSweep(spec, { dbPath: resolve(flags.db) });
      if (!check.ok) throw specError(specPath, check.error);
      if (!existsSync(dirname(resolve(flags.db)))) throw new CliError(`--db ${flags.db}: the folder does not exist`);
      const lab = await openLab(flags);
      let interrupted = false;
      const onSigint = (): void => {
        if (interrupted) return;
        interrupted = true;
        process.stderr.write('\n');
        void lab.close().then(() => {
          console.error('seqlab: interrupted; running probes were requeued. Run the same command again to resume.');
          process.exit(130);
        });
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      try {
        const queued = await lab.queueOrResumeSweep(spec as SweepSpecInput, {
          shard: flags.shard,
          resume: true,
          onQueueing: queueingProgress(),
        });
        if (interrupted) return; // Ctrl-C while a big sweep was being queued: the handler exits 130
        if (!queued.ok) throw specError(specPath, queued.error);
        const sweep = queued.value;
        const bar = progressBar(sweep.id);
        if (queued.value.resumed)
          bar.note(`resuming sweep ${sweep.id} "${sweep.name}" (${sweep.probes.done}/${sweep.probes.total} done)`);
        if (queued.value.resumed && flags.retryFailed && sweep.probes.failed > 0) {
          const retried = await lab.retryFailed(sweep.id);
          if (!retried.ok) throw new CliError(retried.error.message, 1);
          bar.note(`retrying ${sweep.probes.failed} failed probe(s)`);
        }
        const unsubscribe = lab.onProgress(bar.update);
        bar.update({ sweep });
        const final = await lab.waitForSweep(sweep.id);
        unsubscribe();
        if (interrupted) return; // the SIGINT handler is closing the lab and exits 130
        if (!final.ok) throw new CliError(final.error.message, 1);
        bar.finish(final.value);
        await lab.close();
        if (final.value.status === 'failed') {
          throw new CliError(
            `sweep ${sweep.id}: ${final.value.probes.failed} probe(s) failed; see \`seqlab status --db ${flags.db}\``,
            1,
          );
        }
      } finally {
        if (!interrupted) {
          process.off('SIGINT', onSigint);
          process.off('SIGTERM', onSigint);
          await lab.close();
        }
      }
    });
}

/** The spec with --norms in place of its own "norms" (a spec that is not an object is left for the check to refuse). */
function withNorms(spec: unknown, norms: NormName[] | undefined): unknown {
  if (!norms || typeof spec !== 'object' || spec === null || Array.isArray(spec)) return spec;
  return { ...spec, norms };
}

/** The spec file and every issue with it, on one line (also the cluster commands'). */
export function specError(specPath: string, error: LabError): CliError {
  const issues = error.issues?.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new CliError(`${specPath}: ${issues ?? error.message}`);
}

/** The spec document of a spec file (also the cluster commands'). */
export function readSpec(path: string): unknown {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let spec: unknown;
  try {
    // Read as the lab server reads a request body: UTF-8, a leading BOM dropped.
    spec = parseJsonDocument(bytes);
  } catch (err) {
    throw new CliError(`${path} ${(err as Error).message}`);
  }
  if (spec === undefined) throw new CliError(`${path} is empty; a sweep spec is a JSON object`);
  return spec;
}

async function openLab(flags: SweepFlags): Promise<LabService> {
  try {
    return await openLabService({ dbPath: flags.db, workers: flags.workers, resumeUnfinished: false, startWorkers: true });
  } catch (err) {
    throw new CliError(`--db ${flags.db}: ${(err as Error).message}`);
  }
}

/** "queueing n of N probes" while a big sweep goes in, a chunk at a time: redrawn on a terminal, said once on a pipe. */
function queueingProgress(): (queued: number, total: number) => void {
  const tty = process.stderr.isTTY === true;
  let said = false;
  return (queued, total) => {
    if (queued >= total) {
      if (tty && said) process.stderr.write('\r\x1b[2K');
      return;
    }
    if (tty) process.stderr.write(`\r\x1b[2Kqueueing ${queued} of ${total} probes`);
    else if (!said) process.stderr.write(`queueing ${total} probes\n`);
    said = true;
  };
}

/** A progress line redrawn in place on a terminal; on a pipe, a line per 10% and at the end. */
function progressBar(sweepId: number) {
  const tty = process.stderr.isTTY === true;
  let lastDecile = -1;
  const line = (s: SweepSummary): string => {
    const p = s.probes;
    const finished = p.done + p.failed + p.cancelled;
    const width = 30;
    const filled = p.total > 0 ? Math.round((finished / p.total) * width) : 0;
    const rate = s.throughput === null ? '' : `  ${s.throughput.toFixed(2)} probes/s  ETA ${formatSeconds(s.etaSeconds)}`;
    return (
      `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${finished}/${p.total} probes` +
      (p.failed ? `  ${p.failed} failed` : '') +
      `  ${formatSeconds(s.elapsedSeconds)}${rate}`
    );
  };
  return {
    update(e: ProgressEvent): void {
      if (e.sweep.id !== sweepId) return;
      if (tty) {
        process.stderr.write(`\r\x1b[2K${line(e.sweep)}`);
        return;
      }
      const p = e.sweep.probes;
      const decile = p.total > 0 ? Math.floor(((p.done + p.failed + p.cancelled) / p.total) * 10) : 10;
      if (decile !== lastDecile) {
        lastDecile = decile;
        process.stderr.write(`${line(e.sweep)}\n`);
      }
    },
    note(msg: string): void {
      process.stderr.write(`${tty ? '\r\x1b[2K' : ''}${msg}\n`);
    },
    finish(s: SweepSummary): void {
      if (tty) process.stderr.write(`\r\x1b[2K${line(s)}\n`);
      process.stderr.write(
        `sweep ${s.id} "${s.name}": ${s.status}, ${s.probes.done}/${s.probes.total} probes done in ${formatSeconds(s.elapsedSeconds)}\n`,
      );
    },
  };
}
