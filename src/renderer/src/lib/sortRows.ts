// Sorting of the Summary table. Nulls (nothing there) last whatever the direction; -Infinity (an
// exact 0) is the smallest number; a censored horizon ("> T") sorts above every finite one (last
// ascending, first descending).
import { ascending, compareHorizons } from '../../../contract/decaySummary';
import { rateOver, theoryRate, type SummaryRow } from './summaryRows';

export type SortKey =
  'series' | 'arch' | 'T' | 'forgetBias' | 'seeds' | 'rate' | 'rateTail' | 'horizon' | 'lyapunovTop' | 'theory' | 'pmbBound';

function valueOf(r: SummaryRow, key: Exclude<SortKey, 'horizon'>, series: (r: SummaryRow) => string): number | string | null {
  switch (key) {
    case 'series':
      return series(r);
    case 'arch':
      return r.arch;
    case 'rate':
      return rateOver(r, 'full')?.median ?? null;
    case 'rateTail':
      return rateOver(r, 'tail')?.median ?? null;
    case 'theory':
      return theoryRate(r);
    default:
      return r[key];
  }
}

export function sortRows(
  rows: readonly SummaryRow[],
  key: SortKey,
  dir: 'asc' | 'desc',
  series: (r: SummaryRow) => string = () => '',
): SummaryRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    if (key === 'horizon') {
      // A row without the norm has no horizon at all: last both ways.
      if (a.horizonMedian === undefined || b.horizonMedian === undefined)
        return a.horizonMedian === b.horizonMedian ? 0 : a.horizonMedian === undefined ? 1 : -1;
      return sign * compareHorizons(a.horizonMedian, b.horizonMedian);
    }
    const va = valueOf(a, key, series);
    const vb = valueOf(b, key, series);
    if (va === vb) return 0;
    if (va === null) return 1;
    if (vb === null) return -1;
    if (typeof va === 'string' && typeof vb === 'string') return sign * va.localeCompare(vb);
    return sign * ascending(va as number, vb as number);
  });
}
