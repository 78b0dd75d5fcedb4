// loadCurves carries the rates stored with each probe (schema 4): the theory lines' slopes. A
// read-only file of schema 3, which has no rate columns, reads them as null.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { checkSweepSpec, specHash } from './sweep/expandSweep';
import { tempDir } from './testing/labTestSupport';
import { readCurveSet } from './sweepReads';
import { LabStore } from './store/labStore';
import { openLabDatabase } from './store/openDatabase';
import { openReadonlyStore } from './store/readSummaries';
import { loadMigrations, migrate } from './store/migrate';

const curve = (steps: number, rate: number) => Float64Array.from({ length: steps }, (_, k) => -rate * (steps - 1 - k));

function labWithTwoProbes(path: string) {
  const check = checkSweepSpec({
    name: 'rates',
    archs: ['rnn', 'lstm'],
    T: [8],
    forgetBias: [1],
    seeds: { count: 1 },
    N: 1,
    D: 1,
    H: 2,
  });
  if (!check.ok) throw new Error('spec rejected');
  const store = new LabStore(openLabDatabase(path));
  const sweepId = store.createSweep(check.spec, specHash(check.spec), check.probes, check.probes.length);
  return { store, sweepId, probes: store.listProbes(sweepId) };
}

describe('curves with their stored rates', () => {
  it('each curve carries its probe’s Lyapunov top and theory rates (null where not applicable)', () => {
    const { store, sweepId, probes } = labWithTwoProbes(join(tempDir(), 'lab.sqlite'));
    const [rnn, lstm] = [probes.find((p) => p.arch === 'rnn')!, probes.find((p) => p.arch === 'lstm')!];
    const norms = { dh: curve(8, 0.5), dWx: curve(8, 0.5), dWh: curve(8, 0.5), db: curve(8, 0.5) };
    const theory = { whSpectralNorm: 1.5, meanSlope: 0.7 };
    store.storeResult(rnn.id, {
      steps: 8,
      seconds: 0.1,
      theory,
      norms,
      rates: { lyapunov: { top: -0.3, spectrum: Float64Array.of(-0.3, -0.6) }, meanField: -0.27, cellPath: null, pmbBound: 0.18 },
    });
    store.storeResult(lstm.id, {
      steps: 8,
      seconds: 0.1,
      theory,
      norms: { ...norms, dc: curve(8, 0.1) },
      rates: { lyapunov: null, meanField: null, cellPath: -0.02, pmbBound: null },
    });
    const set = readCurveSet(store, { sweepId, norm: 'dh' });
    store.close();
    if (!set.ok) throw new Error(set.error.message);
    const byArch = Object.fromEntries(set.value.curves.map((c) => [c.arch, c.theory]));
    expect(byArch.rnn).toEqual({
      whGain: 1,
      whSpectralNorm: 1.5,
      meanSlope: 0.7,
      lyapunovTop: -0.3,
      meanField: -0.27,
      cellPath: null,
      pmbBound: 0.18,
    });
    // No Lyapunov pass asked for: null, and the line is not offered.
    expect(byArch.lstm).toEqual({
      whGain: 1,
      whSpectralNorm: 1.5,
      meanSlope: 0.7,
      lyapunovTop: null,
      meanField: null,
      cellPath: -0.02,
      pmbBound: null,
    });
  });

  it('a read-only file of schema 3 reads its curves with null rates', () => {
    const path = join(tempDir(), 'v3.sqlite');
    const { store, probes } = labWithTwoProbes(join(tempDir(), 'v4.sqlite'));
    store.close();
    const db = new Database(path);
    migrate(db, loadMigrations().slice(0, 3));
    db.close();
    const blob = Buffer.from(curve(8, 1).buffer);
    const raw = new Database(path);
    raw
      .prepare(
        `INSERT INTO sweeps (id, name, spec_json, spec_hash, total_probes, created_at) VALUES (1, 'old', '{}', 'h', 1, 'now')`,
      )
      .run();
    raw
      .prepare(
        `INSERT INTO probes (id, sweep_id, idx, arch, T, forget_bias, seed, N, D, H, init_scheme, wh_gain, h0_scale, b_scale, loss_step, config_json, status)
         VALUES (1, 1, 0, 'rnn', 8, NULL, 1, 1, 1, 2, 'scaled', 1, 0, 0, 7, ?, 'done')`,
      )
      .run(probes[0].config_json);
    raw
      .prepare('INSERT INTO probe_results (probe_id, steps, dh, dc, dWx, dWh, db) VALUES (1, 8, ?, NULL, ?, ?, ?)')
      .run(blob, blob, blob, blob);
    raw.close();
    const reader = openReadonlyStore(path);
    const set = readCurveSet(reader, { sweepId: 1, norm: 'dh' });
    reader.close();
    if (!set.ok) throw new Error(set.error.message);
    expect(set.value.curves).toHaveLength(1);
    expect(set.value.curves[0].theory).toMatchObject({ lyapunovTop: null, meanField: null, cellPath: null, pmbBound: null });
    expect(set.value.curves[0].log10[0]).toBeCloseTo(-7, 12);
  });
});
