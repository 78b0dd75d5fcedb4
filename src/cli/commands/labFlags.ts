// Flag parsers and helpers shared by the sweep commands.
import { existsSync, statSync } from 'node:fs';
import { openLabReader, type LabReader } from '../../lab/labReader';
import { CliError, integerFlag } from './cliError';

const WORKERS = { min: 1, max: 256 };

export const parseWorkers = integerFlag('--workers', WORKERS.min, WORKERS.max);

export function parseShard(raw: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new CliError(`--shard must be i/n with 1 <= i <= n (e.g. 3/16), got ${JSON.stringify(raw)}`);
  }
  return { index, count };
}

/** An existing lab file (for commands that only read). */
export function existingFile(path: string, flag: string): string {
  if (!existsSync(path)) throw new CliError(`${flag} ${path}: no such file`);
  if (!statSync(path).isFile()) throw new CliError(`${flag} ${path}: not a file`);
  return path;
}

/** The lab file of --db, opened read-only beside whatever runs on it. */
export function openReader(db: string): LabReader {
  existingFile(db, '--db');
  try {
    return openLabReader({ dbPath: db });
  } catch (err) {
    throw new CliError(`--db ${db}: ${(err as Error).message}`);
  }
}

export function formatSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The sweep ids of --sweep NAME|ID ... (every sweep when none), naming the one not found. */
export async function resolveSweepFlag(lab: LabReader, refs: string[], db: string): Promise<number[]> {
  const sweepIds = await lab.resolveSweeps(refs);
  if (sweepIds.ok) return sweepIds.value;
  const issue = sweepIds.error.issues?.[0];
  const ref = issue ? refs[Number(issue.path)] : undefined;
  if (sweepIds.error.code === 'not-found' && ref !== undefined)
    throw new CliError(`--sweep ${ref}: no sweep with that name or id in ${db}`);
  throw new CliError(`--sweep: ${sweepIds.error.message}`);
}
