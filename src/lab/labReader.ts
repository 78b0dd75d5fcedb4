// A lab file opened for reading only: no runner, no lock, so it works beside a process that is
// running sweeps on the file (`seqlab status`, `seqlab export`). Its calls are the same
// implementations the service uses (see labReadCalls), so a status or an export reads the same
// whichever way it is asked for.
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { ExportDone, ExportRequest, LabApi, SweepSummary } from '../contract/labApi';
import { exportRequestSchema, sweepRefsSchema } from '../contract/labArgs';
import { fail, ok, type Result } from '../contract/result';
import { readProbeRates } from './probeRates';
import { writeCsv, writeCsvFile } from './export/csvExport';
import type { LabStore } from './store/labStore';
import { openReadonlyStore, readSweepSummaries, toSweepSummary } from './store/readSummaries';
import { guard, invalid } from './serviceResult';

/** Where an export's rows are written from. */
export interface CsvWriter {
  toStream(sweepIds: number[], out: Writable): Promise<number>;
  toFile(sweepIds: number[], path: string): Promise<number>;
}

export interface LabReadCalls extends Pick<LabApi, 'resolveSweeps' | 'loadProbeRates'> {
  exportCsvToStream(request: ExportRequest, writable: Writable): Promise<Result<ExportDone>>;
  exportCsvToFile(request: ExportRequest, path: string): Promise<Result<ExportDone>>;
}

export interface LabReader extends LabReadCalls, Pick<LabApi, 'listSweeps'> {
  readonly dbPath: string;
  /** Every sweep a ref as a user types it may mean: the sweep of that id (if it is a number) and every sweep of that name, by id. */
  sweepMatches(ref: string): Result<SweepSummary[]>;
  close(): void;
}

export interface LabReaderOptions {
  dbPath: string;
  /** better-sqlite3 nativeBinding (default: $SEQLAB_SQLITE_BINDING). */
  nativeBinding?: string;
}

/** Sweep ids for names or ids as a user types them (see LabApi.resolveSweeps). */
function resolveSweepRefs(store: LabStore, raw: unknown): Result<number[]> {
  const parsed = sweepRefsSchema.safeParse(raw);
  if (!parsed.success) return invalid('invalid sweep names or ids', parsed.error);
  const ids: number[] = [];
  for (const [i, ref] of parsed.data.entries()) {
    const byName = store.sweepsByName(ref).map((s) => s.id);
    const byId = /^\d+$/.test(ref) && store.getSweep(Number(ref)) ? [Number(ref)] : [];
    const found = byName.length > 0 ? byName : byId;
    if (found.length === 0) {
      const message = `no sweep with that name or id: ${ref}`;
      return fail('not-found', message, [{ path: String(i), message }]);
    }
    ids.push(...found);
  }
  return ok([...new Set(ids)]);
}

/** The sweeps an export asks for, each checked to exist. */
function exportSweepIds(store: LabStore, request: unknown): Result<number[]> {
  const parsed = exportRequestSchema.safeParse(request ?? {});
  if (!parsed.success) return invalid('invalid export request', parsed.error);
  const ids = parsed.data.sweepIds ?? [];
  const missing = ids.filter((id) => !store.getSweep(id));
  if (missing.length > 0) return fail('not-found', `no sweep ${missing.join(', ')}`);
  return ok(ids);
}

/** The read calls of a lab over its store (unavailable once `isClosed`); the CSV goes through `csv`. */
export function labReadCalls(store: LabStore, csv: CsvWriter, isClosed: () => boolean): LabReadCalls {
  const closedLab = (): Result<never> => fail('unavailable', 'the lab is closed');
  return {
    resolveSweeps: (refs) => guard(() => (isClosed() ? closedLab() : resolveSweepRefs(store, refs))),

    exportCsvToFile: (request, path) =>
      guard(async () => {
        if (isClosed()) return closedLab();
        const ids = exportSweepIds(store, request);
        if (!ids.ok) return ids;
        return ok<ExportDone>({ rows: await csv.toFile(ids.value, path), location: resolve(path) });
      }),

    // Finished probes of these sweeps (every sweep if none) with their rates: `seqlab summary`'s
    // rows, and the Summary view's.
    loadProbeRates: (request) =>
      guard(() => {
        if (isClosed()) return closedLab();
        const ids = exportSweepIds(store, request);
        if (!ids.ok) return ids;
        return ok(readProbeRates(store, ids.value));
      }),

    exportCsvToStream: (request, writable) =>
      guard(async () => {
        if (isClosed()) return closedLab();
        const ids = exportSweepIds(store, request);
        if (!ids.ok) return ids;
        return ok<ExportDone>({ rows: await csv.toStream(ids.value, writable), location: 'stream' });
      }),
  };
}

/** Opens the file read-only; throws LabFileError (naming the file) when it cannot be read as a lab. */
export function openLabReader(opts: LabReaderOptions): LabReader {
  const dbPath = resolve(opts.dbPath);
  const store = openReadonlyStore(dbPath, { nativeBinding: opts.nativeBinding });
  // Nothing else uses this connection, so the export iterates on it directly.
  const csv: CsvWriter = {
    toStream: (ids, out) => writeCsv(store, ids, out),
    toFile: (ids, path) => writeCsvFile(store, ids, path),
  };
  let closed = false;
  return {
    dbPath,
    ...labReadCalls(store, csv, () => closed),
    listSweeps: () => guard(() => (closed ? fail('unavailable', 'the lab is closed') : ok(readSweepSummaries(store)))),
    sweepMatches: (ref) => {
      if (closed) return fail('unavailable', 'the lab is closed');
      const byId = /^\d+$/.test(ref.trim()) ? store.getSweep(Number(ref.trim())) : undefined;
      const rows = [...(byId ? [byId] : []), ...store.sweepsByName(ref.trim()).filter((s) => s.id !== byId?.id)];
      return ok(
        rows.sort((a, b) => a.id - b.id).map((s) => toSweepSummary(s, store.counts(s.id), null, store.queueingTarget(s.id))),
      );
    },
    close() {
      if (closed) return;
      closed = true;
      store.close();
    },
  };
}
