import { describe, expect, it } from 'vitest';
import { decimateMinMax } from './decimate';

describe('decimateMinMax', () => {
  it('returns short series unchanged', () => {
    const pts = [
      { x: 0, y: 1 },
      { x: 1, y: 2 },
    ];
    expect(decimateMinMax(pts, 100)).toEqual(pts);
  });
  it('keeps both ends, x order and extremes, within the budget', () => {
    const n = 5000;
    const pts = Array.from({ length: n }, (_, i) => ({ x: i, y: -0.3 * i + (i === 2500 ? 50 : 0) + (i === 4000 ? -80 : 0) }));
    const out = decimateMinMax(pts, 500);
    expect(out.length).toBeLessThanOrEqual(500);
    expect(out[0]).toBe(pts[0]);
    expect(out[out.length - 1]).toBe(pts[n - 1]);
    for (let i = 1; i < out.length; i++) expect(out[i].x).toBeGreaterThan(out[i - 1].x);
    expect(out.some((p) => p.x === 2500)).toBe(true); // spike up kept
    expect(out.some((p) => p.x === 4000)).toBe(true); // spike down kept
  });
  it('keeps the shape of a steady decay (monotone stays monotone)', () => {
    const pts = Array.from({ length: 3000 }, (_, i) => ({ x: i, y: -i / 10 }));
    const out = decimateMinMax(pts, 300);
    for (let i = 1; i < out.length; i++) expect(out[i].y).toBeLessThan(out[i - 1].y);
  });
});
