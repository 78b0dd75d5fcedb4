// Opens (or creates) a lab file. Everything that could refuse the file is checked read-only
// first, so a file we refuse is left byte-for-byte untouched: no WAL switch, no migration.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
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

/** Refuses files that are not SQLite, not SeqLab's, or from a newer SeqLab, without writing. */
function preflight(path: string, opts: OpenOptions, known: number): void {
  if (!existsSync(path)) return;
  if (statSync(path).size === 0 && !existsSync(`${path}-wal`)) return;
  const header = readHeader(path);
  if (header.length < 100 || header.toString('latin1', 0, 16) !== SQLITE_MAGIC) {
    throw new LabFileError(`${path} is not a SQLite database (not a SeqLab lab file); refusing to open it`);
  }
  let userVersion = header.readUInt32BE(60);
  let applicationId = header.readUInt32BE(68);
  let tables = 1;
  // The header may lag behind a WAL that was never checkpointed: ask SQLite, read-only.
  const ro = new Database(path, { ...sqliteOptions(opts), readonly: true, fileMustExist: true });
  try {
    userVersion = ro.pragma('user_version', { simple: true }) as number;
    applicationId = ro.pragma('application_id', { simple: true }) as number;
    tables = (ro.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number }).n;
  } catch (err) {
    throw new LabFileError(`${path} is not a readable SQLite database: ${(err as Error).message}`);
  } finally {
    ro.close();
  }
  if (applicationId !== 0 && applicationId !== SEQLAB_APPLICATION_ID) {
    throw new LabFileError(`${path} is a SQLite database of another application (application_id ${applicationId}); refusing to open it`);
  }
  if (userVersion === 0 && tables > 0) {
    throw new LabFileError(`${path} is a SQLite database but not a SeqLab lab file; refusing to open it`);
  }
  if (userVersion > known) {
    throw new LabFileError(
      `${path} has schema version ${userVersion}, newer than the ${known} this SeqLab knows; open it with a newer SeqLab`,
    );
  }
}

/** Opens a lab file read-write: WAL, foreign keys on, migrated to the latest schema. */
export function openLabDatabase(path: string, opts: OpenOptions = {}): Database.Database {
  const migrations = loadMigrations();
  preflight(path, opts, latestSchemaVersion(migrations));
  if (opts.readonly) {
    const db = new Database(path, { ...sqliteOptions(opts), readonly: true, fileMustExist: true });
    db.pragma('foreign_keys = ON');
    return db;
  }
  const db = new Database(path, sqliteOptions(opts));
  try {
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
