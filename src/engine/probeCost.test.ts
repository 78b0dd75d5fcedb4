import { describe, expect, it } from 'vitest';
import { CALIBRATION_PROBES, probeCostTerms, probeWork, timeCalibrationProbes } from './probeCost';
import { gateWidth } from './probeConfig';

describe('the probe cost model', () => {
  it('counts work as T * N * (D + H) * gate width, and steps as T', () => {
    expect(probeCostTerms({ arch: 'rnn', T: 3, N: 2, D: 5, H: 7 })).toEqual({ work: 3 * 2 * 12 * 7, steps: 3 });
    expect(probeCostTerms({ arch: 'lstm', T: 3, N: 2, D: 5, H: 7 })).toEqual({ work: 3 * 2 * 12 * 28, steps: 3 });
    const shape = { arch: 'lstm' as const, T: 100, N: 16, D: 16, H: 64 };
    expect(probeWork(shape)).toBe(probeCostTerms(shape).work);
    expect(probeWork(shape)).toBe(4 * probeWork({ ...shape, arch: 'rnn' }));
    expect(probeWork(shape) / gateWidth('lstm', 64)).toBe(100 * 16 * 80);
  });

  it('calibrates on one product-bound and one step-bound probe', () => {
    const big = probeCostTerms(CALIBRATION_PROBES.big);
    const small = probeCostTerms(CALIBRATION_PROBES.small);
    // Two independent cost terms are what lets speedModelFrom solve for both costs.
    expect(big.work / big.steps).toBeGreaterThan(100 * (small.work / small.steps));
  });

  it('times the calibration probes: one warm-up run is always dropped, so even runs=0 measures', () => {
    for (const runs of [0, 2]) {
      const t = timeCalibrationProbes(runs);
      for (const s of [t.big, t.small]) {
        expect(Number.isFinite(s)).toBe(true);
        expect(s).toBeGreaterThan(0);
      }
    }
  });
});
