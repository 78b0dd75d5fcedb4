// How a decay curve is summarised: its fitted rate (decades per step, over a stated window), its
// horizon, and their medians and spread over seeds. Shared by the Summary view and `seqlab
// summary`, so the two say the same thing. Pure: no Node, no DOM.
//
// Exact zeros are -Infinity, not missing: a norm that is exactly 0 from some distance on has
// forgotten completely, so the horizon is the first distance at which it is 0 (if the 1e-6 drop
// did not come first), a fit over a window holding a zero is -Infinity, and medians over seeds
// keep them (a median of three seeds two of which are 0 is -Infinity, not the third one's value).

/** A point of a decay curve: distance from the loss step (t - k) and log10 of the norm (-Infinity: exactly 0). */
export interface DecayPoint {
  x: number;
  y: number;
}

/** Decades the norm must fall, relative to the loss step, to count as "forgotten". */
export const HORIZON_DECADES = 6;

/** A curve as stored: log10 of the norm at each step k = 0..lossStep, null for an exact 0. */
export interface StepCurve {
  lossStep: number;
  log10: readonly (number | null)[];
}

/**
 * The curve's value at step k: log10, -Infinity for an exact 0, null for none. A 0 at step 0
 * alone (step 1 nonzero) is not forgetting but h0 = 0: dWh at step 0 is h0^T da_0 (with the
 * default h0Scale 0, always), so it is left out. Any other 0 stays 0 toward the past (backprop
 * is linear), so it is where the memory ended.
 */
function valueAt(c: StepCurve, k: number): number | null {
  if (k < 0 || k >= c.log10.length) return null;
  const v = c.log10[k];
  if (v !== null) return v;
  if (k === 0 && c.lossStep > 0 && c.log10.length > 1 && c.log10[1] !== null) return null;
  return -Infinity;
}

/** The curve by distance d = lossStep - k, zeros as -Infinity. */
export function decayPoints(c: StepCurve): DecayPoint[] {
  const out: DecayPoint[] = [];
  for (let d = 0; d <= c.lossStep; d++) {
    const y = valueAt(c, c.lossStep - d);
    if (y !== null) out.push({ x: d, y });
  }
  return out;
}

/** Numeric order that also orders -Infinity (a - b is NaN for two of them). */
export function ascending(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Least-squares slope of y on x, decades per step of distance (negative: decay); -Infinity when
 * some y is -Infinity (an exact zero inside the window); null with fewer than two distinct x.
 */
export function fitSlope(points: readonly DecayPoint[]): number | null {
  const n = points.length;
  if (n < 2) return null;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.x;
    sy += p.y;
  }
  const mx = sx / n;
  let sxx = 0;
  for (const p of points) sxx += (p.x - mx) * (p.x - mx);
  if (sxx === 0) return null;
  if (sy === -Infinity) return -Infinity;
  const my = sy / n;
  let sxy = 0;
  for (const p of points) sxy += (p.x - mx) * (p.y - my);
  return sxy / sxx;
}

/**
 * The first distance d > 0 at which the norm is exactly 0 or has fallen `decades` below its value
 * at distance 0; 0 when it is 0 at distance 0 already; null when neither happens within the
 * points (censored: more than the longest distance), or when there is no distance 0. Points
 * sorted by distance.
 */
export function horizon(points: readonly DecayPoint[], decades = HORIZON_DECADES): number | null {
  const start = points.find((p) => p.x === 0);
  if (!start) return null;
  if (start.y === -Infinity) return 0;
  const threshold = start.y - decades;
  for (const p of points) if (p.x > 0 && p.y <= threshold) return p.x;
  return null;
}

/** A fit window of distances [from, to]. */
export interface FitWindow {
  from: number;
  to: number;
}

/** The full range [0, longest], and the tail after the transient: its second half. */
export function fitWindows(longest: number): { full: FitWindow; tail: FitWindow } {
  return { full: { from: 0, to: longest }, tail: { from: Math.ceil(longest / 2), to: longest } };
}

export interface RateFit {
  /** Decades per step over the window; -Infinity: an exact zero inside it; null: fewer than two points. */
  rate: number | null;
  window: FitWindow;
}

export function fitOver(points: readonly DecayPoint[], window: FitWindow): RateFit {
  return { rate: fitSlope(points.filter((p) => p.x >= window.from && p.x <= window.to)), window };
}

/** One curve's summary: both fits and the horizon (null = not reached within `longest`). */
export interface CurveSummary {
  full: RateFit;
  tail: RateFit;
  horizon: number | null;
  /** The longest distance the curve covers (its loss step): a null horizon means "> longest". */
  longest: number;
}

export function summarizePoints(points: readonly DecayPoint[], decades = HORIZON_DECADES): CurveSummary {
  const longest = points.reduce((m, p) => Math.max(m, p.x), 0);
  const w = fitWindows(longest);
  return { full: fitOver(points, w.full), tail: fitOver(points, w.tail), horizon: horizon(points, decades), longest };
}

export function summarizeCurve(c: StepCurve, decades = HORIZON_DECADES): CurveSummary {
  return summarizePoints(decayPoints(c), decades);
}

/** Median keeping -Infinity; null values (nothing there) are skipped; null when none is left. */
export function median(values: readonly (number | null | undefined)[]): number | null {
  const s = values.filter((v): v is number => typeof v === 'number' && !Number.isNaN(v)).sort(ascending);
  if (s.length === 0) return null;
  const mid = s.length >> 1;
  if (s.length % 2 === 1) return s[mid];
  // (-Infinity + x) / 2 is -Infinity: half the seeds at zero put the median there.
  return (s[mid - 1] + s[mid]) / 2;
}

export interface Spread {
  min: number;
  max: number;
}

/** Min and max keeping -Infinity (null values skipped); null when none is left. */
export function spread(values: readonly (number | null | undefined)[]): Spread | null {
  const v = values.filter((x): x is number => typeof x === 'number' && !Number.isNaN(x));
  if (v.length === 0) return null;
  return { min: Math.min(...v), max: Math.max(...v) };
}

/**
 * The median curve over seeds by distance, zeros kept as -Infinity: the curve the Summary's fits
 * read. A distance no seed reaches is left out.
 */
export function medianCurve(curves: readonly StepCurve[]): DecayPoint[] {
  const longest = curves.reduce((m, c) => Math.max(m, c.lossStep), -1);
  const out: DecayPoint[] = [];
  for (let d = 0; d <= longest; d++) {
    const m = median(curves.map((c) => valueAt(c, c.lossStep - d)));
    if (m !== null) out.push({ x: d, y: m });
  }
  return out;
}

/**
 * Horizons in order, a censored one (null: not reached within the run, "> T") above every finite
 * one: ascending puts them last, descending first.
 */
export function compareHorizons(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return ascending(a, b);
}

/** A rate for people: "-∞" for an exact zero, "" for none. */
export function formatRate(rate: number | null, digits = 4): string {
  if (rate === null) return '';
  if (rate === -Infinity) return '-∞';
  return rate.toFixed(digits);
}

/** A horizon for people: "> longest" when censored. */
export function formatHorizon(h: number | null, longest: number): string {
  return h === null ? `> ${longest}` : String(h);
}
