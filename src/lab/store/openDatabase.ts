// Opens (or creates) a lab file. Everything that could refuse the file is checked read-only
// first, so a file we refuse is left byte-for-byte untouched: no WAL switch, no migration, no
// side files. A lab on read-only media (an archive, a snapshot, a shared drive) opens for
// reading from a snapshot copy; its integrity is checked before anything trusts it.
import {
  accessSync,
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { latestSchemaVersion, loadMigrations, migrate } from './migrate';

export const SEQLAB_APPLICATION_ID = 1399156044;
const SQLITE_MAGIC = 'SQLite format 3\0';

export class LabFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabFileError';
  }
}

export interface OpenOptions {
  /** better-sqlite3's nativeBinding: Electron passes its own build (SEQLAB_SQLITE_BINDING). */
  nativeBinding?: string;
  readonly?: boolean;
}

export function sqliteOptions(opts: OpenOptions): Database.Options {
  const nativeBinding = opts.nativeBinding ?? process.env.SEQLAB_SQLITE_BINDING;
  return nativeBinding ? { nativeBinding } : {};
}

function readHeader(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(100);
    const n = readSync(fd, buf, 0, 100, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** A folder SQLite cannot write in: it cannot create the -shm a WAL reader needs there. */
function isWritableFolder(path: string): boolean {
  try {
    accessSync(dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether the file sits where SQLite cannot write beside it (read-only media or folder). */
export function isOnReadOnlyMedia(path: string): boolean {
  return existsSync(path) && !isWritableFolder(path);
}

/** Throws the LabFileError that says so when the file is on read-only media (before anything writes beside it). */
export function refuseReadOnlyMedia(path: string): void {
  if (!isOnReadOnlyMedia(path)) return;
  throw new LabFileError(
    `${path} is on read-only media (its folder is not writable): it can be read (status, export, summary) but no sweep can run on it; copy it somewhere writable to run sweeps`,
  );
}

/** Databases opened from a snapshot copy, with the folder to remove when they close. */
const snapshots = new WeakMap<Database.Database, string>();

/** Whether this handle reads a snapshot copy of a lab on read-only media (so it is read-only). */
export function isReadOnlySnapshot(db: Database.Database): boolean {
  return snapshots.has(db);
}

/**
 * Opens the file read-only. Where the folder is not writable, SQLite cannot make the -shm a WAL
 * reader needs, so the file (and its -wal, which may hold committed probes) is copied to a
 * temporary folder and that copy is opened; the copy is removed when the handle closes.
 */
function openReadOnly(path: string, opts: OpenOptions): Database.Database {
  if (isWritableFolder(path)) return new Database(path, { ...sqliteOptions(opts), readonly: true, fileMustExist: true });
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-readonly-'));
  const copy = join(dir, basename(path));
  try {
    copyFileSync(path, copy);
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
    const db = new Database(copy, { ...sqliteOptions(opts), readonly: true, fileMustExist: true });
    snapshots.set(db, dir);
    const close = db.close.bind(db);
    // better-sqlite3 has no close hook; the snapshot must not outlive its handle.
    db.close = () => {
      close();
      rmSync(dir, { recursive: true, force: true });
      return db;
    };
    return db;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

interface FileFacts {
  userVersion: number;
  applicationId: number;
  tables: string[];
}

function readFacts(path: string, opts: OpenOptions): FileFacts {
  // The header may lag behind a WAL that was never checkpointed: ask SQLite, read-only.
  let ro: Database.Database | null = null;
  try {
    ro = openReadOnly(path, opts);
    return {
      userVersion: ro.pragma('user_version', { simple: true }) as number,
      applicationId: ro.pragma('application_id', { simple: true }) as number,
      tables: (ro.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((t) => t.name),
    };
  } catch (err) {
    throw new LabFileError(`${path} is not a readable SQLite database: ${(err as Error).message}`);
  } finally {
    ro?.close();
  }
}

/** The tables every SeqLab schema has (migration 001 creates them). */
const LAB_TABLES = ['sweeps', 'probes', 'probe_results'];

/**
 * Refuses files that are not SQLite, not SeqLab's, or from a newer SeqLab, without writing.
 * Every lab with tables carries SeqLab's application_id (migration 001 sets it), so a file with
 * tables and another id (0 included) is someone else's, whatever its user_version says.
 */
function preflight(path: string, opts: OpenOptions, known: number): void {
  if (!existsSync(path)) return;
  if (statSync(path).size === 0 && !existsSync(`${path}-wal`)) return;
  const header = readHeader(path);
  if (header.length < 100 || header.toString('latin1', 0, 16) !== SQLITE_MAGIC) {
    throw new LabFileError(`${path} is not a SQLite database (not a SeqLab lab file); refusing to open it`);
  }
  const { userVersion, applicationId, tables } = readFacts(path, opts);
  if (applicationId !== 0 && applicationId !== SEQLAB_APPLICATION_ID) {
    throw new LabFileError(
      `${path} is a SQLite database of another application (application_id ${applicationId}); refusing to open it`,
    );
  }
  const missing = LAB_TABLES.filter((t) => !tables.includes(t));
  if (tables.length > 0 && (applicationId !== SEQLAB_APPLICATION_ID || userVersion === 0 || missing.length > 0)) {
    throw new LabFileError(`${path} is a SQLite database but not a SeqLab lab file; refusing to open it`);
  }
  if (userVersion > known) {
    throw new LabFileError(
      `${path} has schema version ${userVersion}, newer than the ${known} this SeqLab knows; open it with a newer SeqLab`,
    );
  }
}

/**
 * Refuses a damaged lab before anything trusts it. quick_check reads every page (about 1 GB/s
 * here); past QUICK_CHECK_MAX_BYTES only the schema and the first pages are read, so opening a
 * very large lab stays fast, and the export still notices damage it meets.
 */
const QUICK_CHECK_MAX_BYTES = 1 << 30;
function checkIntegrity(db: Database.Database, path: string): void {
  let problems: string[];
  try {
    const size = statSync(path).size;
    const rows =
      size <= QUICK_CHECK_MAX_BYTES ? (db.pragma('quick_check(5)') as { quick_check: string }[]) : [{ quick_check: 'ok' }];
    if (size > QUICK_CHECK_MAX_BYTES) db.prepare('SELECT count(*) FROM sweeps').get();
    problems = rows.map((r) => r.quick_check).filter((m) => m !== 'ok');
  } catch (err) {
    problems = [(err as Error).message];
  }
  if (problems.length > 0) {
    throw new LabFileError(
      `${path} is damaged (SQLite integrity check: ${problems.join('; ')}); refusing to use it — restore it from a copy`,
    );
  }
}

/**
 * Opens a lab file read-write (WAL, foreign keys on, migrated to the latest schema), or with
 * `readonly` for reading only (from a snapshot copy when it sits on read-only media).
 */
export function openLabDatabase(path: string, opts: OpenOptions = {}): Database.Database {
  const migrations = loadMigrations();
  preflight(path, opts, latestSchemaVersion(migrations));
  if (opts.readonly) {
    const db = openReadOnly(path, opts);
    try {
      checkIntegrity(db, path);
    } catch (err) {
      db.close();
      throw err;
    }
    db.pragma('foreign_keys = ON');
    return db;
  }
  refuseReadOnlyMedia(path);
  const existed = existsSync(path) && statSync(path).size > 0;
  const db = new Database(path, sqliteOptions(opts));
  try {
    if (existed) checkIntegrity(db, path); // before anything writes to it
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a committed transaction survives a crash of the process (not a power cut).
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
