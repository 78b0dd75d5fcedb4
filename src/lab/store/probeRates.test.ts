// The rates a worker computes, stored with the probe (schema 4), read back as `seqlab summary`
// rows, carried by a merge; and a row of a probe stored without them.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSweepSpec, specHash } from '../sweep/expandSweep';
import { tempDir } from '../testing/labTestSupport';
import { mergeLabs } from '../mergeLabs';
import { readProbeRates } from '../probeRates';
import { LabStore } from './labStore';
import { openLabDatabase } from './openDatabase';
import { openReadonlyStore } from './readSummaries';
import { loadMigrations, migrate } from './migrate';
import Database from 'better-sqlite3';

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
  return { store, probes: store.listProbes(sweepId) };
}

describe('probe rates in the lab file', () => {
  it('stores the Lyapunov exponents and theory rates with the curves, -Infinity included, and a merge carries them', () => {
    const dir = tempDir();
    const path = join(dir, 'shard.sqlite');
    const { store, probes } = labWithTwoProbes(path);
    const [rnn, lstm] = [probes.find((p) => p.arch === 'rnn')!, probes.find((p) => p.arch === 'lstm')!];
    const norms = { dh: curve(8, 0.5), dWx: curve(8, 0.5), dWh: curve(8, 0.5), db: curve(8, 0.5) };
    store.storeResult(rnn.id, {
      steps: 8,
      seconds: 0.1,
      theory: { whSpectralNorm: 1, meanSlope: 1 },
      norms,
      rates: {
        lyapunov: { top: -Infinity, spectrum: Float64Array.of(-Infinity, -Infinity) },
        meanField: -Infinity,
        cellPath: null,
        pmbBound: -0.25,
      },
    });
    store.storeResult(lstm.id, {
      steps: 8,
      seconds: 0.1,
      theory: { whSpectralNorm: 1, meanSlope: 1 },
      norms: { ...norms, dc: curve(8, 0.1) },
      rates: {
        lyapunov: { top: -0.1, spectrum: Float64Array.of(-0.1, -0.3, -0.7, -0.9) },
        meanField: null,
        cellPath: -0.02,
        pmbBound: null,
      },
    });
    const rows = readProbeRates(store, []);
    store.close();
    const byArch = Object.fromEntries(rows.map((r) => [r.arch, r]));
    expect(byArch.rnn.lyapunov).toEqual({ top: -Infinity, spectrum: [-Infinity, -Infinity] });
    expect(byArch.rnn.theory).toEqual({ mean_field: -Infinity, cell_path: null, pmb_bound: -0.25 });
    expect(byArch.rnn.rate.dh).toBeCloseTo(-0.5, 12);
    expect(byArch.rnn.horizon.dh).toBe(null); // 7 steps x 0.5 = 3.5 decades < 6
    expect(byArch.lstm.lyapunov).toEqual({ top: -0.1, spectrum: [-0.1, -0.3, -0.7, -0.9] });
    expect(byArch.lstm.theory).toEqual({ mean_field: null, cell_path: -0.02, pmb_bound: null });
    expect(byArch.lstm.rate.dc).toBeCloseTo(-0.1, 12);

    const into = join(dir, 'merged.sqlite');
    mergeLabs([path], into);
    const merged = openReadonlyStore(into);
    const again = readProbeRates(merged, []);
    merged.close();
    expect(again.map((r) => [r.lyapunov, r.theory])).toEqual(rows.map((r) => [r.lyapunov, r.theory]));
  });

  it('a probe stored without rates (finished before schema 4) reads lyapunov null and theory nulls', () => {
    const { store, probes } = labWithTwoProbes(join(tempDir(), 'old.sqlite'));
    const norms = { dh: curve(8, 1), dWx: curve(8, 1), dWh: curve(8, 1), db: curve(8, 1) };
    store.storeResult(probes[0].id, { steps: 8, seconds: 0.1, theory: { whSpectralNorm: 1, meanSlope: 1 }, norms });
    const [row] = readProbeRates(store, []);
    store.close();
    expect(row.lyapunov).toBeNull();
    expect(row.theory).toEqual({ mean_field: null, cell_path: null, pmb_bound: null });
    expect(row.horizon.dh).toBe(6);
  });

  it('a read-only file of schema 3 (no rate columns) reads its rates as null', () => {
    const path = join(tempDir(), 'v3.sqlite');
    const { store, probes } = labWithTwoProbes(join(tempDir(), 'v4.sqlite'));
    store.close();
    const db = new Database(path);
    migrate(db, loadMigrations().slice(0, 3));
    db.close();
    // A sweep, a probe and its result as a schema-3 build wrote them (this one would write schema 4).
    const blob = Buffer.from(curve(8, 1).buffer);
    const raw = new Database(path);
    raw
      .prepare(
        `INSERT INTO sweeps (id, name, spec_json, spec_hash, total_probes, created_at) VALUES (1, 'old', '{}', 'h', 1, 'now')`,
      )
      .run();
    const p = probes[0];
    raw
      .prepare(
        `INSERT INTO probes (id, sweep_id, idx, arch, T, forget_bias, seed, N, D, H, init_scheme, wh_gain, h0_scale, b_scale, loss_step, config_json, status)
       VALUES (1, 1, 0, 'rnn', 8, NULL, 1, 1, 1, 2, 'scaled', 1, 0, 0, 7, ?, 'done')`,
      )
      .run(p.config_json);
    raw
      .prepare('INSERT INTO probe_results (probe_id, steps, dh, dc, dWx, dWh, db) VALUES (1, 8, ?, NULL, ?, ?, ?)')
      .run(blob, blob, blob, blob);
    raw.close();
    const reader = openReadonlyStore(path);
    const [row] = readProbeRates(reader, []);
    reader.close();
    expect(row.lyapunov).toBeNull();
    expect(row.theory).toEqual({ mean_field: null, cell_path: null, pmb_bound: null });
    expect(row.rate.dh).toBeCloseTo(-1, 12);
  });
});
