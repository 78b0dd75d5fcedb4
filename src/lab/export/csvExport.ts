// Tidy CSV: one row per (probe, step), streamed. Rows come from the store's export query one
// probe at a time and go through csv-stringify with backpressure respected, so memory stays
// flat however large the export. Beside a running lab, read from a read-only connection of the
// export's own (a WAL snapshot, so the runner keeps writing meanwhile). A file is written whole
// (./wholeFile.ts), and text cells are safe to open in a spreadsheet (./spreadsheetSafe.ts).
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { NORM_NAMES, type NormName } from '../../contract/labApi';
import { PROBE_KEY_COLUMNS } from '../../contract/probeColumns';
import { computedNorms, type SweepSpec } from '../../contract/sweepSpec';
import { fromLog10 } from '../../engine/index';
import type { LabStore } from '../store/labStore';
import type { OpenOptions } from '../store/openDatabase';
import { openReadonlyStore } from '../store/readSummaries';
import { decodeLog10 } from '../store/resultBlob';
import { spreadsheetSafe } from './spreadsheetSafe';
import { writeFileWhole } from './wholeFile';

/** The columns before the norms'. */
const ROW_COLUMNS = ['sweep', ...PROBE_KEY_COLUMNS, 'k', 'distance'] as const;

/** Each norm's two columns: its plain value and its exact log10. */
const normColumns = <N extends NormName>(n: N) => [n, `log10_${n}`] as const;

/** The columns of an export whose sweeps computed every norm. */
export const CSV_COLUMNS = [
  ...ROW_COLUMNS,
  ...normColumns('dh'),
  ...normColumns('dc'),
  ...normColumns('dWx'),
  ...normColumns('dWh'),
  ...normColumns('db'),
] as const;

/** The columns of an export of sweeps that computed these norms (each some sweep computed, in NORM_NAMES' order). */
export function csvColumnsFor(norms: readonly NormName[]): string[] {
  return [...ROW_COLUMNS, ...NORM_NAMES.filter((n) => norms.includes(n)).flatMap((n) => normColumns(n))];
}

/** The norms some of these sweeps (every sweep if none) computed: the export's norm columns. */
function exportedNorms(store: LabStore, sweepIds: readonly number[]): NormName[] {
  const sweeps = sweepIds.length === 0 ? store.listSweeps() : sweepIds.map((id) => store.getSweep(id));
  const norms = new Set<NormName>();
  for (const s of sweeps) if (s) for (const n of computedNorms(JSON.parse(s.spec_json) as SweepSpec)) norms.add(n);
  return NORM_NAMES.filter((n) => norms.has(n));
}

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
  const norms = exportedNorms(store, sweepIds);
  const csv = stringify({ header: true, columns: csvColumnsFor(norms) });
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
    // A norm this probe has no curve of (not an LSTM's dc, or not asked by its sweep) is empty.
    const curves = norms.map((n) => {
      const blob = p[n];
      return blob ? decodeLog10(blob) : null;
    });
    const head = [
      spreadsheetSafe(p.sweep_name),
      num(p.sweep_id),
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
        ...curves.flatMap((c) => (c ? [plain(c[k]), logCell(c[k])] : ['', ''])),
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
