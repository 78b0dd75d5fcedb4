// Curves -> decay series: one per configuration (arch, T, forget bias), aggregated over seeds
// (median with a min-max band), indexed by distance from the loss step (t - k).
import type { Arch, Curve } from '../../../contract/labApi';
import { decimateMinMax } from './decimate';
import { band } from './stats';
import { median } from '../../../contract/decaySummary';

export interface BandPoint {
  /** Distance from the loss step, t - k. */
  x: number;
  median: number;
  min: number;
  max: number;
}

export interface DecaySeries {
  key: string;
  /** The sweep it comes from, when series of several sweeps are shown together. */
  sweepId: number | null;
  arch: Arch;
  T: number;
  forgetBias: number | null;
  seeds: number;
  /** Sorted by distance; distances where every seed is exactly 0 are left out (a log axis cannot draw them). */
  points: BandPoint[];
  /**
   * The rates stored with the probes, median over seeds, decades per step (null: not computed or
   * not applicable; -Infinity: an exact 0). What the theory lines' slopes are.
   */
  theory: SeriesTheory;
}

export interface SeriesTheory {
  /** The top finite-time Lyapunov exponent: the exact asymptotic rate. */
  lyapunovTop: number | null;
  /** RNN: log10(g_eff sqrt(E[tanh'(a)^2])) with the realized gain: a large-H approximation. */
  meanField: number | null;
  /** LSTM: the time-mean log10 f of the slowest-forgetting unit: the cell path only. */
  cellPath: number | null;
  /** RNN: log10 sigma_max(Wh), the Pascanu-Mikolov-Bengio upper bound. */
  pmbBound: number | null;
}

export const seriesKey = (arch: Arch, T: number, forgetBias: number | null, sweepId: number | null = null): string =>
  `${sweepId === null ? '' : `s${sweepId}|`}${arch === 'rnn' ? `rnn|T=${T}` : `${arch}|T=${T}|bf=${forgetBias}`}`;

export function buildDecaySeries(curves: readonly Curve[], filterT?: number, sweepId: number | null = null): DecaySeries[] {
  const groups = new Map<string, Curve[]>();
  for (const c of curves) {
    if (filterT !== undefined && c.T !== filterT) continue;
    const key = seriesKey(c.arch, c.T, c.arch === 'rnn' ? null : c.forgetBias, sweepId);
    const g = groups.get(key);
    if (g) g.push(c);
    else groups.set(key, [c]);
  }
  const out: DecaySeries[] = [];
  for (const [key, cs] of groups) {
    const first = cs[0];
    const maxLen = Math.max(...cs.map((c) => c.log10.length));
    const points: BandPoint[] = [];
    // Distance d = lossStep - k; each curve's own lossStep anchors it.
    for (let d = 0; d < maxLen; d++) {
      const b = band(cs.map((c) => (c.lossStep - d >= 0 ? c.log10[c.lossStep - d] : null)));
      if (b) points.push({ x: d, median: b.median, min: b.min, max: b.max });
    }
    const isRnn = first.arch === 'rnn';
    const rate = (pick: (t: Curve['theory']) => number | null | undefined): number | null =>
      median(cs.map((c) => pick(c.theory)));
    out.push({
      key,
      sweepId,
      arch: first.arch,
      T: first.T,
      forgetBias: isRnn ? null : first.forgetBias,
      seeds: new Set(cs.map((c) => c.seed)).size,
      points,
      theory: {
        lyapunovTop: rate((t) => t.lyapunovTop),
        meanField: rate((t) => t.meanField),
        cellPath: rate((t) => t.cellPath),
        pmbBound: rate((t) => t.pmbBound),
      },
    });
  }
  return out.sort(compareSeries);
}

const ARCH_ORDER: Record<Arch, number> = { rnn: 0, lstm: 1, gru: 2 };

/** RNN first, then LSTM, then GRU, each by T then forget bias. */
export function compareSeries(a: DecaySeries, b: DecaySeries): number {
  if (a.arch !== b.arch) return ARCH_ORDER[a.arch] - ARCH_ORDER[b.arch];
  if (a.T !== b.T) return a.T - b.T;
  return (a.forgetBias ?? 0) - (b.forgetBias ?? 0);
}

/** x transform for the chart: the log axis cannot show distance 0. */
export function visiblePoints(points: readonly BandPoint[], xScale: 'linear' | 'log'): BandPoint[] {
  return xScale === 'log' ? points.filter((p) => p.x > 0) : points.slice();
}

/**
 * Decimates a band series: the median drives the choice of points (min/max per bucket plus
 * both ends); the band values at those distances are kept.
 */
export function decimateBand(points: readonly BandPoint[], maxPoints: number): BandPoint[] {
  const tagged = points.map((p) => ({ x: p.x, y: p.median, p }));
  return decimateMinMax(tagged, maxPoints).map((t) => t.p);
}
