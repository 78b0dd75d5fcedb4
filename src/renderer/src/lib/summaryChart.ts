// Summary rows -> chart.js datasets: the median over seeds of a rate (over a stated fit window)
// or of the horizon, with the seeds' spread as error bars. With LSTM rows, against forget bias:
// one line per (sweep, T), and the RNN/GRU of each T as one dashed horizontal line (Ts whose
// values are the same share one line and one legend entry). Without, against T. Colour encodes
// T, dash the architecture, the point shape the sweep. Values no axis can hold are drawn at its
// ends with a triangle and said in the tooltip: a rate of -Infinity (exactly 0) at the floor, a
// censored horizon ("> T") at the ceiling.
import type { ChartDataset } from 'chart.js';
import { categoryColors } from './colors';
import type { ErrorBar, ErrorBarFields } from './errorBars';
import { formatNum } from './format';
import { roundLimitsOutward } from './ticks';
import type { SeedStats } from './stats';
import { rateOver, type FitWindowKind, type SummaryRow } from './summaryRows';

export type SummaryMetric = 'rate' | 'horizon';
export type SummaryDataset = ChartDataset<'line', { x: number; y: number }[]> & ErrorBarFields;

export interface SummaryChartOptions {
  metric: SummaryMetric;
  window: FitWindowKind;
  /** Draw each line's Lyapunov top beside it (rate only). */
  lyapunov: boolean;
  /** The label of a sweep's series when several sweeps are shown (what differs); null: one sweep. */
  sweepLabel: ((sweepId: number) => string) | null;
}

/** What the chart shows, value by value, for the test build's chart description. */
export interface SummarySeriesDescription {
  label: string;
  kind: 'measured' | 'lyapunov';
  points: { x: number; median: number; low: number | null; high: number | null; lossStep: number }[];
}

export interface SummaryChart {
  datasets: SummaryDataset[];
  xAxis: 'forgetBias' | 'T';
  /** The y range that holds every drawn point, the floor/ceiling markers included (null: nothing drawn). */
  yRange: { min: number; max: number } | null;
  /** Points drawn at the floor (-Infinity) or at the ceiling (censored). */
  floorPoints: number;
  ceilingPoints: number;
  series: SummarySeriesDescription[];
}

const SWEEP_POINT_STYLES = ['circle', 'rect', 'rectRot', 'star', 'crossRot', 'triangle'] as const;
const DASH: Record<string, number[]> = { lstm: [], rnn: [8, 4], gru: [2, 3] };

const archName = (a: string): string => a.toUpperCase();

function statsOf(r: SummaryRow, o: SummaryChartOptions): SeedStats | null {
  return o.metric === 'rate' ? rateOver(r, o.window) : r.horizon;
}

interface RawPoint {
  x: number;
  median: number;
  low: number | null;
  high: number | null;
  /** Its probes' loss step: what a censored horizon is "more than". */
  lossStep: number;
}

interface RawSeries {
  label: string;
  kind: 'measured' | 'lyapunov';
  color: string;
  dash: number[];
  pointStyle: (typeof SWEEP_POINT_STYLES)[number];
  points: RawPoint[];
  /** A horizontal reference (RNN against forget bias): drawn from xMin to xMax. */
  horizontal: boolean;
}

function describeValue(v: number, metric: SummaryMetric, lossStep: number): string {
  if (v === -Infinity) return '−∞ (exactly 0)';
  if (v === Infinity) return `> ${lossStep} (not reached within the run)`;
  return metric === 'rate' ? `${v.toFixed(4)} decades/step` : `${formatNum(v)} steps`;
}

