// One running SeqLab per lab file. A second runner on the same file would take the first one's
// probes, left 'running', for a crash's leftovers and run them again: so whatever runs sweeps
// on a file (the sweep and merge commands, the lab server, the app) holds `<file>.lock` while
// it has the file open. The lock is a file created exclusively, naming the holder; a holder that
// died (kill -9, power loss) leaves it behind, and the next opener on the same machine sees that
// its process is gone and takes the lock over. Readers (status, export) need no lock: WAL lets
// them read while a runner writes.
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { LabFileError } from './openDatabase';

interface LockHolder {
  pid: number;
  host: string;
  since: string;
  command: string;
}

export interface LabLock {
  readonly path: string;
  /** Removes the lock file (if it is still this process's). Idempotent. */
  release(): void;
}

export function lockPathOf(dbPath: string): string {
  return `${dbPath}.lock`;
}

/** Takes the lock of the lab file at dbPath, or throws a LabFileError naming its holder. */
export function acquireLabLock(dbPath: string): LabLock {
  const path = lockPathOf(dbPath);
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    command: process.argv.slice(1).join(' ').slice(0, 200),
  };
  // Two tries: the second after removing a lock whose holder is gone.
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new LabFileError(`cannot create the lock file ${path}: ${(err as Error).message}`);
      }
      const holder = readHolder(path);
      if (holder && !isStale(holder)) throw new LabFileError(describeHolder(dbPath, path, holder));
      // An unreadable lock younger than a few seconds may be one being written right now.
      if (!holder && ageMs(path) < FRESH_MS) break;
      removeIfUnchanged(path, holder);
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me));
    } finally {
      closeSync(fd);
    }
    return holdLock(path, me);
  }
  throw new LabFileError(`${dbPath} is being locked by another process at the same moment; try again`);
}

/** How long an unreadable lock file is taken to be one still being written. */
const FRESH_MS = 5000;

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Infinity;
  }
}

function holdLock(path: string, me: LockHolder): LabLock {
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    const holder = readHolder(path);
    if (holder && holder.pid === me.pid && holder.host === me.host && holder.since === me.since) {
      try {
        unlinkSync(path);
      } catch {
        // Already gone: nothing to release.
      }
    }
  };
  // A normal exit without close() still releases; kill -9 cannot, and the next opener sees
  // the holder is gone.
  process.on('exit', release);
  return { path, release };
}

/** The holder named in the lock file; null when it cannot be read (an empty or torn write). */
function readHolder(path: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || typeof h.host !== 'string') return null;
    return { pid: h.pid, host: h.host, since: String(h.since ?? ''), command: String(h.command ?? '') };
  } catch {
    return null;
  }
}

/**
 * A holder is gone when it ran on this machine and its process no longer exists. A holder on
 * another machine (a lab file on a shared disk) cannot be checked, so it counts as alive.
 */
function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function removeIfUnchanged(path: string, seen: LockHolder | null): void {
  const now = readHolder(path);
  if (JSON.stringify(now) !== JSON.stringify(seen)) return; // taken over meanwhile: let the next try see it
  try {
    unlinkSync(path);
  } catch {
    // Someone else removed it first.
  }
}

function describeHolder(dbPath: string, path: string, h: LockHolder): string {
  const where = h.host === hostname() ? 'on this machine' : `on ${h.host}`;
  const what = h.command ? ` (${h.command})` : '';
  return (
    `${dbPath} is in use by SeqLab process ${h.pid}${what} ${where} since ${h.since}; ` +
    `wait for it to finish or stop it (if no such process is running, delete ${path})`
  );
}
