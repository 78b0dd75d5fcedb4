// The lab, once: LabApi over the store and the runner. Every method validates its arguments
// with zod and returns a Result; nothing throws to the caller. Adapters (Electron IPC, the lab
// server, the CLI) are thin shells over this.
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { z } from 'zod';
import type {
  CurveQuery, CurveSet, ExportDone, ExportRequest, LabApi, ProgressEvent, SweepDetail, SweepEstimate, SweepSummary,
} from '../contract/labApi';
import { curveQuerySchema, exportRequestSchema, sweepIdSchema, zodIssues } from '../contract/labArgs';
import { fail, ok, type Result } from '../contract/result';
import type { SweepSpec, SweepSpecInput } from '../contract/sweepSpec';
import { exportCsvToFile, exportCsvToStream } from './export/csvExport';
import { SweepRunner } from './runner/sweepRunner';
import { toProbeSummary } from './runner/progressTracker';
import { forkSpawner, type WorkerSpawner } from './runner/workerTransport';
import { LabStore } from './store/labStore';
import { LabFileError, openLabDatabase } from './store/openDatabase';
import { acquireLabLock } from './store/labLock';
import { decodeLog10 } from './store/resultBlob';
import { checkSweepSpec, countProbes, specHash } from './sweep/expandSweep';
import { estimateProbes, speedModelInProcess, type SpeedModel } from './sweep/estimateSweep';

export interface LabServiceOptions {
  dbPath: string;
  /** Worker processes; default max(1, cores - 1). */
  workers?: number;
  /** How to start a worker; default child_process.fork of out/main/probeWorker.js. */
  spawnWorker?: WorkerSpawner;
  /** better-sqlite3 nativeBinding (default: $SEQLAB_SQLITE_BINDING). */
  nativeBinding?: string;
  /** Resume every unfinished sweep in the file at open (default true; the CLI resumes only its own). */
  resumeUnfinished?: boolean;
  /** Stop idle workers after this long with nothing to run (default 30 s). */
  workerIdleMs?: number;
}

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export interface QueueOptions {
  /** Run only probes with idx % count == index - 1. */
  shard?: Shard;
  /** Reuse the latest sweep of the same name, spec (and shard) in the file instead of adding one. */
  resume?: boolean;
}

