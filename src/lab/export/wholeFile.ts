// Files written whole: the content goes to a temporary file beside the target (same folder, so
// the same file system) and is renamed over it only once complete and flushed to disk. A failed
// or interrupted write leaves the target as it was (absent, or the previous file) and no partial
// file beside it, and says why in words (a full disk is named as such).
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';

/** Why a file could not be written, by the system's error code. */
const WRITE_FAILURES: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for this file system',
  EROFS: 'the folder is on read-only media',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'the folder does not exist',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  EIO: 'input/output error on the disk',
};

export class FileWriteError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'FileWriteError';
  }
}

function describeFailure(path: string, err: unknown): FileWriteError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = (code && WRITE_FAILURES[code]) ?? (err instanceof Error ? err.message : String(err));
  return new FileWriteError(
    `cannot write ${path}: ${why}${code && WRITE_FAILURES[code] ? ` (${code})` : ''}; nothing was written`,
    code,
  );
}

/** The temporary file's name: hidden, unique, and saying what it is if a power cut leaves it. */
export function partialFileName(path: string): string {
  return join(dirname(resolve(path)), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
}

/**
 * Writes `path` whole with `write`, which gets a stream to fill and end, and resolves when it
 * has. Throws FileWriteError (target untouched, no partial file left) if anything fails.
 */
export async function writeFileWhole<T>(path: string, write: (out: Writable) => Promise<T>): Promise<T> {
  const partial = partialFileName(path);
  const out = createWriteStream(partial, { flags: 'wx' });
  try {
    const result = await write(out);
    if (!out.closed) await once(out, 'close');
    await flushToDisk(partial);
    await rename(partial, path);
    return result;
  } catch (err) {
    if (!out.closed) {
      const closed = once(out, 'close').catch(() => undefined);
      out.destroy();
      await closed;
    }
    await rm(partial, { force: true }).catch(() => undefined);
    throw describeFailure(path, err);
  }
}

/** The file's data on the disk, not only in the page cache, before it is renamed into place. */
async function flushToDisk(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
