import { describe, expect, it } from 'vitest';
import { fitSlope, horizon } from './fit';

describe('fits', () => {
  it('fits the slope of a line exactly', () => {
    const pts = Array.from({ length: 20 }, (_, x) => ({ x, y: 3 - 0.25 * x }));
    expect(fitSlope(pts)).toBeCloseTo(-0.25, 12);
    expect(fitSlope([{ x: 1, y: 2 }])).toBeNull();
    expect(
      fitSlope([
        { x: 1, y: 2 },
        { x: 1, y: 3 },
      ]),
    ).toBeNull();
  });
  it('finds the horizon where the norm has fallen 1e6 below the loss step', () => {
    const pts = Array.from({ length: 50 }, (_, x) => ({ x, y: -0.5 * x }));
    expect(horizon(pts)).toBe(12);
    expect(horizon(pts.slice(0, 10))).toBeNull();
    expect(horizon(pts.slice(1))).toBeNull(); // no distance 0
  });
});
