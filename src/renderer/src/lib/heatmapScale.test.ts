import { describe, expect, it } from 'vitest';
import type { ConnectivityTable } from '../../../contract/connectivity';
import { connectivitySteps } from '../../../contract/connectivity';
import { cellAt, colorAt, colorBarTicks, heatmapPixels, sharedRange, ZERO_RGB } from './heatmapScale';

function table(steps: number[], value: (t: number, k: number) => number | null): ConnectivityTable {
  const n = steps.length;
  const log10 = Array.from({ length: n * n }, (_, c) => {
    const [i, j] = [Math.floor(c / n), c % n];
    return j > i ? null : value(steps[i], steps[j]);
  });
  return {
    probeId: 1,
    sweepId: 1,
    arch: 'rnn',
    T: steps.at(-1)! + 1,
    forgetBias: null,
    seed: 1,
    norm: 'dh',
    steps,
    log10,
    seconds: 0,
    computedAt: '',
  };
}

describe('connectivity heatmap scale', () => {
  it('samples at most 256 steps evenly, first and last included', () => {
    expect(connectivitySteps(5)).toEqual([0, 1, 2, 3, 4]);
    const s = connectivitySteps(4096);
    expect(s.length).toBe(256);
    expect([s[0], s[1], s.at(-1)]).toEqual([0, 16, 4095]);
  });

  it('one scale over both panels from the cells that exist; exact zeros and k > t are left out of it', () => {
    const a = table([0, 1, 2, 3], (t, k) => k - t);
    const b = table([0, 1, 2, 3], (t, k) => (t - k === 3 ? null : 10 * (k - t)));
    expect(sharedRange([a, b])).toEqual({ min: -20, max: 0 });
    expect(sharedRange([])).toBeNull();
  });

  it('pixels: the map by value, grey for an exact 0, transparent where k > t', () => {
    const b = table([0, 1, 2], (t, k) => (t - k === 2 ? null : k - t));
    const px = heatmapPixels(b, { min: -1, max: 0 });
    const rgba = (i: number, j: number) => Array.from(px.slice((i * 3 + j) * 4, (i * 3 + j) * 4 + 4));
    expect(rgba(0, 1)[3]).toBe(0);
    expect(rgba(2, 0)).toEqual([...ZERO_RGB, 255]);
    expect(rgba(1, 1)).toEqual([...colorAt(1), 255]);
    expect(rgba(1, 0)).toEqual([...colorAt(0), 255]);
  });

  it('finds the hovered cell, none above the diagonal', () => {
    const steps = [0, 1, 2, 3];
    expect(cellAt(steps, 10, 390, 400, 400)).toEqual({ i: 3, j: 0 });
    expect(cellAt(steps, 390, 10, 400, 400)).toBeNull();
    expect(cellAt(steps, -1, 10, 400, 400)).toBeNull();
  });

  it('colour-bar ticks at decades inside the range', () => {
    const ticks = colorBarTicks({ min: -12.3, max: -0.2 });
    expect(ticks.every((t) => Number.isInteger(t.log10) && t.position >= 0 && t.position <= 1)).toBe(true);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
  });
});
