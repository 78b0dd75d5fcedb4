// Order statistics over seeds. -Infinity (an exact 0) is a value like any other: it sorts below
// every finite number, so medians and spreads keep it; only null (nothing there) is skipped.
import { ascending } from '../../../contract/decaySummary';

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort(ascending);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export interface Band {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Median, min and max of the finite values (a decay curve's band: a log axis cannot draw -Infinity); null when there are none. */
export function band(values: readonly (number | null | undefined)[]): Band | null {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0) return null;
  let min = v[0];
  let max = v[0];
  for (const x of v) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { median: median(v) as number, min, max, n: v.length };
}

/**
 * The q-quantile (0..1) of sorted values, linear between neighbours (numpy's default). Between
 * -Infinity and a finite value it is -Infinity unless it lands exactly on the finite one.
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  if (lo === hi) return sorted[lo];
  const f = pos - lo;
  return sorted[lo] * (1 - f) + sorted[hi] * f;
}

/** How the spread over seeds is drawn: the full range, or the middle half. */
export type SpreadKind = 'minmax' | 'iqr';

export const SPREAD_LABELS: Record<SpreadKind, string> = { minmax: 'min–max over seeds', iqr: 'interquartile range over seeds' };

export interface SeedStats {
  median: number;
  /** The spread's ends (min–max or the quartiles). */
  low: number;
  high: number;
  n: number;
}

/** Median and spread of the non-null values, -Infinity kept; null when there are none. */
export function seedStats(values: readonly (number | null | undefined)[], kind: SpreadKind): SeedStats | null {
  const s = values.filter((x): x is number => typeof x === 'number' && !Number.isNaN(x)).sort(ascending);
  if (s.length === 0) return null;
  const [qLow, qHigh] = kind === 'minmax' ? [0, 1] : [0.25, 0.75];
  return { median: quantileSorted(s, 0.5), low: quantileSorted(s, qLow), high: quantileSorted(s, qHigh), n: s.length };
}
