// Sorting of the summary table: nulls last whatever the direction, except a censored horizon
// (null: "> T"), which sorts above every finite one (last ascending, first descending).
import type { SummaryRow } from './series';
import { ascending, compareHorizons } from '../../../contract/decaySummary';

export type SortKey = 'arch' | 'T' | 'forgetBias' | 'seeds' | 'ratePerStep' | 'factorPerStep' | 'horizon';

export function sortRows(rows: readonly SummaryRow[], key: SortKey, dir: 'asc' | 'desc'): SummaryRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    if (key === 'horizon') return sign * compareHorizons(a.horizon, b.horizon);
    const va = a[key];
    const vb = b[key];
    if (va === vb) return 0;
    if (va === null) return 1;
    if (vb === null) return -1;
    if (typeof va === 'string' && typeof vb === 'string') return sign * va.localeCompare(vb);
    return sign * ascending(va as number, vb as number);
  });
}
