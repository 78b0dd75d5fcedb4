// A lab on read-only media (an archive, a snapshot, a shared drive), opened by the app and the
// lab server for reading: the service's shape over a read-only store (a snapshot copy, see
// store/openDatabase.ts), with no lock and no runner. What reads answers as the full service
// does, by the same code; what would change the lab answers `read-only`, saying why and what to
// do instead. Nothing runs here, so there is no progress to report.
import { basename, resolve } from 'node:path';
import type { SweepSummary } from '../contract/labApi';
import { sweepIdSchema } from '../contract/labArgs';
import { fail, ok, type Result } from '../contract/result';
import { exportCsvToFile, exportCsvToStream } from './export/csvExport';
import { labReadCalls } from './labReader';
import type { LabService, LabServiceOptions } from './labService';
import { openReadonlyStore, readSweepSummaries, toSweepSummary } from './store/readSummaries';
import { isTerminal } from './store/sweepStatus';
import { guard, invalid } from './serviceResult';
import { checkSweep } from './sweepCheck';
import { modelCalls } from './modelCalls';
import { runSettingsOf } from './sweepManagement';
import { readCurveSet, readSweepDetail } from './sweepReads';
import { ConnectivityService } from './connectivity';
import { ConnectivityStore } from './store/connectivityStore';
import { speedModelInProcess } from './sweep/estimateSweep';

export function openReadOnlyLab(opts: Pick<LabServiceOptions, 'dbPath' | 'nativeBinding'>): LabService {
  const dbPath = resolve(opts.dbPath);
  const fileName = basename(dbPath);
  const store = openReadonlyStore(dbPath, { nativeBinding: opts.nativeBinding });
  let closed = false;

  const refuse = (what: string): Result<never> =>
    fail(
      'read-only',
      `${fileName} is on read-only media: its sweeps can be read, charted and exported, but ${what}; copy the file somewhere writable to run sweeps on it`,
    );
  const unavailable = (): Result<never> => fail('unavailable', 'the lab is closed');
  const refuseWrite = (what: string) => (): Promise<Result<never>> => guard(() => (closed ? unavailable() : refuse(what)));

  const summaryOf = (id: number): SweepSummary | null => {
    const row = store.getSweep(id);
    return row ? toSweepSummary(row, store.counts(id), null) : null;
  };
  /** A sweep id that parses and exists, or the Result saying why not. */
  const existing = (sweepId: unknown): Result<number> => {
    if (closed) return unavailable();
    const parsed = sweepIdSchema.safeParse(sweepId);
    if (!parsed.success) return invalid('invalid sweep id', parsed.error);
    return store.getSweep(parsed.data) ? ok(parsed.data) : fail('not-found', `no sweep ${parsed.data}`);
  };

  // Every export reads from a connection of its own on the snapshot (which sits in a writable
  // temporary folder, so it is read in place): a long download must not hold the connection
  // the other calls use.
  const snapshot = store.db.name;
  const readCalls = labReadCalls(
    store,
    {
      toStream: (sweepIds, out) => exportCsvToStream({ dbPath: snapshot, sweepIds, nativeBinding: opts.nativeBinding }, out),
      toFile: (sweepIds, path) => exportCsvToFile({ dbPath: snapshot, sweepIds, nativeBinding: opts.nativeBinding }, path),
    },
    () => closed,
  );

  const connectivity = new ConnectivityService({
    store,
    tables: new ConnectivityStore(store.db),
    spawn: null,
    refuseCompute: () => refuse('no connectivity table can be computed and stored in it'),
    speed: async () => speedModelInProcess(),
  });

  return {
    dbPath,
    ...readCalls,
    getLabInfo: () => guard(() => (closed ? unavailable() : ok({ fileName, readOnly: true }))),
    checkSweep: (spec) => guard(() => checkSweep(spec, { dbPath })),
    ...modelCalls(dbPath, true),
    listSweeps: () => guard(() => (closed ? unavailable() : ok(readSweepSummaries(store)))),
    getSweep: (sweepId) =>
      guard(() => {
        const id = existing(sweepId);
        return id.ok ? ok(readSweepDetail(store, id.value, summaryOf(id.value)!)) : id;
      }),
    loadCurves: (query) => guard(() => (closed ? unavailable() : readCurveSet(store, query))),
    // Tables computed before are read; a new one cannot be stored here.
    loadConnectivity: (request) => guard(() => (closed ? unavailable() : connectivity.load(request))),
    waitForSweep: (sweepId) =>
      guard(() => {
        const id = existing(sweepId);
        if (!id.ok) return id;
        const summary = summaryOf(id.value)!;
        return isTerminal(summary.status) ? ok(summary) : refuse(`sweep ${id.value} cannot run on it`);
      }),

    estimateSweep: refuseWrite('no sweep can be queued on it'),
    queueSweep: refuseWrite('no sweep can be queued on it'),
    queueOrResumeSweep: refuseWrite('no sweep can be queued on it'),
    cancelSweep: refuseWrite('its sweeps cannot be cancelled'),
    pauseSweep: refuseWrite('its sweeps cannot be paused'),
    resumeSweep: refuseWrite('its sweeps cannot be resumed'),
    retryFailed: refuseWrite('its failed probes cannot be retried'),
    renameSweep: refuseWrite('its sweeps cannot be renamed'),
    deleteSweep: refuseWrite('its sweeps cannot be deleted'),
    setRunSettings: refuseWrite('no worker runs on it'),
    // Nothing runs here: no worker, whatever the setting would be.
    getRunSettings: () => guard(() => (closed ? unavailable() : ok(runSettingsOf(0, [])))),
    exportCsv: refuseWrite(
      "no CSV can be written beside it; export to another folder (seqlab export --out FILE, or the app's download)",
    ),

    onProgress: () => () => undefined,
    workerPids: () => [],
    async close() {
      if (closed) return;
      closed = true;
      store.close();
    },
  };
}
