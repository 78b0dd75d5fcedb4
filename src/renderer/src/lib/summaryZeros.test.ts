// The Summary reads exact zeros as -Infinity (the shared decaySummary), and sorts censored horizons
// above every finite one.
import { describe, expect, it } from 'vitest';
import type { Curve } from '../../../contract/labApi';
import { buildDecaySeries, summarize } from './series';
import { sortRows } from './sortRows';

function curve(seed: number, T: number, rate: number, zeroFrom?: number): Curve {
  const lossStep = T - 1;
  const log10 = Array.from({ length: T }, (_, k) =>
    zeroFrom !== undefined && lossStep - k >= zeroFrom ? null : -rate * (lossStep - k),
  );
  return {
    probeId: seed,
    arch: 'rnn',
    T,
    forgetBias: null,
    seed,
    lossStep,
    log10,
    theory: { whGain: 0, whSpectralNorm: 0, meanSlope: 1 },
  };
}

describe('summary with exact zeros', () => {
  it('wh-gain 0 (exactly 0 from distance 1 in every seed): horizon 1 and rate -Infinity, not "> 63" and null', () => {
    const [row] = summarize(buildDecaySeries([curve(1, 64, 0, 1), curve(2, 64, 0, 1), curve(3, 64, 0, 1)]));
    expect(row.horizon).toBe(1);
    expect(row.ratePerStep).toBe(-Infinity);
    expect(row.rateSpread).toEqual({ min: -Infinity, max: -Infinity });
  });

  it('medians keep the seeds that are 0 (two of three: the median is 0 there)', () => {
    const [row] = summarize(buildDecaySeries([curve(1, 64, 0.1, 10), curve(2, 64, 0.1, 10), curve(3, 64, 0.1)]));
    expect(row.horizon).toBe(10);
    expect(row.rateSpread).toEqual({ min: -Infinity, max: expect.closeTo(-0.1, 12) });
  });

  it('sorts a censored horizon above every finite one', () => {
    const rows = summarize(buildDecaySeries([curve(1, 16, 0.1), curve(1, 32, 1), curve(1, 64, 0.5)]));
    expect(sortRows(rows, 'horizon', 'desc').map((r) => r.horizon)).toEqual([null, 12, 6]);
    expect(sortRows(rows, 'horizon', 'asc').map((r) => r.horizon)).toEqual([6, 12, null]);
  });
});
