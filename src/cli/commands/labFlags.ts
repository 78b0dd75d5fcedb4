// Flag parsers and helpers shared by the sweep commands.
import { existsSync, statSync } from 'node:fs';
import { CliError } from './cliError';

export function parseWorkers(raw: string): number {
  const v = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(v) || v < 1 || v > 256) {
    throw new CliError(`--workers must be an integer in [1, 256], got ${JSON.stringify(raw)}`);
  }
  return v;
}

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

export function formatSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
