// The weights and inputs files a sweep was queued with (migrations/005_gru_and_models.sql): their
// summaries, so that the sweep stays reproducible and a changed file is refused.
import type Database from 'better-sqlite3';
import type { SweepModelFiles } from '../../contract/labApi';

/** Schema version that has the table. */
const MODEL_FILES_SCHEMA = 5;

export function saveSweepModelFiles(db: Database.Database, sweepId: number, files: SweepModelFiles): void {
  db.prepare('INSERT OR REPLACE INTO sweep_model_files (sweep_id, files_json) VALUES (?, ?)').run(sweepId, JSON.stringify(files));
}

/** null: the sweep names no files (or the file is from before schema 5, read without migrating). */
export function readSweepModelFiles(db: Database.Database, sweepId: number): SweepModelFiles | null {
  if ((db.pragma('user_version', { simple: true }) as number) < MODEL_FILES_SCHEMA) return null;
  const row = db.prepare('SELECT files_json FROM sweep_model_files WHERE sweep_id = ?').get(sweepId) as
    { files_json: string } | undefined;
  return row ? (JSON.parse(row.files_json) as SweepModelFiles) : null;
}
