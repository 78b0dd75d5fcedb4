// Decay series -> chart.js datasets (pure; no chart instance). y values are exact log10 norms
// plotted on a linear axis; the tick callback labels them as powers of ten.
import type { ChartDataset } from 'chart.js';
import { RNN_COLOR, rampColors, withAlpha } from './colors';
import { formatNum } from './format';
import { decimateBand, theoryLine, visiblePoints, type DecaySeries } from './series';

export type XScale = 'linear' | 'log';
export type LineDataset = ChartDataset<'line', { x: number; y: number }[]>;

export interface DecayChartOptions {
  xScale: XScale;
  /** Draw the theory overlays. */
  theory: boolean;
  /** Points per series after decimation. */
  maxPoints: number;
  /** Several T on one chart: say which in each label. */
  labelT: boolean;
}

export type DatasetRole = 'rnn' | 'lstm' | 'band' | 'theory-lstm' | 'theory-rnn' | 'bound-rnn';

export interface DecayChartData {
  datasets: LineDataset[];
  roles: DatasetRole[];
  /** Dataset indexes the legend leaves out (band edges). */
  legendHidden: number[];
  /** The decay series' own labels and point counts after decimation (for tests and a11y). */
  summary: { label: string; role: DatasetRole; points: number }[];
  /** Axis ranges fitted to the measured data (theory lines may run off the chart). */
  xRange: { min: number; max: number } | null;
  yRange: { min: number; max: number } | null;
}

/** Range of the measured (non-theory) datasets, y padded by 4% (at least half a decade). */
export function dataRanges(
  datasets: readonly LineDataset[],
  roles: readonly DatasetRole[],
): Pick<DecayChartData, 'xRange' | 'yRange'> {
  let xMin = Infinity,
    xMax = -Infinity,
    yMin = Infinity,
    yMax = -Infinity;
  datasets.forEach((d, i) => {
    if (roles[i] !== 'rnn' && roles[i] !== 'lstm' && roles[i] !== 'band') return;
    for (const p of d.data) {
      if (p.x < xMin) xMin = p.x;
      if (p.x > xMax) xMax = p.x;
      if (p.y < yMin) yMin = p.y;
      if (p.y > yMax) yMax = p.y;
    }
  });
  if (!Number.isFinite(xMin)) return { xRange: null, yRange: null };
  const pad = Math.max(0.5, 0.04 * (yMax - yMin));
  return { xRange: { min: xMin, max: xMax === xMin ? xMin + 1 : xMax }, yRange: { min: yMin - pad, max: yMax + pad } };
}

export function lstmLabel(s: DecaySeries, labelT: boolean): string {
  return `LSTM bf=${formatNum(s.forgetBias ?? 0)}${labelT ? `, T=${s.T}` : ''}`;
}
export function rnnLabel(s: DecaySeries, labelT: boolean): string {
  return `RNN${labelT ? ` T=${s.T}` : ''}`;
}

export function buildDecayChartData(series: readonly DecaySeries[], opts: DecayChartOptions): DecayChartData {
  const datasets: LineDataset[] = [];
  const roles: DatasetRole[] = [];
  const legendHidden: number[] = [];
  const summary: DecayChartData['summary'] = [];
  const push = (d: LineDataset, role: DatasetRole, hidden = false): void => {
    if (hidden) legendHidden.push(datasets.length);
    datasets.push(d);
    roles.push(role);
  };

  const biases = [...new Set(series.filter((s) => s.arch === 'lstm').map((s) => s.forgetBias ?? 0))].sort((a, b) => a - b);
  const colors = rampColors(biases.length);
  const colorOf = (s: DecaySeries): string => (s.arch === 'rnn' ? RNN_COLOR : colors[biases.indexOf(s.forgetBias ?? 0)]);

  for (const s of series) {
    const pts = decimateBand(visiblePoints(s.points, opts.xScale), opts.maxPoints);
    if (pts.length === 0) continue;
    const color = colorOf(s);
    const isRnn = s.arch === 'rnn';
    const label = isRnn ? rnnLabel(s, opts.labelT) : lstmLabel(s, opts.labelT);
    if (s.seeds > 1) {
      push(
        {
          label: `${label} min`,
          data: pts.map((p) => ({ x: p.x, y: p.min })),
          borderWidth: 0,
          pointRadius: 0,
          fill: false,
          borderColor: 'transparent',
          backgroundColor: 'transparent',
        },
        'band',
        true,
      );
      push(
        {
          label: `${label} max`,
          data: pts.map((p) => ({ x: p.x, y: p.max })),
          borderWidth: 0,
          pointRadius: 0,
          fill: '-1',
          borderColor: 'transparent',
          backgroundColor: withAlpha(color, 0.18),
        },
        'band',
        true,
      );
    }
    push(
      {
        label: s.seeds > 1 ? `${label} (median of ${s.seeds})` : label,
        data: pts.map((p) => ({ x: p.x, y: p.median })),
        borderColor: color,
        backgroundColor: color,
        borderWidth: isRnn ? 2.5 : 2,
        borderDash: isRnn ? [8, 4] : undefined,
        pointRadius: 0,
        pointHoverRadius: 4,
        fill: false,
      },
      isRnn ? 'rnn' : 'lstm',
    );
    summary.push({ label, role: isRnn ? 'rnn' : 'lstm', points: pts.length });

    if (!opts.theory) continue;
    const y0 = s.points[0]?.x === 0 ? s.points[0].median : null;
    if (y0 === null) continue;
    const xs = [pts[0].x, pts[pts.length - 1].x];
    if (opts.xScale === 'log') {
      // A straight line in linear distance bends on a log axis: sample it.
      const [a, b] = xs;
      xs.length = 0;
      for (let i = 0; i <= 48; i++) xs.push(a * Math.pow(b / a, i / 48));
    }
    const theory = (slope: number, lbl: string, col: string, dash: number[], role: DatasetRole, width = 1.2): void =>
      push(
        {
          label: lbl,
          data: theoryLine(xs, y0, slope),
          borderColor: col,
          backgroundColor: col,
          borderDash: dash,
          borderWidth: width,
          pointRadius: 0,
          pointHoverRadius: 3,
          fill: false,
        },
        role,
      );
    const tSuffix = opts.labelT ? `, T=${s.T}` : '';
    if (!isRnn && s.theory.forgetFactor !== null) {
      theory(
        s.theory.forgetFactor,
        `σ(bf=${formatNum(s.forgetBias ?? 0)}) per step${tSuffix}`,
        withAlpha(color, 0.9),
        [6, 4],
        'theory-lstm',
      );
    }
    if (isRnn && s.theory.rnnFactor !== null) {
      theory(s.theory.rnnFactor, `RNN g·√E[tanh′²] per step${tSuffix}`, '#ff7f0e', [6, 4], 'theory-rnn', 1.5);
    }
    if (isRnn && s.theory.pascanuBound !== null) {
      theory(s.theory.pascanuBound, `PMB bound σmax(Wh)${tSuffix}`, '#7f7f7f', [1.5, 3], 'bound-rnn', 1.8);
    }
  }
  return { datasets, roles, legendHidden, summary, ...dataRanges(datasets, roles) };
}
