// The lab, once: LabApi over the store and the runner. Every method validates its arguments
// with zod and returns a Result; nothing throws to the caller. Adapters (Electron IPC, the lab
// server, the CLI) are thin shells over this.
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { z } from 'zod';
import type { ExportDone, ExportRequest, LabApi, ProgressEvent, SweepEstimate, SweepSummary } from '../contract/labApi';
import { sweepIdSchema } from '../contract/labArgs';
import { fail, ok, type Result } from '../contract/result';
import type { SweepSpec, SweepSpecRequest } from '../contract/sweepSpec';
import { exportCsvToFile, exportCsvToStream } from './export/csvExport';
import { SweepRunner } from './runner/sweepRunner';
import { forkSpawner, type WorkerSpawner } from './runner/workerTransport';
import { LabStore } from './store/labStore';
import { ConnectivityStore } from './store/connectivityStore';
import { ConnectivityService } from './connectivity';
import { allows } from './store/sweepStatus';
import { LabFileError, isOnReadOnlyMedia, openLabDatabase, refuseReadOnlyMedia } from './store/openDatabase';
import { acquireLabLock } from './store/labLock';
import { countProbes, iterateSweep, specHash } from './sweep/expandSweep';
import { queueInChunks, shardProbes, shardSize, type Shard } from './sweep/queueInChunks';
import { speedModelInProcess, type SpeedModel } from './sweep/estimateSweep';
import { timedEstimate } from './sweep/timedEstimate';
import { sweepProbeSettings } from './sweep/sweepProbeSettings';
import { labReadCalls } from './labReader';
import { openReadOnlyLab } from './readOnlyLab';
import { readCurveSet, readSweepDetail } from './sweepReads';
import { guard, internal, invalid } from './serviceResult';
import { checkSweep, expandSweepSpec, validSweepSpec, type SpecPlace } from './sweepCheck';
import { perWorkerProbeBytes } from './sweep/memoryBudget';
import { modelCalls } from './modelCalls';
import { changedModelFiles, loadSweepModel } from './modelFile/modelSpec';
import { readSweepModelFiles } from './store/sweepModelFiles';
import { sweepManagementCalls } from './sweepManagement';

export interface LabServiceOptions {
  dbPath: string;
  /** Worker processes; default every core (the run settings change it while the lab runs). */
  workers?: number;
  /** How to start a worker; default child_process.fork of out/main/probeWorker.js. */
  spawnWorker?: WorkerSpawner;
  /** better-sqlite3 nativeBinding (default: $SEQLAB_SQLITE_BINDING). */
  nativeBinding?: string;
  /** Resume every unfinished sweep in the file at open (default true; the CLI resumes only its own). */
  resumeUnfinished?: boolean;
  /** Stop idle workers after this long with nothing to run (default 30 s). */
  workerIdleMs?: number;
  /**
   * Start the workers now rather than on the first queued probe: for a caller about to queue work
   * (the CLI's `sweep`), whose workers then boot while it checks and queues the spec.
   */
  startWorkers?: boolean;
}

export type { Shard };

export interface QueueOptions {
  /** Run only probes with idx % count == index - 1. */
  shard?: Shard;
  /** Reuse the latest sweep of the same name, spec (and shard) in the file instead of adding one. */
  resume?: boolean;
  /** A big sweep goes in a chunk at a time: called after each, with how many of its probes are in. */
  onQueueing?: (queued: number, total: number) => void;
}

export interface LabService extends LabApi {
  onProgress(listener: (event: ProgressEvent) => void): () => void;
  exportCsvToStream(request: ExportRequest, writable: Writable): Promise<Result<ExportDone>>;
  exportCsvToFile(request: ExportRequest, path: string): Promise<Result<ExportDone>>;
  /** queueSweep with sharding and resume-by-spec (the CLI's `seqlab sweep`). */
  queueOrResumeSweep(spec: SweepSpecRequest, options: QueueOptions): Promise<Result<SweepSummary & { resumed: boolean }>>;
  /** Resolves when the sweep is done, failed or cancelled. */
  waitForSweep(sweepId: number): Promise<Result<SweepSummary>>;
  /** Worker process ids (tests, diagnostics). */
  workerPids(): number[];
  readonly dbPath: string;
  /** Stops the workers (running probes are requeued) and closes the file. */
  close(): Promise<void>;
}

const shardSchema = z
  .object({ index: z.number().int().min(1), count: z.number().int().min(1).max(100_000) })
  .refine((s) => s.index <= s.count, { error: 'shard index must be in [1, count]' });

