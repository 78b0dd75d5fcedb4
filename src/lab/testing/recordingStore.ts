// A store on a real lab file whose every SQL statement is recorded as SQLite ran it (parameters
// filled in, better-sqlite3's `verbose`), with the query plan of any of them: for tests of what
// the store asks SQLite to do (an index, not a sort; one statement, not one per row).
import Database from 'better-sqlite3';
import { LabStore } from '../store/labStore';
import { openLabDatabase } from '../store/openDatabase';

export interface RecordingStore {
  store: LabStore;
  db: Database.Database;
  /** Statements run since the last clear(), while recording. */
  readonly statements: string[];
  recording: boolean;
  clear(): void;
  /** EXPLAIN QUERY PLAN of a recorded statement: one detail line per step. */
  plan(sql: string): string[];
  close(): void;
}

/** Opens (creating and migrating it if need be) the lab at `path`, recording from the start. */
export function recordingStore(path: string): RecordingStore {
  openLabDatabase(path).close(); // created, checked and migrated as the app does
  const statements: string[] = [];
  const rec = { recording: true };
  const db = new Database(path, { verbose: (sql) => rec.recording && statements.push(String(sql)) });
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  const store = new LabStore(db);
  return {
    store,
    db,
    statements,
    get recording() {
      return rec.recording;
    },
    set recording(on: boolean) {
      rec.recording = on;
    },
    clear: () => void statements.splice(0),
    plan(sql) {
      const was = rec.recording;
      rec.recording = false; // the plan's own statement is not the store's
      try {
        return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail);
      } finally {
        rec.recording = was;
      }
    },
    close: () => db.close(),
  };
}
