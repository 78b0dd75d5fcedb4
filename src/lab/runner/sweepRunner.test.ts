import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabStore } from '../store/labStore';
import { openLabDatabase } from '../store/openDatabase';
import { speedModelFrom } from '../sweep/estimateSweep';
import { checkSweepSpec, specHash } from '../sweep/expandSweep';
import { tempDir, waitUntil, WORKER } from '../testing/labTestSupport';
import { SweepRunner } from './sweepRunner';
import { labMemoryBudget, perWorkerProbeBytes } from '../sweep/memoryBudget';
import { forkSpawner } from './workerTransport';
import { scriptedSpawner, type ScriptedWorker } from '../testing/scriptedWorker';

function labWithSweep(spec: object = { name: 'x', archs: ['rnn'], T: [8, 16], N: 2, D: 2, H: 2 }) {
  const db = openLabDatabase(join(tempDir(), 'lab.sqlite'));
  const store = new LabStore(db);
  const check = checkSweepSpec(spec);
  if (!check.ok) throw new Error('rejected');
  const sweepId = store.createSweep(check.spec, specHash(check.spec), check.probes, check.probes.length);
  return { db, store, sweepId };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Activates the sweep, readies the first scripted worker and returns the tasks of the batch it is sent. */
async function firstBatch(runner: SweepRunner, sweepId: number, spawned: ScriptedWorker[]) {
  runner.activate(sweepId);
  await waitUntil(() => spawned.length > 0, 5000, 'a worker to start');
  spawned[0].say({ type: 'ready', pid: 1 });
  await waitUntil(() => spawned[0].sent.some((m) => m.type === 'run'), 5000, 'a run message');
  const run = spawned[0].sent.find((m) => m.type === 'run');
  if (run?.type !== 'run') throw new Error('not a run message');
  return run.tasks;
}

function settledFlag(p: Promise<unknown>): { done: boolean; error: unknown } {
  const flag = { done: false, error: undefined as unknown };
  p.then(
    () => (flag.done = true),
    (err: unknown) => (flag.error = err),
  );
  return flag;
}

describe('the sweep runner', () => {
  it('halts with the reason, instead of crashing its host, when storing a result fails', async () => {
    const { db, store, sweepId } = labWithSweep();
    store.storeResult = () => {
      throw new Error('database or disk is full');
    };
    const runner = new SweepRunner(store, { spawn: forkSpawner(WORKER), workers: 1 });
    runner.activate(sweepId);
    await expect(runner.waitForSweep(sweepId)).rejects.toThrow(/the sweep runner stopped: database or disk is full/);
    await waitUntil(() => runner.workerPids().length === 0, 5000, 'workers to stop');
    // Nothing half-written: the probes are back in the queue for the next start.
    expect(store.counts(sweepId)).toMatchObject({ done: 0, running: 0, queued: 2 });
    await runner.stop();
    db.close();
  });

  it('warms up when every worker has said ready, not before', async () => {
    const { db, store } = labWithSweep();
    const { spawned, spawn } = scriptedSpawner();
    const runner = new SweepRunner(store, { spawn, workers: 2 });
    const warm = settledFlag(runner.warmUp());
    expect(spawned).toHaveLength(2);
    spawned[0].say({ type: 'ready', pid: 1 });
    await turn();
    expect(warm.done).toBe(false);
    spawned[1].say({ type: 'ready', pid: 2 });
    await turn();
    expect(warm.done).toBe(true);
    await runner.stop();
    db.close();
  });

  it('gives up warming up after its timeout', async () => {
    const { db, store } = labWithSweep();
    const runner = new SweepRunner(store, { spawn: scriptedSpawner().spawn, workers: 1 });
    await expect(runner.warmUp(20)).rejects.toThrow('workers did not start in time');
    await runner.stop();
    db.close();
  });

  it('measures the speed with one worker, asking another if that one dies first', async () => {
    const { db, store } = labWithSweep();
    const { spawned, spawn } = scriptedSpawner();
    const runner = new SweepRunner(store, { spawn, workers: 2 });
    const model = runner.speedModel();
    expect(spawned).toHaveLength(1); // none was running: one is started for it
    spawned[0].say({ type: 'ready', pid: 1 });
    expect(spawned[0].sent).toEqual([{ type: 'calibrate' }]);
    spawned[0].exit(1, 'worker exited with code 1');
    expect(spawned).toHaveLength(2);
    spawned[1].say({ type: 'ready', pid: 2 });
    expect(spawned[1].sent).toEqual([{ type: 'calibrate' }]);
    const times = { big: 0.004, small: 0.002 };
    spawned[1].say({ type: 'speed', speed: times });
    await expect(model).resolves.toEqual(speedModelFrom(times));
    // Known now: no worker is asked again.
    await expect(runner.speedModel()).resolves.toEqual(speedModelFrom(times));
    expect(spawned[1].sent).toHaveLength(1);
    await runner.stop();
    const unanswered = new SweepRunner(store, { spawn: scriptedSpawner().spawn, workers: 1 });
    await expect(unanswered.speedModel(20)).rejects.toThrow('no worker measured the engine speed in time');
    await unanswered.stop();
    db.close();
  });

  it('charges a crash to the first probe of the batch when the worker died before reporting it started', async () => {
    const { db, store, sweepId } = labWithSweep({ name: 'x', archs: ['rnn'], T: [8, 16, 32], N: 2, D: 2, H: 2 });
    const { spawned, spawn } = scriptedSpawner();
    const runner = new SweepRunner(store, { spawn, workers: 1 });
    runner.activate(sweepId);
    spawned[0].say({ type: 'ready', pid: 1 });
    const run = spawned[0].sent.find((m) => m.type === 'run');
    if (run?.type !== 'run') throw new Error('no batch was sent');
    const [first, ...rest] = run.tasks.map((t) => t.probeId);
    expect(rest).toHaveLength(2);
    spawned[0].exit(null, 'worker killed by SIGKILL');
    expect(store.getProbe(first)).toMatchObject({ status: 'queued', attempts: 1, error: 'worker killed by SIGKILL' });
    for (const id of rest) expect(store.getProbe(id)).toMatchObject({ status: 'queued', attempts: 0, error: null });
    expect(spawned).toHaveLength(2); // a replacement for the requeued probes
    await runner.stop();
    db.close();
  });

  it("sends a sweep's probes to a worker timing an estimate's samples only once it has answered", async () => {
    const { db, store, sweepId } = labWithSweep();
    const { spawned, spawn } = scriptedSpawner();
    const runner = new SweepRunner(store, { spawn, workers: 1 });
    const samples = [{ config: JSON.parse(store.nextQueued([sweepId], 1)[0].config_json), lyapunovVectors: 0 }];
    const times = runner.timeSamples(samples, 1);
    await waitUntil(() => spawned.length > 0, 5000, 'a worker to start');
    spawned[0].say({ type: 'ready', pid: 1 });
    await waitUntil(() => spawned[0].sent.some((m) => m.type === 'timeSamples'), 5000, 'the samples to be sent');
    runner.activate(sweepId);
    await turn();
    expect(runner.workerActivity().map((w) => w.state)).toEqual(['timing']);
    expect(spawned[0].sent.some((m) => m.type === 'run')).toBe(false);
    const ask = spawned[0].sent.find((m) => m.type === 'timeSamples');
    if (ask?.type !== 'timeSamples') throw new Error('not asked');
    spawned[0].say({ type: 'sampleTimes', requestId: ask.requestId, seconds: [0.01] });
    expect(await times).toEqual([0.01]);
    await waitUntil(() => spawned[0].sent.some((m) => m.type === 'run'), 5000, 'the sweep to be dispatched');
    expect(runner.workerActivity().map((w) => w.state)).toEqual(['running']);
    await runner.stop();
    db.close();
  });

  it('lets a sweep of fewer probes than workers use the cores the others leave idle', async () => {
    const { db, store, sweepId } = labWithSweep({ name: 'one', archs: ['rnn'], T: [8], N: 2, D: 2, H: 2 });
    const { spawned, spawn } = scriptedSpawner();
    const runner = new SweepRunner(store, { spawn, workers: 2 });
    const tasks = await firstBatch(runner, sweepId, spawned);
    expect(tasks.map((t) => t.threads)).toEqual([2]);
    await runner.stop();
    db.close();
  });

  it('stores the same norms for a probe run on two threads (2 workers, 1 probe) as on one', async () => {
    const spec = { name: 'wide', archs: ['lstm'], T: [12], N: 16, D: 8, H: 160 };
    const curves: unknown[] = [];
    for (const workers of [1, 2]) {
      const { db, store, sweepId } = labWithSweep(spec);
      const runner = new SweepRunner(store, { spawn: forkSpawner(WORKER), workers });
      runner.activate(sweepId);
      await runner.waitForSweep(sweepId);
      // All but when it ran and how long it took.
      curves.push(store.curveRows(sweepId, 'dh').map(({ started_at, finished_at, seconds, ...rest }) => rest));
      await runner.stop();
      db.close();
    }
    expect(curves[1]).toEqual(curves[0]);
  });

  it("sends each probe what its sweep asks it to compute, and its worker's share of the memory budget", async () => {
    const { db, store, sweepId } = labWithSweep({
      name: 'asks',
      archs: ['lstm'],
      T: [8],
      N: 2,
      D: 2,
      H: 2,
      norms: ['dc', 'dh'],
      lyapunovVectors: 2,
    });
    const { spawned, spawn } = scriptedSpawner();
    const runner = new SweepRunner(store, { spawn, workers: 3 });
    const tasks = await firstBatch(runner, sweepId, spawned);
    expect(tasks[0]).toMatchObject({ norms: ['dh', 'dc'], lyapunovVectors: 2, maxBytes: perWorkerProbeBytes(3) });
    expect(perWorkerProbeBytes(3) * 3).toBeLessThanOrEqual(labMemoryBudget());
    await runner.stop();
    db.close();
  });
});
