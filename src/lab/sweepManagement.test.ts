// Managing sweeps on a real lab file with real worker processes: rename, delete (and the space
// it frees), resume a cancelled sweep, an identical spec resuming its sweep, the worker count
// changed while a sweep runs, and what each worker runs.
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../contract/labApi';
import type { SweepSpecInput } from '../contract/sweepSpec';
import { forkSpawner } from './runner/workerTransport';
import { countRows, tempDir, waitUntil, WORKER } from './testing/labTestSupport';
import { openLabService, type LabService } from './labService';

const open: LabService[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function lab(workers?: number) {
  const dbPath = join(tempDir(), 'lab.sqlite');
  const service = await openLabService({ dbPath, workers, spawnWorker: forkSpawner(WORKER) });
  open.push(service);
  return { service, dbPath };
}

function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

const SMALL: SweepSpecInput = { name: 'small', archs: ['rnn', 'lstm'], T: [16, 32], forgetBias: [0, 2], N: 2, D: 2, H: 4 };
/** Enough probes, each long enough, that a sweep is still running when the test acts on it. */
const LONG: SweepSpecInput = {
  name: 'long',
  archs: ['lstm'],
  T: [3000],
  forgetBias: [0, 1, 2, 3, 4, 5],
  seeds: { count: 4 },
  N: 8,
  D: 8,
  H: 32,
};

describe('rename', () => {
  it('renames the sweep and its stored spec, so that queueing the renamed spec resumes it', async () => {
    const { service } = await lab(1);
    const q = unwrap(await service.queueSweep(SMALL));
    await service.waitForSweep(q.id);
    const renamed = unwrap(await service.renameSweep({ sweepId: q.id, name: '  bias study  ' }));
    expect(renamed.name).toBe('bias study');
    expect(unwrap(await service.getSweep(q.id)).spec.name).toBe('bias study');
    const again = unwrap(await service.queueSweep({ ...SMALL, name: 'bias study' }));
    expect(again).toMatchObject({ id: q.id, resumed: true, status: 'done' });
    // The old name is now a different spec: a new sweep.
    expect(unwrap(await service.queueSweep(SMALL))).toMatchObject({ resumed: false });
  });

  it('refuses a name the spec would refuse, naming the field', async () => {
    const { service } = await lab(1);
    const q = unwrap(await service.queueSweep(SMALL));
    for (const name of ['   ', 'a\nb', 'x'.repeat(201)]) {
      const r = await service.renameSweep({ sweepId: q.id, name });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatchObject({ code: 'invalid-argument', issues: [{ path: 'name' }] });
    }
    const missing = await service.renameSweep({ sweepId: 9999, name: 'x' });
    expect(!missing.ok && missing.error.code).toBe('not-found');
  });
});

describe('delete', () => {
  it('is refused while the sweep runs; once cancelled it goes with its probes and results, and the file shrinks', async () => {
    const { service, dbPath } = await lab(2);
    const keep = unwrap(await service.queueSweep(SMALL));
    await service.waitForSweep(keep.id);
    const q = unwrap(await service.queueSweep(LONG));
    await waitUntil(
      () => countRows(dbPath, "SELECT count(*) AS n FROM probes WHERE sweep_id = ? AND status = 'done'", q.id) >= 2,
    );
    const refused = await service.deleteSweep(q.id);
    expect(!refused.ok && refused.error.code).toBe('conflict');

    unwrap(await service.cancelSweep(q.id));
    const size = unwrap(await service.getSweep(q.id)).sizeBytes;
    expect(size).toBeGreaterThan(2 * 3000 * 8 * 5); // at least two finished probes' five norms
    const onDisk = (): number => statSync(dbPath).size + (existsSync(`${dbPath}-wal`) ? statSync(`${dbPath}-wal`).size : 0);
    const before = onDisk();
    const deleted = unwrap(await service.deleteSweep(q.id));
    expect(deleted).toEqual({ sweepId: q.id, bytesFreed: size, fileBytes: onDisk() });
    expect(onDisk()).toBeLessThanOrEqual(before - size);
    const gone = await service.getSweep(q.id);
    expect(!gone.ok && gone.error.code).toBe('not-found');
    expect(countRows(dbPath, 'SELECT count(*) AS n FROM probes WHERE sweep_id = ?', q.id)).toBe(0);
    expect(
      countRows(
        dbPath,
        'SELECT count(*) AS n FROM probe_results r JOIN probes p ON p.id = r.probe_id WHERE p.sweep_id = ?',
        q.id,
      ),
    ).toBe(0);
    // The other sweep is untouched.
    expect(unwrap(await service.getSweep(keep.id)).summary).toMatchObject({ status: 'done', probes: { done: 6 } });
  });
});

describe('resuming a cancelled sweep', () => {
  it('runs its cancelled probes and keeps the finished ones as they were', async () => {
    const { service, dbPath } = await lab(2);
    const q = unwrap(await service.queueSweep(LONG));
    await waitUntil(
      () => countRows(dbPath, "SELECT count(*) AS n FROM probes WHERE sweep_id = ? AND status = 'done'", q.id) >= 2,
    );
    const cancelled = unwrap(await service.cancelSweep(q.id));
    expect(cancelled.status).toBe('cancelled');
    const doneBefore = unwrap(await service.getSweep(q.id)).probes.filter((p) => p.status === 'done');
    expect(doneBefore.length).toBeGreaterThanOrEqual(2);
    expect(cancelled.probes.cancelled).toBeGreaterThan(0);

    const resumed = unwrap(await service.resumeSweep(q.id));
    expect(resumed.status).toBe('running');
    expect(resumed.probes.cancelled).toBe(0);
    const final = unwrap(await service.waitForSweep(q.id));
    expect(final).toMatchObject({ status: 'done', probes: { done: 24, cancelled: 0 } });
    // The probes finished before the cancel were not run again.
    const after = new Map(unwrap(await service.getSweep(q.id)).probes.map((p) => [p.id, p]));
    for (const p of doneBefore)
      expect(after.get(p.id)).toMatchObject({ status: 'done', attempts: p.attempts, seconds: p.seconds });
  });

  it('refuses to resume a finished sweep', async () => {
    const { service } = await lab(1);
    const q = unwrap(await service.queueSweep(SMALL));
    await service.waitForSweep(q.id);
    const r = await service.resumeSweep(q.id);
    expect(!r.ok && r.error.code).toBe('conflict');
  });
});

describe('run settings', () => {
  it('default to every core, and change the pool of the running lab', async () => {
    const { service } = await lab();
    const first = unwrap(await service.getRunSettings());
    expect(first).toMatchObject({
      workers: availableParallelism(),
      defaultWorkers: availableParallelism(),
      cores: availableParallelism(),
    });

    unwrap(await service.setRunSettings({ workers: 1 }));
    const q = unwrap(await service.queueSweep(LONG));
    await waitUntil(() => service.workerPids().length === 1, 20_000, 'one worker');
    const busy = async () => unwrap(await service.getRunSettings()).activity.filter((w) => w.probe !== null);
    let running = await busy();
    for (let i = 0; i < 200 && running.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      running = await busy();
    }
    expect(running).toHaveLength(1);
    expect(running[0]).toMatchObject({ state: 'running', probe: { sweepId: q.id, arch: 'lstm', T: 3000 } });

    // Grown while it runs: a second worker starts and takes probes.
    expect(unwrap(await service.setRunSettings({ workers: 2 })).workers).toBe(2);
    await waitUntil(() => service.workerPids().length === 2, 20_000, 'two workers');
    for (let i = 0; i < 400 && (await busy()).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await busy()).toHaveLength(2);

    // Shrunk: one worker stops (once its running probe is done at the latest).
    unwrap(await service.setRunSettings({ workers: 1 }));
    await waitUntil(() => service.workerPids().length === 1, 60_000, 'back to one worker');
    unwrap(await service.cancelSweep(q.id));
  });

  it('refuses a worker count outside [1, 256], naming the setting', async () => {
    const { service } = await lab(1);
    for (const workers of [0, 1.5, 257]) {
      const r = await service.setRunSettings({ workers });
      expect(r.ok).toBe(false);
      if (!r.ok)
        expect(r.error.issues?.[0]).toMatchObject({ path: 'workers', message: 'Workers must be an integer in [1, 256]' });
    }
  });
});

describe('progress events', () => {
  it('count the running probes: with a probe on the only worker, every event before the end says 1 running', async () => {
    const { service } = await lab(1);
    const events: ProgressEvent[] = [];
    service.onProgress((e) => events.push(e));
    const q = unwrap(await service.queueSweep({ ...LONG, T: [400], seeds: [1] }));
    await service.waitForSweep(q.id);
    const mine = events.filter((e) => e.sweep.id === q.id);
    const midway = mine.filter((e) => e.sweep.probes.queued > 0);
    expect(midway.length).toBeGreaterThanOrEqual(5);
    for (const e of midway) expect(e.sweep.probes.running).toBe(1);
  });
});