export interface LabService extends LabApi {
  onProgress(listener: (event: ProgressEvent) => void): () => void;
  exportCsvToStream(request: ExportRequest, writable: Writable): Promise<Result<ExportDone>>;
  exportCsvToFile(request: ExportRequest, path: string): Promise<Result<ExportDone>>;
  /** queueSweep with sharding and resume-by-spec (the CLI's `seqlab sweep`). */
  queueOrResumeSweep(spec: SweepSpecInput, options: QueueOptions): Promise<Result<SweepSummary & { resumed: boolean }>>;
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


function invalid(what: string, err: z.ZodError): Result<never> {
  const issues = zodIssues(err);
  return fail('invalid-argument', `${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
}

function internal(err: unknown): Result<never> {
  return fail('internal', err instanceof Error ? err.message : String(err));
}

/** Wraps a method body: thrown errors become Result values. */
async function guard<T>(body: () => Promise<Result<T>> | Result<T>): Promise<Result<T>> {
  try {
    return await body();
  } catch (err) {
    return internal(err);
  }
}

export async function openLabService(opts: LabServiceOptions): Promise<LabService> {
  const dbPath = resolve(opts.dbPath);
  const lock = acquireLabLock(dbPath);
  let db: ReturnType<typeof openLabDatabase>;
  try {
    db = openLabDatabase(dbPath, { nativeBinding: opts.nativeBinding });
  } catch (err) {
    lock.release();
    throw err;
  }
  const store = new LabStore(db);
  const runner = new SweepRunner(store, {
    spawn: opts.spawnWorker ?? forkSpawner(),
    workers: opts.workers,
    idleMs: opts.workerIdleMs,
  });
  runner.start(opts.resumeUnfinished ?? true);
  let closed = false;

  // Measured by a worker; in this process only if no worker can start (the estimate still works).
  const engineSpeed = (): Promise<SpeedModel> => runner.speedModel().catch(() => speedModelInProcess());

  const summaryOf = (id: number): Result<SweepSummary> => {
    const s = runner.summary(id);
    return s ? ok(s) : fail('not-found', `no sweep ${id}`);
  };

  const withSweep = <T>(sweepId: unknown, body: (id: number) => Result<T>): Promise<Result<T>> =>
    guard(() => {
      if (closed) return fail('conflict', 'the lab is closed');
      const parsed = sweepIdSchema.safeParse(sweepId);
      if (!parsed.success) return invalid('invalid sweep id', parsed.error);
      if (!store.getSweep(parsed.data)) return fail('not-found', `no sweep ${parsed.data}`);
      return body(parsed.data);
    });

  const checkSpec = (input: unknown) => {
    const check = checkSweepSpec(input);
    if (!check.ok) {
      return { error: fail('invalid-argument', `invalid sweep spec: ${check.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, check.issues) };
    }
    return { check };
  };

  const queue = (input: unknown, options: QueueOptions): Result<SweepSummary & { resumed: boolean }> => {
    if (closed) return fail('conflict', 'the lab is closed');
    if (runner.haltedBy) return fail('internal', `${runner.haltedBy.message}; reopen the lab to run sweeps`);
    const { error, check } = checkSpec(input);
    if (error) return error;
    let shard: Shard | undefined;
    if (options.shard) {
      const parsed = shardSchema.safeParse(options.shard);
      if (!parsed.success) return invalid('invalid shard', parsed.error);
      shard = parsed.data;
    }
    const spec: SweepSpec = check.spec;
    const hash = specHash(spec);
    if (options.resume) {
      const existing = store.findSweepBySpec(hash, shard);
      if (existing) {
        if (existing.status === 'paused') store.setSweepStatus(existing.id, existing.started_at ? 'running' : 'queued');
        runner.activate(existing.id);
        return ok({ ...runner.summary(existing.id)!, resumed: true });
      }
    }
    const probes = shard ? check.probes.filter((p) => p.idx % shard.count === shard.index - 1) : check.probes;
    const id = store.createSweep(spec, hash, probes, countProbes(spec), shard);
    runner.activate(id);
    return ok({ ...runner.summary(id)!, resumed: false });
  };

  const exportRequest = (request: unknown): Result<number[]> => {
    const parsed = exportRequestSchema.safeParse(request ?? {});
    if (!parsed.success) return invalid('invalid export request', parsed.error);
    const ids = parsed.data.sweepIds ?? [];
    const missing = ids.filter((id) => !store.getSweep(id));
    if (missing.length > 0) return fail('not-found', `no sweep ${missing.join(', ')}`);
    return ok(ids);
  };

  const service: LabService = {
    dbPath,

    estimateSweep: (spec) =>
      guard(async () => {
        const { error, check } = checkSpec(spec);
        if (error) return error;
        return ok<SweepEstimate>(estimateProbes(check.probes, runner.workers, await engineSpeed()));
      }),

    queueSweep: (spec) =>
      guard(() => {
        const r = queue(spec, {});
        if (!r.ok) return r;
        const { resumed: _resumed, ...summary } = r.value;
        return ok<SweepSummary>(summary);
      }),

    queueOrResumeSweep: (spec, options) => guard(() => queue(spec, options ?? {})),

    listSweeps: () => guard(() => ok(store.listSweeps().map((s) => runner.summary(s.id)!))),

    getSweep: (sweepId) =>
      withSweep(sweepId, (id) => {
        const row = store.getSweep(id)!;
        const detail: SweepDetail = {
          summary: runner.summary(id)!,
          spec: JSON.parse(row.spec_json) as SweepSpec,
          probes: store.listProbes(id).map(toProbeSummary),
        };
        return ok(detail);
      }),

    cancelSweep: (sweepId) =>
      withSweep(sweepId, (id) => {
        const status = store.getSweep(id)!.status;
        if (status === 'done' || status === 'failed') return fail('conflict', `sweep ${id} is already ${status}`);
        runner.cancel(id);
        return summaryOf(id);
      }),

    pauseSweep: (sweepId) =>
      withSweep(sweepId, (id) => {
        const status = store.getSweep(id)!.status;
        if (status !== 'queued' && status !== 'running' && status !== 'paused') return fail('conflict', `sweep ${id} is ${status}; only a queued or running sweep can be paused`);
        runner.pause(id);
        return summaryOf(id);
      }),

    resumeSweep: (sweepId) =>
      withSweep(sweepId, (id) => {
        const status = store.getSweep(id)!.status;
        if (status === 'paused') runner.resume(id);
        else if (status === 'queued' || status === 'running') runner.activate(id);
        else return fail('conflict', `sweep ${id} is ${status}; only a paused sweep can be resumed`);
        return summaryOf(id);
      }),

    retryFailed: (sweepId) =>
      withSweep(sweepId, (id) => {
        if (store.getSweep(id)!.status === 'cancelled') return fail('conflict', `sweep ${id} was cancelled`);
        runner.retryFailed(id);
        return summaryOf(id);
      }),

    loadCurves: (query: CurveQuery) =>
      guard(() => {
        const parsed = curveQuerySchema.safeParse(query);
        if (!parsed.success) return invalid('invalid curve query', parsed.error);
        const q = parsed.data as CurveQuery;
        if (!store.getSweep(q.sweepId)) return fail('not-found', `no sweep ${q.sweepId}`);
        const curves = store.curveRows(q.sweepId, q.norm, q.T).map((p) => {
          const values = decodeLog10(p.blob);
          const log10 = new Array<number | null>(values.length);
          for (let i = 0; i < values.length; i++) log10[i] = values[i] === -Infinity ? null : values[i];
          return {
            probeId: p.id, arch: p.arch, T: p.T, forgetBias: p.forget_bias, seed: p.seed, lossStep: p.loss_step, log10,
            theory: { whGain: p.wh_gain, whSpectralNorm: p.wh_spectral_norm ?? NaN, meanSlope: p.mean_slope ?? NaN },
          };
        });
        return ok<CurveSet>({ sweepId: q.sweepId, norm: q.norm, curves });
      }),

    exportCsv: (request) =>
      guard(async () => {
        const stem = basename(dbPath, extname(dbPath));
        const stamp = new Date().toISOString().replace(/[:.]/g, '-');
        let path = join(dirname(dbPath), `${stem}-export-${stamp}.csv`);
        for (let i = 2; existsSync(path); i++) path = join(dirname(dbPath), `${stem}-export-${stamp}-${i}.csv`);
        return service.exportCsvToFile(request, path);
      }),

    exportCsvToFile: (request, path) =>
      guard(async () => {
        const ids = exportRequest(request);
        if (!ids.ok) return ids;
        const rows = await exportCsvToFile({ dbPath, sweepIds: ids.value, nativeBinding: opts.nativeBinding }, path);
        return ok<ExportDone>({ rows, location: resolve(path) });
      }),

    exportCsvToStream: (request, writable) =>
      guard(async () => {
        const ids = exportRequest(request);
        if (!ids.ok) return ids;
        const rows = await exportCsvToStream({ dbPath, sweepIds: ids.value, nativeBinding: opts.nativeBinding }, writable);
        return ok<ExportDone>({ rows, location: 'stream' });
      }),

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

export { LabFileError };
