// Schema migrations: migrations/NNN_name.sql applied in order, all pending ones inside ONE
// transaction, tracked with PRAGMA user_version (= the number of the last applied file).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { findPackageRoot } from './packageRoot';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function migrationsDir(): string {
  return join(findPackageRoot(), 'migrations');
}

export function loadMigrations(dir: string = migrationsDir()): Migration[] {
  const migrations = readdirSync(dir)
    .map((name) => ({ name, m: /^(\d+)_.*\.sql$/.exec(name) }))
    .filter((f): f is { name: string; m: RegExpExecArray } => f.m !== null)
    .map(({ name, m }) => ({ version: Number(m[1]), name, sql: readFileSync(join(dir, name), 'utf8') }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 1, 2, 3...; found ${m.name} at position ${i + 1}`);
  });
  return migrations;
}

/** The newest schema version this build knows. */
export function latestSchemaVersion(migrations: Migration[] = loadMigrations()): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1].version;
}

/** Applies every migration newer than the file's user_version, in one transaction. */
export function migrate(db: Database.Database, migrations: Migration[] = loadMigrations()): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return current;
  const target = pending[pending.length - 1].version;
  // SQLite's documented way to change a table (create the new one, copy, drop the old, rename)
  // needs foreign keys off, or dropping a parent table deletes its children's rows (ON DELETE
  // CASCADE). The pragma does nothing inside a transaction, so it is switched around it, and
  // foreign_key_check stands in for the constraints before the transaction commits.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) === 1;
  if (foreignKeys) db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      for (const m of pending) db.exec(m.sql);
      const orphans = db.pragma('foreign_key_check') as { table: string }[];
      if (orphans.length > 0)
        throw new Error(
          `migrating to schema ${target} would leave ${orphans.length} rows of ${orphans[0].table} without their parent row`,
        );
      db.pragma(`user_version = ${target}`);
    })();
  } finally {
    if (foreignKeys) db.pragma('foreign_keys = ON');
  }
  return target;
}
