// Tidy CSV: one row per (probe, step), streamed. Probes are read with .iterate() on a separate
// read-only connection (a WAL snapshot, so the runner can keep writing meanwhile), rows are
// produced one probe at a time and written through csv-stringify with backpressure respected,
// so memory stays flat however large the export.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { stringify } from 'csv-stringify';
import { fromLog10 } from '../../engine/index';
import { sqliteOptions } from '../store/openDatabase';
import { decodeLog10, type ResultRow } from '../store/resultBlob';
import type { ProbeRow } from '../store/labStore';

export const CSV_COLUMNS = [
  'sweep', 'probe_id', 'arch', 'T', 'forget_bias', 'seed', 'N', 'D', 'H', 'init', 'wh_gain', 'h0_scale', 'b_scale',
  'loss_step', 'k', 'distance', 'dh', 'log10_dh', 'dc', 'log10_dc', 'dWx', 'log10_dWx', 'dWh', 'log10_dWh', 'db', 'log10_db',
] as const;

export interface CsvExportOptions {
  dbPath: string;
  /** Empty or absent: every sweep. */
  sweepIds?: number[];
  nativeBinding?: string;
}

/** A probe's identifying columns and its result blobs, as the export query selects them. */
type ExportRow = { sweep_name: string; id: number } & Pick<
  ProbeRow,
  'arch' | 'T' | 'forget_bias' | 'seed' | 'N' | 'D' | 'H' | 'init_scheme' | 'wh_gain' | 'h0_scale' | 'b_scale' | 'loss_step'
> &
  Omit<ResultRow, 'probe_id'>;

const num = (v: number): string => String(v);
const plain = (log10: number): string => num(fromLog10(log10));
const logCell = (log10: number): string => (log10 === -Infinity ? '' : num(log10));

/** Streams the CSV into `out` (which is ended afterwards); returns the number of data rows. */
export async function exportCsvToStream(opts: CsvExportOptions, out: Writable): Promise<number> {
  const db = new Database(opts.dbPath, { ...sqliteOptions(opts), readonly: true, fileMustExist: true });
  const csv = stringify({ header: true, columns: [...CSV_COLUMNS] });
  csv.pipe(out);
  const outDone = finished(out);
  // If the destination fails, stop producing.
  let failure: Error | null = null;
  outDone.catch((err: Error) => {
    failure = err;
    csv.destroy(err);
  });
  csv.on('error', (err) => {
    failure = err;
  });
  let rows = 0;
  try {
    const ids = opts.sweepIds ?? [];
    const stmt = db.prepare(
      `SELECT s.name AS sweep_name, p.id, p.arch, p.T, p.forget_bias, p.seed, p.N, p.D, p.H, p.init_scheme, p.wh_gain,
              p.h0_scale, p.b_scale, p.loss_step, r.steps, r.dh, r.dc, r.dWx, r.dWh, r.db
       FROM probes p JOIN sweeps s ON s.id = p.sweep_id JOIN probe_results r ON r.probe_id = p.id
       WHERE p.status = 'done' AND (? = 0 OR p.sweep_id IN (SELECT value FROM json_each(?)))
       ORDER BY p.sweep_id, p.idx`,
    );
    for (const p of stmt.iterate(ids.length, JSON.stringify(ids)) as IterableIterator<ExportRow>) {
      if (failure) break;
      const dh = decodeLog10(p.dh);
      const dc = p.dc ? decodeLog10(p.dc) : null;
      const dWx = decodeLog10(p.dWx);
      const dWh = decodeLog10(p.dWh);
      const dbn = decodeLog10(p.db);
      const head = [
        p.sweep_name, num(p.id), p.arch, num(p.T), p.forget_bias === null ? '' : num(p.forget_bias), num(p.seed),
        num(p.N), num(p.D), num(p.H), p.init_scheme, num(p.wh_gain), num(p.h0_scale), num(p.b_scale), num(p.loss_step),
      ];
      for (let k = 0; k < p.steps; k++) {
        const row = [
          ...head, num(k), num(p.loss_step - k),
          plain(dh[k]), logCell(dh[k]),
          dc ? plain(dc[k]) : '', dc ? logCell(dc[k]) : '',
          plain(dWx[k]), logCell(dWx[k]), plain(dWh[k]), logCell(dWh[k]), plain(dbn[k]), logCell(dbn[k]),
        ];
        rows++;
        if (!csv.write(row)) await once(csv, 'drain');
      }
    }
  } finally {
    db.close();
  }
  csv.end();
  await outDone;
  if (failure) throw failure;
  return rows;
}

export async function exportCsvToFile(opts: CsvExportOptions, path: string): Promise<number> {
  return exportCsvToStream(opts, createWriteStream(path));
}