/** Where the app's export goes when no path is given: beside the lab file, never over a file. */
function defaultExportPath(dbPath: string): string {
  const stem = basename(dbPath, extname(dbPath));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const candidate = (n: number): string => join(dirname(dbPath), `${stem}-export-${stamp}${n > 1 ? `-${n}` : ''}.csv`);
  let n = 1;
  while (existsSync(candidate(n))) n++;
  return candidate(n);
}

/**
 * The lab for browsing and running sweeps (the app, the lab server): read-only when the file is
 * on read-only media (see ./readOnlyLab.ts), otherwise the full service. The CLI's `sweep` and
 * `merge` open the full service only, and are refused on read-only media.
 */
export async function openLab(opts: LabServiceOptions): Promise<LabService> {
  return isOnReadOnlyMedia(resolve(opts.dbPath)) ? openReadOnlyLab(opts) : openLabService(opts);
}

export async function openLabService(opts: LabServiceOptions): Promise<LabService> {
  const dbPath = resolve(opts.dbPath);
  // Said before the lock is taken: on read-only media the lock file cannot be made either.
  refuseReadOnlyMedia(dbPath);
  const lock = acquireLabLock(dbPath);
  let db: ReturnType<typeof openLabDatabase>;
  try {
    db = openLabDatabase(dbPath, { nativeBinding: opts.nativeBinding });
  } catch (err) {
    lock.release();
    throw err;
  }
  const store = new LabStore(db);
  const spawnWorker = opts.spawnWorker ?? forkSpawner();
  const runner = new SweepRunner(store, {
    spawn: spawnWorker,
    workers: opts.workers,
    idleMs: opts.workerIdleMs,
    modelOf: (sweepId) => {
      const row = store.getSweep(sweepId);
      return row ? loadSweepModel(JSON.parse(row.spec_json) as SweepSpec, readSweepModelFiles(db, sweepId), dbPath) : undefined;
    },
  });
  runner.start(opts.resumeUnfinished ?? true);
  // A worker that cannot start stops the runner, which the caller's next call reports.
  if (opts.startWorkers) runner.warmUp().catch(() => {});
  let closed = false;

  // A spec is checked against the memory one worker's probe may take: the probes of every worker
  // running at once stay within the lab's budget together.
  const specPlace = (): SpecPlace => ({ dbPath, maxProbeBytes: perWorkerProbeBytes(runner.workers) });

  // Measured by a worker; in this process only if no worker can start (the estimate still works).
  const engineSpeed = (): Promise<SpeedModel> => runner.speedModel().catch(() => speedModelInProcess());

  const summaryOf = (id: number): Result<SweepSummary> => {
    const s = runner.summary(id);
    return s ? ok(s) : fail('not-found', `no sweep ${id}`);
  };

  const withSweep = <T>(sweepId: unknown, body: (id: number) => Result<T>): Promise<Result<T>> =>
    guard(() => {
      if (closed) return fail('unavailable', 'the lab is closed');
      const parsed = sweepIdSchema.safeParse(sweepId);
      if (!parsed.success) return invalid('invalid sweep id', parsed.error);
      if (!store.getSweep(parsed.data)) return fail('not-found', `no sweep ${parsed.data}`);
      return body(parsed.data);
    });

  const queue = async (input: unknown, options: QueueOptions): Promise<Result<SweepSummary & { resumed: boolean }>> => {
    if (closed) return fail('unavailable', 'the lab is closed');
    if (runner.haltedBy) return fail('internal', `${runner.haltedBy.message}; reopen the lab to run sweeps`);
    // Checked without expanding: the probes are built as they are inserted, a chunk at a time.
    const check = validSweepSpec(input, specPlace());
    if (!check.ok) return check;
    let shard: Shard | undefined;
    if (options.shard) {
      const parsed = shardSchema.safeParse(options.shard);
      if (!parsed.success) return invalid('invalid shard', parsed.error);
      shard = parsed.data;
    }
    const spec: SweepSpec = check.value.spec;
    const hash = specHash(spec);
    if (options.resume) {
      const existing = store.findSweepBySpec(hash, shard);
      if (existing) {
        const changed = changedModelFiles(readSweepModelFiles(db, existing.id), check.value.model);
        if (changed) return fail('conflict', `sweep ${existing.id} (${existing.name}): ${changed.message}`, [changed]);
        store.applySweepEvent(existing.id, 'resume'); // a paused one runs again
        runner.activate(existing.id);
        return ok({ ...runner.summary(existing.id)!, resumed: true });
      }
    }
    const total = countProbes(spec);
    // Listeners see a big sweep grow chunk by chunk ("queueing n of N"), then queued.
    let announced = false;
    const { sweepId: id, outcome } = await queueInChunks(
      store,
      {
        spec,
        hash,
        probes: shardProbes(iterateSweep(spec), shard),
        count: shardSize(total, shard),
        totalProbes: total,
        shard,
        modelFiles: check.value.model,
      },
      {
        abandon: () => closed,
        onChunk: (sweepId, queued, of) => {
          if (queued < of) {
            announced = true;
            runner.announce(sweepId);
          }
          options.onQueueing?.(queued, of);
        },
      },
    );
    if (outcome === 'abandoned') return fail('unavailable', 'the lab was closed while the sweep was being queued');
    runner.activate(id);
    if (announced) runner.announce(id);
    return ok({ ...runner.summary(id)!, resumed: false });
  };

  // The export reads from a connection of its own: iterating on the runner's would block it.
  const readCalls = labReadCalls(
    store,
    {
      toStream: (sweepIds, out) => exportCsvToStream({ dbPath, sweepIds, nativeBinding: opts.nativeBinding }, out),
      toFile: (sweepIds, path) => exportCsvToFile({ dbPath, sweepIds, nativeBinding: opts.nativeBinding }, path),
    },
    () => closed,
  );

  // Connectivity tables are computed in one-off workers of the same kind as the runner's.
  const connectivity = new ConnectivityService({
    store,
    tables: new ConnectivityStore(db),
    spawn: spawnWorker,
    speed: engineSpeed,
  });

  const service: LabService = {
    dbPath,
    ...readCalls,

    getLabInfo: () => guard(() => ok({ fileName: basename(dbPath), readOnly: false })),

    ...modelCalls(dbPath, false),

    checkSweep: (spec) => guard(() => checkSweep(spec, specPlace())),

    estimateSweep: (spec) =>
      guard(async () => {
        const check = expandSweepSpec(spec, specPlace());
        if (!check.ok) return check;
        return ok<SweepEstimate>(
          await timedEstimate({
            probes: check.value.probes,
            workers: runner.workers,
            settings: sweepProbeSettings(check.value.spec),
            model: await engineSpeed(),
            maxBytes: perWorkerProbeBytes(runner.workers),
            time: (samples, concurrency) => runner.timeSamples(samples, concurrency),
          }),
        );
      }),

    // An identical spec resumes its sweep, as `seqlab sweep` does; the answer says so.
    queueSweep: (spec) => guard(() => queue(spec, { resume: true })),

    queueOrResumeSweep: (spec, options) => guard(() => queue(spec, options ?? {})),

    listSweeps: () => guard(() => ok(store.listSweeps().map((s) => runner.summary(s.id)!))),

    getSweep: (sweepId) => withSweep(sweepId, (id) => ok(readSweepDetail(store, id, runner.summary(id)!))),

    cancelSweep: (sweepId) =>
      withSweep(sweepId, (id) => {
        const status = store.getSweep(id)!.status;
        if (!allows(status, 'cancel')) return fail('conflict', `sweep ${id} is already ${status}`);
        runner.cancel(id);
        return summaryOf(id);
      }),

    pauseSweep: (sweepId) =>
      withSweep(sweepId, (id) => {
        const status = store.getSweep(id)!.status;
        if (!allows(status, 'pause'))
          return fail('conflict', `sweep ${id} is ${status}; only a queued or running sweep can be paused`);
        runner.pause(id);
        return summaryOf(id);
      }),

    ...sweepManagementCalls(store, runner, withSweep, () => closed),

    retryFailed: (sweepId) =>
      withSweep(sweepId, (id) => {
        if (!allows(store.getSweep(id)!.status, 'retry')) return fail('conflict', `sweep ${id} was cancelled`);
        runner.retryFailed(id);
        return summaryOf(id);
      }),

    loadCurves: (query) => guard(() => (closed ? fail('unavailable', 'the lab is closed') : readCurveSet(store, query))),

    loadConnectivity: (request) => guard(() => connectivity.load(request)),

    exportCsv: (request) => guard(() => service.exportCsvToFile(request, defaultExportPath(dbPath))),

    onProgress: (listener) => runner.onProgress(listener),

    waitForSweep: (sweepId) =>
      withSweep(sweepId, () => ok(null)).then(async (r) => {
        if (!r.ok) return r;
        try {
          await runner.waitForSweep(sweepId);
          return summaryOf(sweepId);
        } catch (err) {
          return internal(err);
        }
      }),

    workerPids: () => runner.workerPids(),

    async close() {
      if (closed) return;
      closed = true;
      connectivity.close();
      try {
        await runner.stop();
        db.close();
      } finally {
        lock.release();
      }
    },
  };
  return service;
}

// What adapters need from the layers below, offered here so they import only the service.
export { LabFileError };
export type { WorkerHandle, WorkerSpawner } from './runner/workerTransport';
