// The values a range { from, to, count, scale } of a sweep spec stands for. The sweep's expansion
// and the app's form (which shows them beside the field and refuses a range whose rounded T
// values repeat) both read them here.

export interface SweepRange {
  from: number;
  to: number;
  count: number;
  scale?: 'linear' | 'log';
}

export function rangeValues(r: SweepRange): number[] {
  if (r.count === 1) return [r.from];
  const out: number[] = [];
  for (let i = 0; i < r.count; i++) {
    const f = i / (r.count - 1);
    out.push(
      r.scale === 'log' ? Math.exp(Math.log(r.from) + f * (Math.log(r.to) - Math.log(r.from))) : r.from + f * (r.to - r.from),
    );
  }
  // Pin the ends exactly.
  out[out.length - 1] = r.to;
  return out;
}

/** A range of sequence lengths: its values rounded to whole steps (before repeats are dropped). */
export function rangeLengths(r: SweepRange): number[] {
  return rangeValues(r).map((t) => Math.round(t));
}
