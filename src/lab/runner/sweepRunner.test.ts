import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabStore } from '../store/labStore';
import { openLabDatabase } from '../store/openDatabase';
import { checkSweepSpec, specHash } from '../sweep/expandSweep';
import { tempDir, waitUntil, WORKER } from '../testing/labTestSupport';
import { SweepRunner } from './sweepRunner';
import { forkSpawner } from './workerTransport';

describe('the sweep runner', () => {
  it('halts with the reason, instead of crashing its host, when storing a result fails', async () => {
    const db = openLabDatabase(join(tempDir(), 'lab.sqlite'));
    const store = new LabStore(db);
    const check = checkSweepSpec({ name: 'x', archs: ['rnn'], T: [8, 16], N: 2, D: 2, H: 2 });
    if (!check.ok) throw new Error('rejected');
    const sweepId = store.createSweep(check.spec, specHash(check.spec), check.probes, check.probes.length);
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
});
