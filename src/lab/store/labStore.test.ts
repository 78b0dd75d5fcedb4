import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkSweepSpec, specHash } from '../sweep/expandSweep';
import { openLabService, type LabService } from '../labService';
import { tempDir } from '../testing/labTestSupport';
import { LabStore } from './labStore';
import { openLabDatabase } from './openDatabase';

const services: LabService[] = [];
afterEach(async () => {
  while (services.length) await services.pop()!.close();
});

function fakeCurve(steps: number, seed: number): Float64Array {
  const a = Float64Array.from({ length: steps }, (_, k) => -0.01 * k * seed - 1 / (k + 1));
  a[0] = -Infinity; // an exact zero
  return a;
}

describe('probe results in SQLite', () => {
  it('stores 200 probes of 1024 steps, never duplicates one, and loads the 200 curves back exactly', async () => {
    const dbPath = join(tempDir(), 'lab.sqlite');
    const check = checkSweepSpec({
      name: 'big',
      archs: ['rnn', 'lstm'],
      T: [1024],
      forgetBias: [1],
      seeds: { count: 100 },
      N: 2,
      D: 2,
      H: 2,
    });
    if (!check.ok) throw new Error('spec rejected');
    const db = openLabDatabase(dbPath);
    const store = new LabStore(db);
    const sweepId = store.createSweep(check.spec, specHash(check.spec), check.probes, check.probes.length);
    const probes = store.listProbes(sweepId);
    expect(probes).toHaveLength(200);
    for (const p of probes) {
      const c = (i: number) => fakeCurve(1024, p.id + i);
      store.storeResult(p.id, {
        steps: 1024,
        seconds: 0.1,
        theory: { whSpectralNorm: 1.5, meanSlope: 0.5 },
        norms: { dh: c(0), dWx: c(1), dWh: c(2), db: c(3), dc: p.arch === 'lstm' ? c(4) : null },
      });
    }
    // Storing again replaces: still one result per probe.
    store.storeResult(probes[0].id, {
      steps: 1024,
      seconds: 0.1,
      theory: { whSpectralNorm: 1, meanSlope: 1 },
      norms: { dh: fakeCurve(1024, 9), dWx: fakeCurve(1024, 9), dWh: fakeCurve(1024, 9), db: fakeCurve(1024, 9) },
    });
    expect((db.prepare('SELECT count(*) AS n FROM probe_results').get() as { n: number }).n).toBe(200);
    db.close();

    const lab = await openLabService({ dbPath, workers: 1 });
    services.push(lab);
    const r = await lab.loadCurves({ sweepId, norm: 'dh' });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.curves).toHaveLength(200);
    expect(r.value.curves[1].log10).toHaveLength(1024);
    expect(r.value.curves[1].log10[0]).toBeNull();
    expect(r.value.curves[1].log10[5]).toBe(fakeCurve(1024, probes[1].id)[5]);
    // How fast this is belongs to scripts/bench/measureResultLayout.ts, not to a test.
  });
});
