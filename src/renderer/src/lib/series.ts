// Curves -> decay series: one per configuration (arch, T, forget bias), aggregated over seeds
// (median with a min-max band), indexed by distance from the loss step (t - k).
import type { Arch, Curve } from '../../../contract/labApi';
import { decimateMinMax, type Pt } from './decimate';
import { log10Sigmoid } from './fit';
import { band, median } from './stats';
import {
  medianCurve,
  spread,
  summarizeCurve,
  summarizePoints,
  type DecayPoint,
  type FitWindow,
  type Spread,
} from '../../../contract/decaySummary';

export interface BandPoint {
  /** Distance from the loss step, t - k. */
  x: number;
  median: number;
  min: number;
  max: number;
}

export interface DecaySeries {
  key: string;
  arch: Arch;
  T: number;
  forgetBias: number | null;
  seeds: number;
  /** Sorted by distance; distances where every seed is exactly 0 are left out (a log axis cannot draw them). */
  points: BandPoint[];
  /** The median over seeds by distance with exact zeros kept as -Infinity: what the Summary fits. */
  summaryPoints: DecayPoint[];
  /** Per seed, its own full-range fitted rate (the Summary's spread). */
  seedRates: (number | null)[];
  /** Per-step slopes in log10 units for the theory overlays (null when not applicable). */
  theory: {
    /** LSTM cell path: log10 sigma(bf). */
    forgetFactor: number | null;
    /** RNN: log10(g * sqrt(E[tanh'^2])), median over seeds. */
    rnnFactor: number | null;
    /** RNN: log10 of the Pascanu-Mikolov-Bengio bound gamma * sigma_max(Wh), gamma = 1. */
    pascanuBound: number | null;
  };
}

export const seriesKey = (arch: Arch, T: number, forgetBias: number | null): string =>
  arch === 'rnn' ? `rnn|T=${T}` : `lstm|T=${T}|bf=${forgetBias}`;

export function buildDecaySeries(curves: readonly Curve[], filterT?: number): DecaySeries[] {
  const groups = new Map<string, Curve[]>();
  for (const c of curves) {
    if (filterT !== undefined && c.T !== filterT) continue;
    const key = seriesKey(c.arch, c.T, c.arch === 'rnn' ? null : c.forgetBias);
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
    const log10OrNull = (v: number): number | null => (v > 0 && Number.isFinite(v) ? Math.log10(v) : null);
    const isRnn = first.arch === 'rnn';
    const rnnFactor = isRnn ? median(cs.map((c) => c.theory.meanSlope * c.theory.whGain)) : null;
    const bound = isRnn ? median(cs.map((c) => c.theory.whSpectralNorm)) : null;
    out.push({
      key,
      arch: first.arch,
      T: first.T,
      forgetBias: isRnn ? null : first.forgetBias,
      seeds: new Set(cs.map((c) => c.seed)).size,
      points,
      summaryPoints: medianCurve(cs),
      seedRates: cs.map((c) => summarizeCurve(c).full.rate),
      theory: {
        forgetFactor: !isRnn && first.forgetBias !== null ? log10Sigmoid(first.forgetBias) : null,
        rnnFactor: rnnFactor === null ? null : log10OrNull(rnnFactor),
        pascanuBound: bound === null ? null : log10OrNull(bound),
      },
    });
  }
  return out.sort(compareSeries);
}

/** RNN first, then LSTM by T then forget bias. */
export function compareSeries(a: DecaySeries, b: DecaySeries): number {
  if (a.arch !== b.arch) return a.arch === 'rnn' ? -1 : 1;
  if (a.T !== b.T) return a.T - b.T;
  return (a.forgetBias ?? 0) - (b.forgetBias ?? 0);
}

export interface SummaryRow {
  key: string;
  arch: Arch;
  T: number;
  forgetBias: number | null;
  seeds: number;
  /** Fitted slope of log10 norm against distance over the full range: decades per step (negative = decay; -Infinity: exactly 0 inside it). */
  ratePerStep: number | null;
  /** The same over the tail after the transient (the second half of the distances). */
  rateTail?: number | null;
  fitWindows?: { full: FitWindow; tail: FitWindow };
  /** Min and max over seeds of each seed's full-range rate. */
  rateSpread?: Spread | null;
  /** The longest distance: a null horizon means "> longest". */
  longest?: number;
  /** 10^rate: the per-step factor. */
  factorPerStep: number | null;
  /** Distance at which the norm has fallen 1e6 below the loss step's, or is exactly 0; null = never within T (censored). */
  horizon: number | null;
}

export function summarize(series: readonly DecaySeries[]): SummaryRow[] {
  return series.map((s) => {
    const fit = summarizePoints(s.summaryPoints);
    const rate = fit.full.rate;
    return {
      key: s.key,
      arch: s.arch,
      T: s.T,
      forgetBias: s.forgetBias,
      seeds: s.seeds,
      ratePerStep: rate,
      rateTail: fit.tail.rate,
      fitWindows: { full: fit.full.window, tail: fit.tail.window },
      rateSpread: spread(s.seedRates),
      longest: fit.longest,
      factorPerStep: rate === null ? null : Math.pow(10, rate),
      horizon: fit.horizon,
    };
  });
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

/** A straight line in log10 space from (x0, y0) with the given slope, sampled at xs. */
export function theoryLine(xs: readonly number[], y0: number, slope: number): Pt[] {
  return xs.map((x) => ({ x, y: y0 + slope * x }));
}
