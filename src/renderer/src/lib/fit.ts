// Decay-rate fits on log10 norms.
import type { Pt } from './decimate';

/** Least-squares slope of y on x; null with fewer than two distinct x. */
export function fitSlope(points: readonly Pt[]): number | null {
  const n = points.length;
  if (n < 2) return null;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.x;
    sy += p.y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) * (p.x - mx);
    sxy += (p.x - mx) * (p.y - my);
  }
  return sxx === 0 ? null : sxy / sxx;
}

/** Decades the norm must fall, relative to the loss step, to count as "forgotten". */
export const HORIZON_DECADES = 6;

/**
 * The first distance at which log10 norm has fallen `decades` below its value at distance 0.
 * Points must be sorted by x (distance) ascending and start at distance 0; null if it never does.
 */
export function horizon(points: readonly Pt[], decades = HORIZON_DECADES): number | null {
  const start = points.find((p) => p.x === 0);
  if (!start) return null;
  const threshold = start.y - decades;
  for (const p of points) if (p.x > 0 && p.y <= threshold) return p.x;
  return null;
}

/** log10(sigmoid(b)), stable for large |b|. */
export function log10Sigmoid(b: number): number {
  // log sigmoid(b) = -log(1 + e^-b) = -softplus(-b)
  const softplus = (z: number): number => (z > 30 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
  return -softplus(-b) / Math.LN10;
}
