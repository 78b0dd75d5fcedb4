import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../testing/labTestSupport';
import { latestSchemaVersion, loadMigrations, migrationsDir } from './migrate';
import { LabFileError, openLabDatabase } from './openDatabase';

describe('opening a lab file', () => {
  it('creates a new file at the latest schema, in WAL mode with foreign keys on', () => {
    const path = join(tempDir(), 'lab.sqlite');
    const db = openLabDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(latestSchemaVersion());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = (
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]
    ).map((t) => t.name);
    expect(tables).toEqual([
      'connectivity_tables',
      'probe_results',
      'probes',
      'sweep_counts',
      'sweep_model_files',
      'sweep_queueing',
      'sweeps',
    ]);
    db.close();
    // Reopening is a no-op migration.
    const again = openLabDatabase(path);
    expect(again.pragma('user_version', { simple: true })).toBe(latestSchemaVersion());
    again.close();
  });

  it('finds the numbered migrations from the source tree', () => {
    const ms = loadMigrations(migrationsDir());
    expect(ms[0]).toMatchObject({ version: 1, name: '001_initial.sql' });
  });

  it('refuses a file that is not SQLite and leaves it byte-for-byte untouched', () => {
    const path = join(tempDir(), 'notes.sqlite');
    const bytes = Buffer.from('these are my notes, not a database\n'.repeat(20));
    writeFileSync(path, bytes);
    expect(() => openLabDatabase(path)).toThrow(LabFileError);
    expect(() => openLabDatabase(path)).toThrow(/not a SQLite database/);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('refuses a file with a newer schema and leaves it byte-for-byte untouched', () => {
    const path = join(tempDir(), 'future.sqlite');
    const db = openLabDatabase(path);
    db.pragma(`user_version = ${latestSchemaVersion() + 5}`);
    db.pragma('journal_mode = DELETE'); // a single file, so "untouched" means exactly its bytes
    db.close();
    const before = readFileSync(path);
    const known = latestSchemaVersion();
    expect(() => openLabDatabase(path)).toThrow(
      new RegExp(`schema version ${known + 5}, newer than the ${known} this SeqLab knows`),
    );
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a SQLite database of something else', () => {
    const path = join(tempDir(), 'other.sqlite');
    const db = new Database(path);
    db.exec('CREATE TABLE t (x)');
    db.close();
    const before = readFileSync(path);
    expect(() => openLabDatabase(path)).toThrow(/not a SeqLab lab file/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});
