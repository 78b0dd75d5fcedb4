// Lab files that are not ours, damaged, or on read-only media: refused (untouched) or read,
// with real SQLite files and, where this machine allows it (root, mount), a real read-only
// bind mount.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../testing/labTestSupport';
import { readOnlyMount } from '../testing/mounts';
import { LabFileError, isReadOnlySnapshot, openLabDatabase } from './openDatabase';

/** A lab with one sweep row committed in its -wal (never checkpointed), copied to its own folder. */
function labWithUncheckpointedWal(): string {
  const dir = tempDir();
  const live = join(dir, 'live.sqlite');
  const writer = openLabDatabase(live);
  writer.pragma('wal_autocheckpoint = 0');
  writer
    .prepare(`INSERT INTO sweeps (name, spec_json, spec_hash, total_probes, created_at) VALUES ('archived', '{}', 'h', 0, 'now')`)
    .run();
  const archive = join(dir, 'archive');
  mkdirSync(archive);
  copyFileSync(live, join(archive, 'lab.sqlite'));
  copyFileSync(`${live}-wal`, join(archive, 'lab.sqlite-wal'));
  writer.close();
  expect(statSync(join(archive, 'lab.sqlite-wal')).size).toBeGreaterThan(0);
  return archive;
}

describe('lab files that are not SeqLab labs', () => {
  it("refuses another application's SQLite file with user_version 1 and application_id 0, byte-identical, no side files", () => {
    const dir = tempDir();
    const path = join(dir, 'other.sqlite');
    const other = new Database(path);
    other.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine')");
    other.pragma('user_version = 1');
    other.close();
    const before = readFileSync(path);
    expect(() => openLabDatabase(path)).toThrow(/not a SeqLab lab file/);
    expect(() => openLabDatabase(path, { readonly: true })).toThrow(LabFileError);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['other.sqlite']);
  });

  it('refuses a lab with a page of random bytes in the middle, naming the file and the damage, before writing', () => {
    const path = join(tempDir(), 'lab.sqlite');
    const db = openLabDatabase(path);
    const insert = db.prepare(
      `INSERT INTO sweeps (name, spec_json, spec_hash, total_probes, created_at) VALUES (?, ?, 'h', 0, 'now')`,
    );
    for (let i = 0; i < 400; i++) insert.run(`sweep ${i}`, 'x'.repeat(500));
    db.pragma('journal_mode = DELETE'); // one file, so the damage is where we put it
    db.close();
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16);
    const pages = bytes.length / pageSize;
    expect(pages).toBeGreaterThan(10);
    const middle = Math.floor(pages / 2) * pageSize;
    for (let i = 0; i < pageSize; i++) bytes[middle + i] = (i * 7919 + 13) & 0xff;
    writeFileSync(path, bytes);
    expect(() => openLabDatabase(path, { readonly: true })).toThrow(new RegExp(`${path.replace(/[/.]/g, '\\$&')} is damaged`));
    expect(() => openLabDatabase(path)).toThrow(/is damaged \(SQLite integrity check: /);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });
});

describe('a finished lab on read-only media', () => {
  it('opens for reading from a snapshot (the -wal included), refuses writes with a clear message, leaves no side files', (ctx) => {
    const archive = labWithUncheckpointedWal();
    const mount = readOnlyMount(archive);
    if ('skip' in mount) {
      console.log(`[labFileSafety] skipped: ${mount.skip}`);
      ctx.skip();
      return;
    }
    const path = join(mount.path, 'lab.sqlite');
    expect(() => writeFileSync(join(mount.path, 'probe'), 'x')).toThrow(/EROFS|read-only/i);
    const db = openLabDatabase(path, { readonly: true });
    expect(isReadOnlySnapshot(db)).toBe(true);
    expect(db.prepare('SELECT name FROM sweeps').all()).toEqual([{ name: 'archived' }]);
    db.close();
    expect(() => openLabDatabase(path)).toThrow(
      /is on read-only media .* can be read \(status, export, summary\) but no sweep can run on it/,
    );
    expect(readdirSync(mount.path).sort()).toEqual(['lab.sqlite', 'lab.sqlite-wal']);
  });

  it('reads a lab in place where its folder is writable (no snapshot)', () => {
    const path = join(tempDir(), 'lab.sqlite');
    openLabDatabase(path).close();
    const db = openLabDatabase(path, { readonly: true });
    expect(isReadOnlySnapshot(db)).toBe(false);
    db.close();
    expect(existsSync(path)).toBe(true);
  });
});
