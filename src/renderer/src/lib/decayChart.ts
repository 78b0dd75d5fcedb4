// Decay series -> chart.js datasets (pure; no chart instance). y values are exact log10 norms
// plotted on a linear axis; the tick callback labels them as powers of ten. Each series is drawn
// in the style its encoding gave it (seriesEncoding.ts), with its min-max band over seeds and the
// theory lines asked for (theoryLines.ts), thin, in its colour.
import type { ChartDataset } from 'chart.js';
import { withAlpha } from './colors';
import { decimateBand, visiblePoints, type DecaySeries } from './series';
import type { SeriesStyle } from './seriesEncoding';
import { THEORY_LINES, theoryLine, theorySlope, theoryXs, type TheoryKind } from './theoryLines';

export type XScale = 'linear' | 'log';
export type LineDataset = ChartDataset<'line', { x: number; y: number }[]>;

export interface DecayChartOptions {
  xScale: XScale;
  /** Points per series after decimation. */
  maxPoints: number;
  /** Each series' label, colour and dash, by key. */
  styles: ReadonlyMap<string, SeriesStyle>;
  /** Series keys the user has hidden (their bands and theory lines go with them). */
  hidden?: ReadonlySet<string>;
  /** The theory lines to draw. */
  theory?: ReadonlySet<TheoryKind>;
  /** Shade the min-max band over seeds (default: yes). */
  bands?: boolean;
}

export type DatasetRole = 'rnn' | 'lstm' | 'gru' | 'band' | 'theory';

export interface SeriesSummary {
  key: string;
  label: string;
  role: 'rnn' | 'lstm' | 'gru';
  points: number;
  color: string;
  dash: number[];
  seeds: number;
}

export interface TheoryLineSummary {
  kind: TheoryKind;
  /** The measured series it belongs to. */
  seriesKey: string;
  label: string;
  /** Decades per step: the stored rate (median over the series' seeds). */
  slope: number;
  /** Where it starts: the curve's median value at distance 0 (the loss step). */
  y0: number;
  dataset: number;
}

export interface DecayChartData {
  datasets: LineDataset[];
  roles: DatasetRole[];
  /** Dataset indexes the legend leaves out (band edges). */
  legendHidden: number[];
  /** The measured series drawn, with their labels and point counts after decimation (for tests and a11y). */
  summary: SeriesSummary[];
  theoryLines: TheoryLineSummary[];
  /** Axis ranges fitted to the measured data (theory lines may run off the chart). */
  xRange: { min: number; max: number } | null;
  yRange: { min: number; max: number } | null;
}

const MEASURED: ReadonlySet<DatasetRole> = new Set(['rnn', 'lstm', 'gru', 'band']);

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
    if (!MEASURED.has(roles[i])) return;
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

export function buildDecayChartData(series: readonly DecaySeries[], opts: DecayChartOptions): DecayChartData {
  const datasets: LineDataset[] = [];
  const roles: DatasetRole[] = [];
  const legendHidden: number[] = [];
  const summary: SeriesSummary[] = [];
  const theoryLines: TheoryLineSummary[] = [];
  const push = (d: LineDataset, role: DatasetRole, hidden = false): number => {
    if (hidden) legendHidden.push(datasets.length);
    datasets.push(d);
    roles.push(role);
    return datasets.length - 1;
  };

  for (const s of series) {
    if (opts.hidden?.has(s.key)) continue;
    const pts = decimateBand(visiblePoints(s.points, opts.xScale), opts.maxPoints);
    if (pts.length === 0) continue;
    const style = opts.styles.get(s.key) ?? { key: s.key, label: s.key, color: '#333', dash: [], group: '' };
    const { color, label } = style;
    if (s.seeds > 1 && opts.bands !== false) {
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
          backgroundColor: withAlpha(color, 0.14),
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
        borderWidth: s.arch === 'rnn' ? 2.4 : 2,
        borderDash: style.dash.length ? style.dash : undefined,
        pointRadius: 0,
        pointHoverRadius: 4,
        fill: false,
      },
      s.arch,
    );
    summary.push({ key: s.key, label, role: s.arch, points: pts.length, color, dash: style.dash, seeds: s.seeds });

    const y0 = s.points[0]?.x === 0 ? s.points[0].median : null;
    if (y0 === null || !opts.theory?.size) continue;
    const xs = theoryXs(pts[0].x, pts[pts.length - 1].x, opts.xScale);
    for (const kind of opts.theory) {
      const slope = theorySlope(s, kind);
      if (slope === null) continue;
      const info = THEORY_LINES[kind];
      const lineLabel = `${label} — ${info.short}: ${slope.toFixed(4)} decades/step`;
      const dataset = push(
        {
          label: lineLabel,
          data: theoryLine(xs, y0, slope),
          borderColor: withAlpha(color, 0.85),
          backgroundColor: color,
          borderDash: info.dash,
          borderWidth: info.width,
          pointRadius: 0,
          pointHoverRadius: 3,
          fill: false,
        },
        'theory',
      );
      theoryLines.push({ kind, seriesKey: s.key, label: lineLabel, slope, y0, dataset });
    }
  }
  return { datasets, roles, legendHidden, summary, theoryLines, ...dataRanges(datasets, roles) };
}
