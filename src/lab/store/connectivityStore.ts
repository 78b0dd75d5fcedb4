// The connectivity tables (migrations/007_connectivity.sql): one row per probe, written once when
// its table has been computed, read per norm.
import type Database from 'better-sqlite3';
import type { NormName } from '../../contract/labApi';
import { decodeLog10, encodeLog10 } from './resultBlob';

const NORM_COLUMNS: Record<NormName, string> = { dh: 'dh', dc: 'dc', dWx: 'dWx', dWh: 'dWh', db: 'db' };

export interface StoredConnectivity {
  steps: number[];
  /** (n x n) log10 row by row; -Infinity an exact 0, NaN where k > t. */
  values: Float64Array;
  seconds: number;
  computedAt: string;
}

export interface ConnectivityRow {
  steps: readonly number[];
  /** Per norm, (n x n) row by row; a norm left out was not computed. */
  norms: Partial<Record<NormName, Float64Array>>;
  seconds: number;
}

export class ConnectivityStore {
  constructor(private readonly db: Database.Database) {}

  /** Whether the file has the table (a read-only file of an older schema does not). */
  private exists(): boolean {
    return (
      this.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'connectivity_tables'`).get() !== undefined
    );
  }

  /** null: not computed; a norm's values null: that norm was not (dc of the RNN). */
  read(probeId: number, norm: NormName): { stored: StoredConnectivity | null; computed: boolean } {
    if (!this.exists()) return { stored: null, computed: false };
    const row = this.db
      .prepare(`SELECT steps, ${NORM_COLUMNS[norm]} AS blob, seconds, computed_at FROM connectivity_tables WHERE probe_id = ?`)
      .get(probeId) as { steps: Buffer; blob: Buffer | null; seconds: number; computed_at: string } | undefined;
    if (!row) return { stored: null, computed: false };
    if (!row.blob) return { stored: null, computed: true };
    return {
      computed: true,
      stored: {
        steps: Array.from(decodeLog10(row.steps)),
        values: decodeLog10(row.blob),
        seconds: row.seconds,
        computedAt: row.computed_at,
      },
    };
  }

  write(probeId: number, row: ConnectivityRow): void {
    const blob = (n: NormName): Buffer | null => (row.norms[n] ? encodeLog10(row.norms[n]) : null);
    this.db
      .prepare(
        `INSERT OR REPLACE INTO connectivity_tables (probe_id, steps, dh, dc, dWx, dWh, db, seconds, computed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        probeId,
        encodeLog10(Float64Array.from(row.steps)),
        blob('dh'),
        blob('dc'),
        blob('dWx'),
        blob('dWh'),
        blob('db'),
        row.seconds,
        new Date().toISOString(),
      );
  }
}
