// The recent labs list (File > Open Recent): most recent first, each file once, at most
// MAX_RECENT, files gone from the disk dropped when the list is read. Kept in a JSON file in the
// app's userData folder; plain functions, tested in Node.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const MAX_RECENT = 10;

/** `path` first, an older mention of it removed, the list cut to `max`. */
export function withRecent(list: readonly string[], path: string, max = MAX_RECENT): string[] {
  const p = resolve(path);
  return [p, ...list.filter((q) => q !== p)].slice(0, max);
}

export function withoutRecent(list: readonly string[], path: string): string[] {
  const p = resolve(path);
  return list.filter((q) => q !== p);
}

/** The list as saved, without files that no longer exist (never throws). */
export function readRecentLabs(file: string, exists: (path: string) => boolean = existsSync): string[] {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!Array.isArray(raw)) return [];
    const paths = raw.filter((p): p is string => typeof p === 'string' && p.length > 0);
    return [...new Set(paths)].filter((p) => exists(p)).slice(0, MAX_RECENT);
  } catch {
    return [];
  }
}

export function writeRecentLabs(file: string, list: readonly string[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(list, null, 2));
  renameSync(tmp, file);
}
