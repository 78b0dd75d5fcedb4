// The rates a worker computes, stored with the probe (schema 4), read back as `seqlab summary`
// rows, carried by a merge; and a row of a probe stored without them.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../testing/labTestSupport';
import { labWithTwoProbes, straightCurve, straightNorms, writeSchema3Lab } from '../testing/rateLabs';
import { mergeLabs } from '../mergeLabs';
import { readProbeRates } from '../probeRates';
import { openReadonlyStore } from './readSummaries';

describe('probe rates in the lab file', () => {
  it('stores the Lyapunov exponents and theory rates with the curves, -Infinity included, and a merge carries them', () => {
    const dir = tempDir();
    const path = join(dir, 'shard.sqlite');
    const { store, probes } = labWithTwoProbes(path);
    const [rnn, lstm] = [probes.find((p) => p.arch === 'rnn')!, probes.find((p) => p.arch === 'lstm')!];
    const norms = straightNorms(0.5);
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
      norms: { ...norms, dc: straightCurve(8, 0.1) },
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
    const norms = straightNorms(1);
    store.storeResult(probes[0].id, { steps: 8, seconds: 0.1, theory: { whSpectralNorm: 1, meanSlope: 1 }, norms });
    const [row] = readProbeRates(store, []);
    store.close();
    expect(row.lyapunov).toBeNull();
    expect(row.theory).toEqual({ mean_field: null, cell_path: null, pmb_bound: null });
    expect(row.horizon.dh).toBe(6);
  });

  it('a read-only file of schema 3 (no rate columns) reads its rates as null', () => {
    const path = join(tempDir(), 'v3.sqlite');
    writeSchema3Lab(path);
    const reader = openReadonlyStore(path);
    const [row] = readProbeRates(reader, []);
    reader.close();
    expect(row.lyapunov).toBeNull();
    expect(row.theory).toEqual({ mean_field: null, cell_path: null, pmb_bound: null });
    expect(row.rate.dh).toBeCloseTo(-1, 12);
  });
});
