import { describe, expect, it } from 'vitest';
import {
  compareHorizons,
  decayPoints,
  fitSlope,
  formatHorizon,
  formatRate,
  horizon,
  median,
  medianCurve,
  spread,
  summarizeCurve,
} from './decaySummary';

/** log10 norms at k = 0..T-1 of a curve falling `rate` decades per step toward the past, loss at T-1. */
function line(T: number, rate: number, zeroFrom?: number): { lossStep: number; log10: (number | null)[] } {
  const log10 = Array.from({ length: T }, (_, k) => {
    const d = T - 1 - k;
    return zeroFrom !== undefined && d >= zeroFrom ? null : -rate * -d;
  });
  return { lossStep: T - 1, log10 };
}

describe('decay summary', () => {
  it('fits the rate over the full range and over the tail after the transient', () => {
    // A transient of 10 steps at -1 decade/step, then -0.1.
    const T = 101;
    const log10 = Array.from({ length: T }, (_, k) => {
      const d = T - 1 - k;
      return d <= 10 ? -d : -10 - 0.1 * (d - 10);
    });
    const s = summarizeCurve({ lossStep: T - 1, log10 });
    expect(s.tail.window).toEqual({ from: 50, to: 100 });
    expect(s.tail.rate).toBeCloseTo(-0.1, 12);
    expect(s.full.window).toEqual({ from: 0, to: 100 });
    expect(s.full.rate!).toBeLessThan(-0.1);
    expect(s.horizon).toBe(6);
  });

  it('treats exact zeros as -Infinity: wh-gain 0 is forgotten at distance 1, not never', () => {
    // The RNN with wh-gain 0: dL/dh_k is exactly 0 for every k < t.
    const s = summarizeCurve(line(64, -0.5, 1));
    expect(s.horizon).toBe(1);
    expect(s.full.rate).toBe(-Infinity);
    expect(formatRate(s.full.rate)).toBe('-∞');
    // A curve that reaches 0 before falling 6 decades: the horizon is the first zero.
    expect(horizon(decayPoints(line(40, -0.1, 20)))).toBe(20);
    // A zero only past the tail window's start still makes the tail -Infinity; the 6-decade drop came first.
    const late = summarizeCurve(line(40, -0.5, 30));
    expect(late.horizon).toBe(12);
    expect(late.tail.rate).toBe(-Infinity);
    expect(
      fitSlope([
        { x: 0, y: 1 },
        { x: 1, y: -Infinity },
      ]),
    ).toBe(-Infinity);
  });

  it('leaves out a 0 at step 0 alone (dWh with h0 = 0), which is not forgetting', () => {
    const dWh = line(20, -0.1);
    dWh.log10[0] = null;
    const s = summarizeCurve(dWh);
    expect(s.full.rate).toBeCloseTo(-0.1, 12);
    expect(s.horizon).toBeNull();
    expect(s.full.window.to).toBe(18);
    expect(medianCurve([dWh, dWh]).map((p) => p.x)).toHaveLength(19);
  });

  it('keeps zeros in medians and spread over seeds', () => {
    expect(median([-Infinity, -3, -Infinity])).toBe(-Infinity);
    expect(median([-Infinity, -3, -2])).toBe(-3);
    expect(median([-Infinity, -2])).toBe(-Infinity);
    expect(median([null, -1, -2])).toBe(-1.5);
    expect(median([])).toBeNull();
    expect(spread([-Infinity, -0.2, null, -0.5])).toEqual({ min: -Infinity, max: -0.2 });
    // Two seeds of three are exactly 0 from distance 5: the median curve is -Infinity there.
    const m = medianCurve([line(10, -0.1, 5), line(10, -0.1, 5), line(10, -0.1)]);
    expect(m.map((p) => p.x)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(m[5].y).toBe(-Infinity);
    expect(m[4].y).toBeCloseTo(-0.4, 12);
  });

  it('a curve that never falls 6 decades is censored ("> longest")', () => {
    const s = summarizeCurve(line(16, -0.1));
    expect(s.horizon).toBeNull();
    expect(s.longest).toBe(15);
    expect(formatHorizon(s.horizon, s.longest)).toBe('> 15');
  });

  it('sorts censored horizons above every finite one', () => {
    const hs = [12, null, 3, 0, null, 40];
    expect([...hs].sort(compareHorizons)).toEqual([0, 3, 12, 40, null, null]);
    expect([...hs].sort((a, b) => -compareHorizons(a, b))).toEqual([null, null, 40, 12, 3, 0]);
  });
});
