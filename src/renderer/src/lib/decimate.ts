// Decimation for curves of thousands of points: min/max per bucket (in x order), always
// keeping the first and last point. Works on the log10 values, so it keeps the shape on the
// log axis, including sharp drops.

export interface Pt {
  x: number;
  y: number;
}

export function decimateMinMax<P extends Pt>(points: readonly P[], maxPoints: number): P[] {
  const n = points.length;
  if (n <= maxPoints || maxPoints < 4) return points.slice();
  const first = points[0];
  const last = points[n - 1];
  const inner = n - 2;
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2));
  const out: P[] = [first];
  for (let b = 0; b < buckets; b++) {
    const lo = 1 + Math.floor((b * inner) / buckets);
    const hi = 1 + Math.floor(((b + 1) * inner) / buckets);
    if (hi <= lo) continue;
    let iMin = lo;
    let iMax = lo;
    for (let i = lo; i < hi; i++) {
      if (points[i].y < points[iMin].y) iMin = i;
      if (points[i].y > points[iMax].y) iMax = i;
    }
    if (iMin === iMax) out.push(points[iMin]);
    else if (iMin < iMax) out.push(points[iMin], points[iMax]);
    else out.push(points[iMax], points[iMin]);
  }
  out.push(last);
  return out;
}
