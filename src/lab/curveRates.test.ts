// loadCurves carries the rates stored with each probe (schema 4): the theory lines' slopes. A
// read-only file of schema 3, which has no rate columns, reads them as null.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './testing/labTestSupport';
import { labWithTwoProbes, straightCurve, straightNorms, writeSchema3Lab } from './testing/rateLabs';
import { readCurveSet } from './sweepReads';
import { openReadonlyStore } from './store/readSummaries';

describe('curves with their stored rates', () => {
  it('each curve carries its probe’s Lyapunov top and theory rates (null where not applicable)', () => {
    const { store, sweepId, probes } = labWithTwoProbes(join(tempDir(), 'lab.sqlite'));
    const [rnn, lstm] = [probes.find((p) => p.arch === 'rnn')!, probes.find((p) => p.arch === 'lstm')!];
    const norms = straightNorms(0.5);
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
      norms: { ...norms, dc: straightCurve(8, 0.1) },
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
    writeSchema3Lab(path);
    const reader = openReadonlyStore(path);
    const set = readCurveSet(reader, { sweepId: 1, norm: 'dh' });
    reader.close();
    if (!set.ok) throw new Error(set.error.message);
    expect(set.value.curves).toHaveLength(1);
    expect(set.value.curves[0].theory).toMatchObject({ lyapunovTop: null, meanField: null, cellPath: null, pmbBound: null });
    expect(set.value.curves[0].log10[0]).toBeCloseTo(-7, 12);
  });
});
