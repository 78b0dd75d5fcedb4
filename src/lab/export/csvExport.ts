// Tidy CSV: one row per (probe, step), streamed. Rows come from the store's export query one
// probe at a time and go through csv-stringify with backpressure respected, so memory stays
// flat however large the export. Beside a running lab, read from a read-only connection of the
// export's own (a WAL snapshot, so the runner keeps writing meanwhile). A file is written whole
// (./wholeFile.ts), and text cells are safe to open in a spreadsheet (./spreadsheetSafe.ts).
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { PROBE_CONFIG_COLUMNS } from '../../contract/probeColumns';
import { fromLog10 } from '../../engine/index';
import type { LabStore } from '../store/labStore';
import type { OpenOptions } from '../store/openDatabase';
import { openReadonlyStore } from '../store/readSummaries';
import { decodeLog10 } from '../store/resultBlob';
import { spreadsheetSafe } from './spreadsheetSafe';
import { writeFileWhole } from './wholeFile';

export const CSV_COLUMNS = [
  'sweep',
  ...PROBE_CONFIG_COLUMNS,
  'k',
  'distance',
  'dh',
  'log10_dh',
  'dc',
  'log10_dc',
  'dWx',
  'log10_dWx',
  'dWh',
  'log10_dWh',
  'db',
  'log10_db',
] as const;

export interface CsvExportOptions extends Pick<OpenOptions, 'nativeBinding'> {
  dbPath: string;
  /** Empty or absent: every sweep. */
  sweepIds?: number[];
}

const num = (v: number): string => String(v);
// Above float64's range the plain value is `inf` (pandas and R read it as infinity), below it 0.
const plain = (log10: number): string => (fromLog10(log10) === Infinity ? 'inf' : num(fromLog10(log10)));
const logCell = (log10: number): string => (log10 === -Infinity ? '' : num(log10));

/**
 * Streams the CSV of these sweeps (every sweep if none) from `store` into `out` (which is ended
 * afterwards); returns the number of data rows. The store's connection is busy meanwhile.
 */
export async function writeCsv(store: LabStore, sweepIds: readonly number[], out: Writable): Promise<number> {
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
  // for-of ends the statement (freeing the connection) however the loop is left.
  for (const p of store.exportRows(sweepIds)) {
    if (failure) break;
    const dh = decodeLog10(p.dh);
    const dc = p.dc ? decodeLog10(p.dc) : null;
    const dWx = decodeLog10(p.dWx);
    const dWh = decodeLog10(p.dWh);
    const dbn = decodeLog10(p.db);
    const head = [
      spreadsheetSafe(p.sweep_name),
      num(p.id),
      spreadsheetSafe(p.arch),
      num(p.T),
      p.forget_bias === null ? '' : num(p.forget_bias),
      num(p.seed),
      num(p.N),
      num(p.D),
      num(p.H),
      spreadsheetSafe(p.init_scheme),
      num(p.wh_gain),
      num(p.h0_scale),
      num(p.b_scale),
      num(p.loss_step),
    ];
    for (let k = 0; k < p.steps; k++) {
      const row = [
        ...head,
        num(k),
        num(p.loss_step - k),
        plain(dh[k]),
        logCell(dh[k]),
        dc ? plain(dc[k]) : '',
        dc ? logCell(dc[k]) : '',
        plain(dWx[k]),
        logCell(dWx[k]),
        plain(dWh[k]),
        logCell(dWh[k]),
        plain(dbn[k]),
        logCell(dbn[k]),
      ];
      rows++;
      if (!csv.write(row)) await once(csv, 'drain');
    }
  }
  csv.end();
  await outDone;
  if (failure) throw failure;
  return rows;
}

/** Runs `body` on a read-only connection of its own to the lab file, closed afterwards. */
async function withExportStore<T>(opts: CsvExportOptions, body: (store: LabStore) => Promise<T>): Promise<T> {
  const store = openReadonlyStore(opts.dbPath, { nativeBinding: opts.nativeBinding });
  try {
    return await body(store);
  } finally {
    store.close();
  }
}

export function exportCsvToStream(opts: CsvExportOptions, out: Writable): Promise<number> {
  return withExportStore(opts, (store) => writeCsv(store, opts.sweepIds ?? [], out));
}

/** The CSV of these sweeps written whole to `path` (see ./wholeFile.ts); returns the data rows. */
export function writeCsvFile(store: LabStore, sweepIds: readonly number[], path: string): Promise<number> {
  return writeFileWhole(path, (out) => writeCsv(store, sweepIds, out));
}

/** Nothing is written until the lab file has opened. */
export function exportCsvToFile(opts: CsvExportOptions, path: string): Promise<number> {
  return withExportStore(opts, (store) => writeCsvFile(store, opts.sweepIds ?? [], path));
}
