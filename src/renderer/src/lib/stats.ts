// Order statistics over seeds.

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export interface Band {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Median, min and max of the non-null values; null when there are none. */
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