export function buildSummaryChartData(rows: readonly SummaryRow[], o: SummaryChartOptions): SummaryChart {
  const hasLstm = rows.some((r) => r.arch === 'lstm' && r.forgetBias !== null);
  const xAxis = hasLstm ? 'forgetBias' : 'T';
  const Ts = [...new Set(rows.map((r) => r.T))].sort((a, b) => a - b);
  const tColor = new Map(Ts.map((T, i) => [T, categoryColors(Ts.length)[i]]));
  const sweeps = [...new Set(rows.map((r) => r.sweepId))];
  const sweepStyle = new Map(sweeps.map((id, i) => [id, SWEEP_POINT_STYLES[i % SWEEP_POINT_STYLES.length]]));
  const suffix = (sweepId: number): string => (o.sweepLabel ? `, ${o.sweepLabel(sweepId)}` : '');
  const raw: RawSeries[] = [];
  const point = (x: number, s: SeedStats, lossStep: number): RawPoint => ({
    x,
    median: s.median,
    low: s.low,
    high: s.high,
    lossStep,
  });

  if (xAxis === 'forgetBias') {
    for (const sweepId of sweeps) {
      // The archs without a forget bias: one horizontal line per distinct value, its Ts together,
      // drawn after the LSTM line of its first T.
      const references: { firstT: number; series: RawSeries }[] = [];
      for (const arch of ['rnn', 'gru'] as const) {
        const byValue = new Map<string, { Ts: number[]; s: SeedStats; lossStep: number }>();
        for (const r of rows.filter((x) => x.sweepId === sweepId && x.arch === arch)) {
          const st = statsOf(r, o);
          if (!st) continue;
          const k = [st.median, st.low, st.high].map((v) => (Number.isFinite(v) ? v.toFixed(6) : String(v))).join('|');
          const g = byValue.get(k);
          if (g) g.Ts.push(r.T);
          else byValue.set(k, { Ts: [r.T], s: st, lossStep: r.lossStep });
        }
        for (const { Ts: ts, s: st, lossStep } of byValue.values()) {
          references.push({
            firstT: ts[0],
            series: {
              label: `${archName(arch)} T=${ts.join(', ')}${suffix(sweepId)}`,
              kind: 'measured',
              color: ts.length === 1 ? tColor.get(ts[0])! : '#555',
              dash: DASH[arch],
              pointStyle: sweepStyle.get(sweepId)!,
              points: [point(ts[0], st, lossStep)],
              horizontal: true,
            },
          });
        }
      }
      for (const T of Ts) {
        const lstm = rows
          .filter((r) => r.sweepId === sweepId && r.T === T && r.arch === 'lstm' && r.forgetBias !== null)
          .sort((a, b) => (a.forgetBias as number) - (b.forgetBias as number));
        const pts = lstm.flatMap((r) => {
          const st = statsOf(r, o);
          return st ? [point(r.forgetBias as number, st, r.lossStep)] : [];
        });
        const base = { color: tColor.get(T)!, pointStyle: sweepStyle.get(sweepId)!, horizontal: false };
        if (pts.length)
          raw.push({ ...base, label: `LSTM T=${T}${suffix(sweepId)}`, kind: 'measured', dash: DASH.lstm, points: pts });
        if (o.lyapunov && o.metric === 'rate') {
          const lyap = lstm.filter((r) => r.lyapunovTop !== null);
          if (lyap.length)
            raw.push({
              ...base,
              label: `Lyapunov top, LSTM T=${T}${suffix(sweepId)}`,
              kind: 'lyapunov',
              dash: [2, 2],
              points: lyap.map((r) => ({
                x: r.forgetBias as number,
                median: r.lyapunovTop as number,
                low: null,
                high: null,
                lossStep: r.lossStep,
              })),
            });
        }
        for (const ref of references) if (ref.firstT === T) raw.push(ref.series);
      }
    }
  } else {
    for (const sweepId of sweeps) {
      for (const arch of ['rnn', 'gru', 'lstm'] as const) {
        const rs = rows.filter((r) => r.sweepId === sweepId && r.arch === arch).sort((a, b) => a.T - b.T);
        const pts = rs.flatMap((r) => {
          const s = statsOf(r, o);
          return s ? [point(r.T, s, r.lossStep)] : [];
        });
        const base = { color: arch === 'rnn' ? '#d62728' : '#2ca02c', pointStyle: sweepStyle.get(sweepId)!, horizontal: false };
        if (pts.length)
          raw.push({ ...base, label: `${archName(arch)}${suffix(sweepId)}`, kind: 'measured', dash: DASH[arch], points: pts });
        const lyap = rs.filter((r) => r.lyapunovTop !== null);
        if (o.lyapunov && o.metric === 'rate' && lyap.length)
          raw.push({
            ...base,
            label: `Lyapunov top, ${archName(arch)}${suffix(sweepId)}`,
            kind: 'lyapunov',
            dash: [2, 2],
            points: lyap.map((r) => ({ x: r.T, median: r.lyapunovTop as number, low: null, high: null, lossStep: r.lossStep })),
          });
      }
    }
  }

  // The y range from the finite values; -Infinity sits below it, a censored horizon above.
  const finite = raw
    .flatMap((s) => s.points.flatMap((p) => [p.median, p.low, p.high]))
    .filter((v): v is number => v !== null && Number.isFinite(v));
  let lo = finite.length ? Math.min(...finite) : o.metric === 'rate' ? -1 : 0;
  let hi = finite.length ? Math.max(...finite) : o.metric === 'rate' ? 0 : 1;
  // A narrow spread of values still gets an axis a reader can place them on (and round ends).
  const minSpan = o.metric === 'rate' ? 0.05 : 2;
  if (hi - lo < minSpan) {
    const mid = (hi + lo) / 2;
    lo = mid - minSpan / 2;
    hi = mid + minSpan / 2;
  }
  const span = hi - lo;
  const floor = lo - 0.12 * span;
  const ceiling = hi + 0.12 * span;
  const place = (v: number): number => (v === -Infinity ? floor : v === Infinity ? ceiling : v);
  const biases = rows.filter((r) => r.arch === 'lstm' && r.forgetBias !== null).map((r) => r.forgetBias as number);
  const xMin = biases.length ? Math.min(...biases) : 0;
  const xMax = biases.length ? Math.max(...biases) : 1;
  let floorPoints = 0;
  let ceilingPoints = 0;

  const horizontals = raw.filter((x) => x.horizontal);
  const datasets: SummaryDataset[] = raw.map((s) => {
    const drawn = s.horizontal
      ? [
          { ...s.points[0], x: xMin },
          { ...s.points[0], x: xMax === xMin ? xMin + 1 : xMax },
        ]
      : s.points;
    for (const p of s.points) {
      if (p.median === -Infinity) floorPoints++;
      if (p.median === Infinity) ceilingPoints++;
    }
    const marker = (v: number): 'triangle' | (typeof SWEEP_POINT_STYLES)[number] =>
      v === -Infinity || v === Infinity ? 'triangle' : s.pointStyle;
    const bars: (ErrorBar | null)[] = drawn.map((p, i) =>
      s.horizontal && i > 0 ? null : p.low === null || p.high === null ? null : { low: place(p.low), high: place(p.high) },
    );
    // A horizontal reference's error bar sits on its line, each reference at its own place so
    // that the bars of several do not hide one another.
    if (s.horizontal && bars[0]) {
      const slot = (horizontals.indexOf(s) + 1) / (horizontals.length + 1);
      drawn.splice(1, 0, { ...drawn[0], x: drawn[0].x + slot * (drawn[1].x - drawn[0].x) });
      bars.splice(1, 0, bars[0]);
      bars[0] = null;
    }
    return {
      label: s.label,
      data: drawn.map((p) => ({ x: p.x, y: place(p.median) })),
      borderColor: s.color,
      backgroundColor: s.color,
      borderDash: s.dash,
      borderWidth: s.kind === 'lyapunov' ? 1.5 : 2,
      pointStyle: drawn.map((p) => marker(p.median)),
      pointRotation: drawn.map((p) => (p.median === -Infinity ? 180 : 0)),
      pointRadius: drawn.map((p, i) =>
        s.horizontal && i !== 1 ? 0 : p.median === -Infinity || p.median === Infinity ? 6 : s.kind === 'lyapunov' ? 2 : 3.5,
      ),
      fill: false,
      errorBars: bars,
      pointTexts: drawn.map((p) => {
        const spread =
          p.low !== null && p.high !== null && p.low !== p.high
            ? ` [${describeValue(p.low, o.metric, p.lossStep)} … ${describeValue(p.high, o.metric, p.lossStep)}]`
            : '';
        return describeValue(p.median, o.metric, p.lossStep) + spread;
      }),
    };
  });
  return {
    datasets,
    xAxis,
    yRange: raw.length ? roundLimitsOutward(floor - 0.05 * span, ceiling + 0.05 * span, 'linear') : null,
    floorPoints,
    ceilingPoints,
    series: raw.map((s) => ({ label: s.label, kind: s.kind, points: s.points })),
  };
}
