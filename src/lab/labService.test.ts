import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { fromLog10, runProbe } from '../engine/index';
import { NORM_NAMES, type ProgressEvent } from '../contract/labApi';
import type { SweepSpecInput } from '../contract/sweepSpec';
import { forkSpawner } from './runner/workerTransport';
import { CSV_COLUMNS } from './export/csvExport';
import { countRows, tempDir, TEST_HOOKS_WORKER, waitUntil, WORKER } from './testing/labTestSupport';
import { openLabService, type LabService } from './labService';

const SPEC: SweepSpecInput = {
  name: 'small',
  archs: ['rnn', 'lstm'],
  T: [16, 32],
  forgetBias: [0, 2],
  seeds: [1, 2],
  N: 3,
  D: 2,
  H: 4,
};

const open: LabService[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function lab(opts: { hook?: object; workers?: number } = {}) {
  const dir = tempDir();
  const dbPath = join(dir, 'lab.sqlite');
  const hookFile = join(dir, 'hook.json');
  if (opts.hook) writeFileSync(hookFile, JSON.stringify(opts.hook));
  const service = await openLabService({
    dbPath,
    workers: opts.workers ?? 2,
    // With a hook: the test build's worker, which makes the matching probes fail for real.
    spawnWorker: opts.hook
      ? forkSpawner(TEST_HOOKS_WORKER, { env: { ...process.env, SEQLAB_TEST_FAIL_FILE: hookFile } })
      : forkSpawner(WORKER),
  });
  open.push(service);
  return { service, dbPath, hookFile, dir };
}

function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

const log10OrNull = (a: Float64Array | undefined) => (a ? Array.from(a, (v) => (v === -Infinity ? null : v)) : undefined);

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

describe('the estimate while workers run probes', () => {
  it("is the calibrated model's, and says so, while a sweep keeps every worker busy", async () => {
    const { service } = await lab({ workers: 1 });
    // As the form does before Queue: this also has the worker measure the calibration probes.
    expect(unwrap(await service.estimateSweep(SPEC)).basis).toBe('timed');
    const long = { name: 'long', archs: ['lstm'], T: [8000], N: 16, D: 16, H: 64 } as SweepSpecInput;
    const queued = unwrap(await service.queueSweep(long));
    const t0 = Date.now();
    while (unwrap(await service.getSweep(queued.id)).summary.probes.running !== 1) {
      if (Date.now() - t0 > 20_000) throw new Error('the long probe did not start');
      await new Promise((r) => setTimeout(r, 10));
    }
    const busy = unwrap(await service.estimateSweep({ ...SPEC, H: 5 }));
    expect(busy.basis).toBe('calibrated');
    expect(busy.seconds).toBeGreaterThan(0);
    // Once it is done, the workers time the samples again.
    expect(unwrap(await service.waitForSweep(queued.id)).status).toBe('done');
    expect(unwrap(await service.estimateSweep({ ...SPEC, H: 5 })).basis).toBe('timed');
  });
});

describe('a sweep through the service, real workers and a real SQLite file', () => {
  it('runs end to end: stored curves equal direct engine probes, the CSV has one row per (probe, step)', async () => {
    const { service } = await lab();
    const events: ProgressEvent[] = [];
    service.onProgress((e) => events.push(e));
    const estimate = unwrap(await service.estimateSweep(SPEC));
    expect(estimate.probes).toBe(12);
    // The engine's speed is timed by a worker started for it: the host never runs the engine.
    expect(service.workerPids().length).toBeGreaterThan(0);
    // Its value comes from the sweep's own shapes timed by the idle workers; the fit and the
    // schedule are tested on a synthetic clock beside it (timedEstimate.test.ts).
    expect(Number.isFinite(estimate.seconds) && estimate.seconds > 0).toBe(true);
    expect(estimate.basis).toBe('timed');
    const queued = unwrap(await service.queueSweep(SPEC));
    const done = unwrap(await service.waitForSweep(queued.id));
    expect(done.status).toBe('done');
    expect(done.probes).toMatchObject({ total: 12, done: 12, failed: 0, queued: 0, running: 0 });

    const detail = unwrap(await service.getSweep(queued.id));
    expect(detail.probes.every((p) => p.status === 'done' && p.attempts === 1)).toBe(true);
    // The forget-gate bias does not touch the RNN: one RNN probe per (T, seed).
    expect(detail.probes.filter((p) => p.arch === 'rnn').map((p) => p.forgetBias)).toEqual([null, null, null, null]);

    for (const norm of NORM_NAMES) {
      const set = unwrap(await service.loadCurves({ sweepId: queued.id, norm }));
      expect(set.curves).toHaveLength(norm === 'dc' ? 8 : 12);
      for (const c of set.curves) {
        const direct = runProbe({ arch: c.arch, T: c.T, N: 3, D: 2, H: 4, seed: c.seed, forgetBias: c.forgetBias ?? 0 });
        expect(c.log10).toEqual(log10OrNull(direct.lossStepNorms[norm]));
        expect(c.theory).toEqual({
          whGain: 1,
          whSpectralNorm: direct.theory.whSpectralNorm,
          meanSlope: direct.theory.meanSlope,
          // SPEC asks for no Lyapunov vectors: no exponent is stored.
          lyapunovTop: null,
          ...direct.theory.rates,
        });
      }
    }
    expect(unwrap(await service.loadCurves({ sweepId: queued.id, norm: 'dh', T: 32 })).curves).toHaveLength(6);

    const out = new Collect();
    const exported = unwrap(await service.exportCsvToStream({ sweepIds: [queued.id] }, out));
    const lines = out.text.trimEnd().split('\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(exported.rows).toBe(6 * 16 + 6 * 32);
    expect(lines).toHaveLength(exported.rows + 1);
    // Spot-check one LSTM row against the engine.
    const at = (r: string[], name: string) => r[CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number])];
    const row = lines
      .map((l) => l.split(','))
      .find(
        (r) =>
          at(r, 'arch') === 'lstm' &&
          at(r, 'T') === '32' &&
          at(r, 'forget_bias') === '2' &&
          at(r, 'seed') === '2' &&
          at(r, 'k') === '7',
      )!;
    const col = (name: string) => at(row, name);
    expect(col('sweep_id')).toBe(String(queued.id));
    const direct = runProbe({ arch: 'lstm', T: 32, N: 3, D: 2, H: 4, seed: 2, forgetBias: 2 }).lossStepNorms;
    expect(col('distance')).toBe('24');
    expect(Number(col('log10_dc'))).toBe(direct.dc![7]);
    expect(Number(col('dWh'))).toBe(fromLog10(direct.dWh[7]));
    expect(col('sweep')).toBe('small');

    const last = events.filter((e) => e.sweep.id === queued.id).at(-1)!;
    expect(last.sweep.status).toBe('done');
    expect(events.filter((e) => e.probe?.status === 'done')).toHaveLength(12);
    expect(events.some((e) => typeof e.sweep.throughput === 'number' && e.sweep.throughput > 0)).toBe(true);

    const file = unwrap(await service.exportCsv({}));
    expect(existsSync(file.location)).toBe(true);
    expect(readFileSync(file.location, 'utf8').trimEnd().split('\n')).toHaveLength(exported.rows + 1);
  });

  it('reports workers that cannot start instead of retrying forever', async () => {
    const dir = tempDir();
    const dbPath = join(dir, 'lab.sqlite');
    const broken = join(dir, 'broken-worker.mjs');
    writeFileSync(broken, 'process.exit(1);\n');
    const service = await openLabService({ dbPath, workers: 1, spawnWorker: forkSpawner(broken) });
    open.push(service);
    const sweep = unwrap(await service.queueSweep(SPEC));
    const r = await service.waitForSweep(sweep.id);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/worker processes fail to start/);
    expect(countRows(dbPath, `SELECT count(*) AS n FROM probes WHERE status = 'running'`)).toBe(0);
    expect(countRows(dbPath, `SELECT max(attempts) AS n FROM probes`)).toBe(0);
  });

  it('stops idle workers after a while and starts them again for the next sweep', async () => {
    const service = await openLabService({ dbPath: join(tempDir(), 'lab.sqlite'), workers: 2, workerIdleMs: 100 });
    open.push(service);
    const first = unwrap(await service.queueSweep(SPEC));
    unwrap(await service.waitForSweep(first.id));
    await waitUntil(() => service.workerPids().length === 0, 5000, 'idle workers to stop');
    const second = unwrap(await service.queueSweep({ ...SPEC, name: 'second' }));
    expect(unwrap(await service.waitForSweep(second.id)).probes.done).toBe(12);
  });

  it('starts its workers at open with startWorkers (the CLI sweep), before anything is queued, and not without it', async () => {
    const idle = await openLabService({ dbPath: join(tempDir(), 'lab.sqlite'), workers: 2 });
    open.push(idle);
    const eager = await openLabService({ dbPath: join(tempDir(), 'lab.sqlite'), workers: 2, startWorkers: true });
    open.push(eager);
    await waitUntil(() => eager.workerPids().length === 2, 10_000, 'the workers to start');
    expect(idle.workerPids()).toEqual([]);
    const sweep = unwrap(await eager.queueSweep(SPEC));
    expect(unwrap(await eager.waitForSweep(sweep.id)).probes.done).toBe(12);
  });

  it('runs the same worker file through an Electron-style process.parentPort channel', async () => {
    const dir = tempDir();
    // Stand-in for Electron's utility process: parentPort with MessageEvent-like { data }.
    const harness = join(dir, 'parentPort.mjs');
    writeFileSync(
      harness,
      [
        'const send = process.send.bind(process);',
        'process.parentPort = {',
        '  postMessage: (m) => send({ viaParentPort: true, m }),',
        "  on: (ev, cb) => process.on('message', (m) => cb({ data: m })),",
        '};',
      ].join('\n'),
    );
    const base = forkSpawner(WORKER, { execArgv: ['--import', harness] });
    let wrapped = 0;
    const spawnWorker = () => {
      const h = base();
      return {
        ...h,
        pid: h.pid,
        onMessage: (cb: Parameters<typeof h.onMessage>[0]) =>
          h.onMessage((raw) => {
            const env = raw as unknown as { viaParentPort?: boolean; m: Parameters<typeof cb>[0] };
            if (env.viaParentPort) wrapped++;
            cb(env.viaParentPort ? env.m : raw);
          }),
      };
    };
    const service = await openLabService({ dbPath: join(dir, 'lab.sqlite'), workers: 2, spawnWorker });
    open.push(service);
    const sweep = unwrap(await service.queueSweep(SPEC));
    expect(unwrap(await service.waitForSweep(sweep.id)).probes.done).toBe(12);
    expect(wrapped).toBeGreaterThan(12);
  });

  it('rejects invalid specs and arguments with field-named issues and queues nothing', async () => {
    const { service, dbPath } = await lab();
    const bad: [unknown, string][] = [
      [{ ...SPEC, T: [] }, 'T'],
      [{ ...SPEC, T: [0] }, 'T.0'],
      [{ ...SPEC, T: [1_000_001] }, 'T.0'],
      [{ ...SPEC, forgetBias: [NaN] }, 'forgetBias.0'],
      [{ ...SPEC, archs: ['transformer'] }, 'archs.0'],
      // Within the limits, too big for the memory even checkpointed (Wh alone is 128 GiB).
      [{ ...SPEC, H: 65_536, T: [16] }, 'H'],
    ];
    for (const [spec, path] of bad) {
      for (const r of [await service.queueSweep(spec as SweepSpecInput), await service.estimateSweep(spec as SweepSpecInput)]) {
        expect(r.ok).toBe(false);
        if (r.ok) continue;
        expect(r.error.code).toBe('invalid-argument');
        expect(r.error.issues?.map((i) => i.path)).toContain(path);
      }
    }
    expect(unwrap(await service.listSweeps())).toEqual([]);
    expect(countRows(dbPath, 'SELECT count(*) AS n FROM probes')).toBe(0);
    const badId = await service.getSweep(-1);
    expect(badId.ok || badId.error.code).toBe('invalid-argument');
    const missing = await service.cancelSweep(99);
    expect(missing.ok || missing.error.code).toBe('not-found');
    const badNorm = await service.loadCurves({ sweepId: 1, norm: 'dq' as 'dh' });
    expect(badNorm.ok || badNorm.error.issues?.[0].path).toBe('norm');
  });

  it('retries a probe whose worker is killed with SIGKILL mid-batch; the sweep completes with nothing lost or duplicated', async () => {
    const { service, dbPath, hookFile } = await lab({
      hook: { match: { arch: 'lstm', T: 32, forgetBias: 2, seed: 1 }, mode: 'hang', once: true },
    });
    const sweep = unwrap(await service.queueSweep(SPEC));
    await waitUntil(
      () => existsSync(`${hookFile}.fired`) && readFileSync(`${hookFile}.fired`, 'utf8').length > 0,
      20_000,
      'the hook to fire',
    );
    const pid = Number(readFileSync(`${hookFile}.fired`, 'utf8'));
    expect(service.workerPids()).toContain(pid);
    process.kill(pid, 'SIGKILL');
    const done = unwrap(await service.waitForSweep(sweep.id));
    expect(done.probes).toMatchObject({ total: 12, done: 12, failed: 0 });
    const probes = unwrap(await service.getSweep(sweep.id)).probes;
    const victim = probes.find((p) => p.arch === 'lstm' && p.T === 32 && p.forgetBias === 2 && p.seed === 1)!;
    expect(victim.attempts).toBe(2);
    expect(probes.filter((p) => p !== victim).every((p) => p.attempts === 1)).toBe(true);
    expect(countRows(dbPath, 'SELECT count(*) AS n FROM probe_results')).toBe(12);
    const curve = unwrap(await service.loadCurves({ sweepId: sweep.id, norm: 'dh', T: 32 })).curves.find(
      (c) => c.probeId === victim.id,
    )!;
    expect(curve.log10).toEqual(
      log10OrNull(runProbe({ arch: 'lstm', T: 32, N: 3, D: 2, H: 4, seed: 1, forgetBias: 2 }).lossStepNorms.dh),
    );
  });

  it('marks a probe that keeps failing as failed after 3 attempts, the rest carry on, and retry-failed reruns it', async () => {
    const { service, hookFile } = await lab({ hook: { match: { arch: 'rnn', T: 16, seed: 2 }, mode: 'throw' } });
    const sweep = unwrap(await service.queueSweep(SPEC));
    const settled = unwrap(await service.waitForSweep(sweep.id));
    expect(settled.status).toBe('failed');
    expect(settled.probes).toMatchObject({ done: 11, failed: 1 });
    const failed = unwrap(await service.getSweep(sweep.id)).probes.find((p) => p.status === 'failed')!;
    expect(failed).toMatchObject({ arch: 'rnn', T: 16, seed: 2, attempts: 3, error: expect.stringMatching(/test hook/) });

    rmSync(hookFile);
    unwrap(await service.retryFailed(sweep.id));
    const done = unwrap(await service.waitForSweep(sweep.id));
    expect(done.status).toBe('done');
    expect(done.probes).toMatchObject({ done: 12, failed: 0 });
    const p = unwrap(await service.getSweep(sweep.id)).probes.find((x) => x.id === failed.id)!;
    expect(p).toMatchObject({ status: 'done', attempts: 1, error: null });
  });

  it('marks a probe whose worker keeps crashing as failed with the reason', async () => {
    const { service } = await lab({ hook: { match: { arch: 'lstm', T: 16, forgetBias: 0, seed: 1 }, mode: 'exit' } });
    const sweep = unwrap(await service.queueSweep(SPEC));
    const settled = unwrap(await service.waitForSweep(sweep.id));
    expect(settled.probes).toMatchObject({ done: 11, failed: 1 });
    const failed = unwrap(await service.getSweep(sweep.id)).probes.find((p) => p.status === 'failed')!;
    expect(failed).toMatchObject({ attempts: 3, error: 'worker exited with code 3' });
  });

  it('cancels a sweep: the running probe is stopped, queued ones cancelled, and the pool keeps working', async () => {
    const { service, hookFile } = await lab({
      hook: { match: { arch: 'lstm', T: 32, forgetBias: 0, seed: 2 }, mode: 'hang', once: true },
      workers: 1,
    });
    const sweep = unwrap(await service.queueSweep(SPEC));
    // A second sweep waits behind the first (one worker); it must run once the first is cancelled.
    const other = unwrap(await service.queueSweep({ ...SPEC, name: 'waiting behind' }));
    await waitUntil(
      () => existsSync(`${hookFile}.fired`) && readFileSync(`${hookFile}.fired`, 'utf8').length > 0,
      20_000,
      'the hook to fire',
    );
    const pid = Number(readFileSync(`${hookFile}.fired`, 'utf8'));
    const cancelled = unwrap(await service.cancelSweep(sweep.id));
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.probes.queued + cancelled.probes.running).toBe(0);
    expect(cancelled.probes.cancelled).toBeGreaterThan(0);
    await waitUntil(
      () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      },
      5000,
      'the hung worker to die',
    );
    expect(unwrap(await service.waitForSweep(sweep.id)).status).toBe('cancelled');
    expect(unwrap(await service.waitForSweep(other.id)).probes).toMatchObject({ done: 12, cancelled: 0 });
  });

  it('pauses (unstarted probes go back to the queue, nothing runs) and resumes to completion', async () => {
    const { service, dbPath } = await lab({ workers: 1 });
    const spec = { ...SPEC, T: [64], seeds: { count: 4 }, forgetBias: [0, 1, 2] };
    let sweepId = 0;
    let paused = false;
    service.onProgress((e) => {
      if (!paused && sweepId && e.sweep.id === sweepId && e.probe?.status === 'done') {
        paused = true;
        void service.pauseSweep(sweepId); // applied synchronously, mid-batch
      }
    });
    sweepId = unwrap(await service.queueSweep(spec)).id;
    await waitUntil(() => paused, 20_000, 'the first probe');
    const running = `SELECT count(*) AS n FROM probes WHERE status = 'running'`;
    await waitUntil(() => countRows(dbPath, running) === 0, 10_000, 'the pause to settle');
    const summary = unwrap(await service.getSweep(sweepId)).summary;
    expect(summary.status).toBe('paused');
    const doneAtPause = summary.probes.done;
    expect(summary.probes.queued).toBe(16 - doneAtPause);
    await new Promise((r) => setTimeout(r, 300));
    expect(unwrap(await service.getSweep(sweepId)).summary.probes.done).toBe(doneAtPause);
    expect(unwrap(await service.resumeSweep(sweepId)).status).toBe('running');
    expect(unwrap(await service.waitForSweep(sweepId)).probes).toMatchObject({ done: 16, queued: 0 });
  });
});
