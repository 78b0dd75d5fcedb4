// One running SeqLab per lab file. A second runner on the same file would take the first one's
// probes, left 'running', for a crash's leftovers and run them again: so whatever runs sweeps
// on a file (the sweep and merge commands, the lab server, the app) holds its lock while it has
// the file open. Readers (status, export) need no lock: WAL lets them read while a runner writes.
//
// Ownership is a kernel file lock, so it dies with its process whatever killed it and in whatever
// PID namespace it ran: a runner killed in a container and restarted there (with the same pid,
// often 1) takes the lock again. The lock is SQLite's own fcntl lock on `<file>.lock.db` (an
// empty file), held by an open write transaction; fcntl locks also reach other hosts through
// NFS's lock manager. Beside it, `<file>.lock` names the holder for the messages. Both files are
// removed on release (kill -9 leaves them; the next opener takes them over).
//
// A lock file naming another host is refused even when the kernel lock is free: whether the
// kernel lock reaches that host (NFS mounted with `nolock`, a file synced between machines)
// cannot be known from here, so a runner there may be alive. The message says how to clear it.
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { LabFileError, sqliteOptions, type OpenOptions } from './openDatabase';

interface LockHolder {
  pid: number;
  host: string;
  since: string;
  command: string;
}

export interface LabLock {
  readonly path: string;
  /** Removes the lock file (if it is still this process's) and drops the kernel lock. Idempotent. */
  release(): void;
}

/** The file naming the holder. */
export function lockPathOf(dbPath: string): string {
  return `${dbPath}.lock`;
}

/** The file whose kernel lock is the ownership. */
export function kernelLockPathOf(dbPath: string): string {
  return `${dbPath}.lock.db`;
}

/** How long a refused opener waits for a new holder to write its name (it locks, then names itself). */
const NAMING_MS = 1000;

/** Takes the lock of the lab file at dbPath, or throws a LabFileError naming its holder. */
export function acquireLabLock(dbPath: string, opts: Pick<OpenOptions, 'nativeBinding'> = {}): LabLock {
  const path = lockPathOf(dbPath);
  const kernelLock = takeKernelLock(dbPath, opts);
  if (!kernelLock) {
    const holder = readHolderWithin(path, NAMING_MS);
    if (holder) throw new LabFileError(describeHolder(dbPath, path, holder, true));
    throw new LabFileError(
      `${dbPath} is in use by another SeqLab process, or one is starting or stopping on it (${path} names none); try again`,
    );
  }
  try {
    // Holding the kernel lock, a holder named on this host is gone; one named elsewhere may not be.
    const holder = readHolder(path);
    if (holder && holder.host !== hostname()) throw new LabFileError(describeHolder(dbPath, path, holder, false));
    const me: LockHolder = {
      pid: process.pid,
      host: hostname(),
      since: new Date().toISOString(),
      command: process.argv.slice(1).join(' ').slice(0, 200),
    };
    writeHolder(path, me);
    return holdLock(dbPath, path, me, kernelLock);
  } catch (err) {
    removeIfThere(kernelLockPathOf(dbPath)); // while still locked (see holdLock)
    kernelLock.close();
    throw err;
  }
}

/**
 * The kernel lock, or null when another connection (in any process on any host that shares
 * fcntl locks on the file, this one included) holds it. A write transaction left open keeps
 * SQLite's RESERVED lock; the in-memory journal keeps the file empty and creates no side file.
 */
function takeKernelLock(dbPath: string, opts: Pick<OpenOptions, 'nativeBinding'>): Database.Database | null {
  const path = kernelLockPathOf(dbPath);
  // A holder removes the file on release: the file opened may have been removed (and another
  // created) before it was locked. Locking that one would lock nothing anyone else sees; retry.
  for (let attempt = 0; attempt < 3; attempt++) {
    const db = lockFile(path, opts);
    if (!db) return null;
    if (pathNamesLockedFile(path, opts)) return db;
    db.close();
  }
  throw new LabFileError(`${dbPath} is being locked by other processes at the same moment; try again`);
}

/** A connection holding the file's lock, or null when it is held elsewhere. */
function lockFile(path: string, opts: Pick<OpenOptions, 'nativeBinding'>): Database.Database | null {
  let db: Database.Database;
  try {
    db = new Database(path, { ...sqliteOptions(opts), timeout: 0 });
  } catch (err) {
    throw new LabFileError(`cannot create the lock file ${path}: ${(err as Error).message}`);
  }
  try {
    db.pragma('journal_mode = MEMORY');
    db.exec('BEGIN IMMEDIATE');
    return db;
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return null;
    throw new LabFileError(`cannot lock ${path}: ${(err as Error).message}`);
  }
}

/**
 * Whether the file now at path is the one this process has just locked: a second connection
 * to it is refused then (SQLite tracks a process's locks by the file's identity, not its name).
 */
function pathNamesLockedFile(path: string, opts: Pick<OpenOptions, 'nativeBinding'>): boolean {
  const probe = lockFile(path, opts);
  probe?.close();
  return probe === null;
}

function holdLock(dbPath: string, path: string, me: LockHolder, kernelLock: Database.Database): LabLock {
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    // The name goes first: whoever takes the kernel lock next must not find this one's name.
    // The lock file goes while still locked, so no one can lock it once it is unreachable
    // without noticing (see pathNamesLockedFile).
    const holder = readHolder(path);
    if (holder && holder.pid === me.pid && holder.host === me.host && holder.since === me.since) removeIfThere(path);
    removeIfThere(kernelLockPathOf(dbPath));
    kernelLock.close();
  };
  // A normal exit without close() still removes the name; kill -9 cannot, but the kernel drops
  // the lock, and the next opener on this host replaces the name.
  process.on('exit', release);
  return { path, release };
}

function removeIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone: nothing to release.
  }
}

/** Written whole (a temporary file renamed over it), so a reader never sees half a name. */
function writeHolder(path: string, me: LockHolder): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(me));
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {}
    throw new LabFileError(`cannot write the lock file ${path}: ${(err as Error).message}`);
  }
}

/** The holder named in the lock file; null when there is none or it cannot be read. */
function readHolder(path: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || typeof h.host !== 'string') return null;
    return { pid: h.pid, host: h.host, since: String(h.since ?? ''), command: String(h.command ?? '') };
  } catch {
    return null;
  }
}

function readHolderWithin(path: string, ms: number): LockHolder | null {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const until = Date.now() + ms;
  for (;;) {
    const holder = readHolder(path);
    if (holder || Date.now() >= until) return holder;
    Atomics.wait(sleeper, 0, 0, 20);
  }
}

/** locked: the kernel lock is held, so the holder is certainly alive (deleting the name would not help). */
function describeHolder(dbPath: string, path: string, h: LockHolder, locked: boolean): string {
  const where = h.host === hostname() ? 'on this machine' : `on ${h.host}`;
  const what = h.command ? ` (${h.command})` : '';
  const unsure = locked ? '' : ` (if no such process is running on ${h.host}, delete ${path})`;
  return `${dbPath} is in use by SeqLab process ${h.pid}${what} ${where} since ${h.since}; wait for it to finish or stop it${unsure}`;
}
