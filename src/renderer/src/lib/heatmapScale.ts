// The connectivity heatmap's geometry and colour scale, pure (tested without a canvas): cells
// (row i = loss step t, column j = step k <= t), one log colour scale shared by the panels shown
// side by side, the cell under a pointer, and the colour bar's decade ticks.
import type { ConnectivityTable } from '../../../contract/connectivity';
import { rampColor } from './colors';
import { decadeTicks } from './ticks';

export interface ColorRange {
  /** log10 of the norm at the scale's ends. */
  min: number;
  max: number;
}

/** Whether cell (i, j) exists: the gradient of a loss at step t reaches only steps k <= t. */
export const cellExists = (steps: readonly number[], i: number, j: number): boolean => steps[j] <= steps[i];

/** The finite log10 values' range over every table (exact zeros are drawn apart); null when none. */
export function sharedRange(tables: readonly ConnectivityTable[]): ColorRange | null {
  let min = Infinity;
  let max = -Infinity;
  for (const t of tables) {
    const n = t.steps.length;
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i && j < n; j++) {
        const v = t.log10[i * n + j];
        if (v === null || !cellExists(t.steps, i, j)) continue;
        if (v < min) min = v;
        if (v > max) max = v;
      }
  }
  if (min === Infinity) return null;
  return max - min < 1e-9 ? { min: min - 0.5, max: max + 0.5 } : { min, max };
}

/** Position 0..1 of a log10 value on the scale (clamped). */
export const scalePosition = (v: number, r: ColorRange): number => Math.min(1, Math.max(0, (v - r.min) / (r.max - r.min)));

/** [r, g, b] of the colour map at 0..1: the app's sequential ramp, dark purple (small) to yellow (large). */
export function colorAt(t: number): [number, number, number] {
  const m = /rgb\((\d+), (\d+), (\d+)\)/.exec(rampColor(1 - t))!;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** The colour of an exact 0 (no colour of the map): a light grey. */
export const ZERO_RGB: [number, number, number] = [205, 208, 214];

/** The colour bar's CSS gradient, bottom (min) to top (max). */
export function colorBarGradient(stops = 16): string {
  const parts = Array.from({ length: stops + 1 }, (_, i) => {
    const [r, g, b] = colorAt(i / stops);
    return `rgb(${r}, ${g}, ${b}) ${((100 * i) / stops).toFixed(1)}%`;
  });
  return `linear-gradient(to top, ${parts.join(', ')})`;
}

/** Decade ticks of the colour bar with their position 0..1 from the bottom. */
export function colorBarTicks(r: ColorRange, maxTicks = 9): { log10: number; position: number }[] {
  return decadeTicks(r.min, r.max, maxTicks)
    .filter((v) => v >= r.min - 1e-9 && v <= r.max + 1e-9)
    .map((v) => ({ log10: v, position: scalePosition(v, r) }));
}

/** The cell under a point of the plot area (0..width, 0..height), or null outside or where no cell exists. */
export function cellAt(
  steps: readonly number[],
  px: number,
  py: number,
  width: number,
  height: number,
): { i: number; j: number } | null {
  const n = steps.length;
  if (px < 0 || py < 0 || px >= width || py >= height) return null;
  const j = Math.floor((px / width) * n);
  const i = Math.floor((py / height) * n);
  return cellExists(steps, i, j) ? { i, j } : null;
}

/** The table as RGBA pixels, one per cell (n x n, row i at the top): what the canvas scales up. */
export function heatmapPixels(t: ConnectivityTable, r: ColorRange): Uint8ClampedArray {
  const n = t.steps.length;
  const px = new Uint8ClampedArray(n * n * 4);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const o = (i * n + j) * 4;
      if (!cellExists(t.steps, i, j)) continue; // transparent: no such gradient
      const v = t.log10[i * n + j];
      const [cr, cg, cb] = v === null ? ZERO_RGB : colorAt(scalePosition(v, r));
      px[o] = cr;
      px[o + 1] = cg;
      px[o + 2] = cb;
      px[o + 3] = 255;
    }
  return px;
}
