// The chart.js configuration of a LineChart, one function for the chart on screen and for the
// figure exports (which re-render the same chart offscreen), so an exported figure draws what the
// screen shows: the same datasets, scales, ticks and the current zoom.
import { Ticks, type ChartConfiguration, type ChartDataset, type Scale, type TooltipItem } from 'chart.js';
import { decadeTicks, formatLog10Value, powerOfTenLabel } from './ticks';
import { formatNum } from './format';

export type XY = { x: number; y: number };
export type LineDataset = ChartDataset<'line', XY[]>;
export type AxisRange = { min: number; max: number };
export type LineChartConfig = ChartConfiguration<'line', XY[]>;

export interface LineChartSpec {
  title: string;
  datasets: LineDataset[];
  xType: 'linear' | 'logarithmic';
  xTitle: string;
  yTitle: string;
  /** y values are log10 of the quantity: power-of-ten ticks, exact values in the tooltip. */
  yLog10: boolean;
  legendHidden: number[];
  builtInLegend: boolean;
  xRange: AxisRange | null;
  yRange: AxisRange | null;
}

/** The interactive parts a figure export leaves out. */
export interface InteractiveParts {
  zoom: NonNullable<NonNullable<LineChartConfig['options']>['plugins']>['zoom'];
}

export function xTickLabel(xType: LineChartSpec['xType']): ((v: string | number) => string) | undefined {
  if (xType !== 'logarithmic') return undefined;
  return (v) => {
    const n = Number(v);
    const l = Math.log10(n);
    return Math.abs(l - Math.round(l)) < 1e-9 ? formatNum(n) : '';
  };
}

/** Digits after the point in the shortest form of v (1.46 → 2), at most 8. */
function decimalsOf(v: number): number {
  const m = /\.(\d+)$/.exec(String(Number(v.toPrecision(12))));
  return Math.min(8, m ? m[1].length : 0);
}

/**
 * Linear ticks as chart.js labels them, except the axis ends, which chart.js labels with the
 * interior ticks' decimals (an end at 1.46 between ticks 0.2 apart would read "1.5"): they show
 * their own value.
 */
export function linearTickLabel(this: Scale, value: number | string, index: number, ticks: { value: number }[]): string {
  const v = Number(value);
  const last = ticks.length - 1;
  // The spacing between interior ticks (an end tick may sit off the grid).
  const [a, b] = ticks.length >= 3 ? [ticks[1], ticks[2]] : [ticks[0], ticks[last]];
  const spacing = Math.abs(b.value - a.value);
  if (index === 0 || index === last) {
    const ownDecimals = decimalsOf(v);
    if (ownDecimals > decimalsOf(spacing))
      return new Intl.NumberFormat(this.chart.options.locale, { maximumFractionDigits: ownDecimals }).format(v);
  }
  // A grid tick closer than half a spacing to an off-grid end: its label would crowd the end's.
  const nearEnd = (end: number): boolean => Math.abs(v - ticks[end].value) < spacing / 2;
  if (ticks.length > 3 && ((index === 1 && nearEnd(0)) || (index === last - 1 && nearEnd(last)))) return '';
  return Ticks.formatters.numeric.call(this, v, index, ticks);
}

export function lineChartConfig(spec: LineChartSpec, interactive: InteractiveParts | null): LineChartConfig {
  const hidden = new Set(spec.legendHidden);
  const xCallback = xTickLabel(spec.xType);
  return {
    type: 'line',
    data: { datasets: spec.datasets },
    options: {
      animation: false,
      responsive: interactive !== null,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      ...(interactive ? {} : { events: [] }),
      interaction: { mode: 'nearest', intersect: false, axis: 'x' },
      scales: {
        x: {
          type: spec.xType,
          ...(spec.xRange ? { min: spec.xRange.min, max: spec.xRange.max } : {}),
          title: { display: true, text: spec.xTitle },
          ticks: { callback: xCallback ?? linearTickLabel },
        },
        y: {
          type: 'linear',
          ...(spec.yRange ? { min: spec.yRange.min, max: spec.yRange.max } : {}),
          title: { display: true, text: spec.yTitle },
          ...(spec.yLog10
            ? {
                afterBuildTicks: (scale: { min: number; max: number; ticks: { value: number }[] }) => {
                  scale.ticks = decadeTicks(scale.min, scale.max, 9).map((value) => ({ value }));
                },
                ticks: { callback: (v: string | number) => powerOfTenLabel(Number(v)) },
              }
            : { ticks: { callback: linearTickLabel } }),
        },
      },
      plugins: {
        title: { display: false, text: spec.title },
        legend: {
          // A figure draws its own legend beside the plot (see figureExport/figureLayout.ts).
          display: interactive !== null && spec.builtInLegend,
          position: 'right',
          labels: { boxWidth: 24, boxHeight: 2, filter: (item) => !hidden.has(item.datasetIndex ?? -1) },
        },
        tooltip: {
          enabled: interactive !== null,
          filter: (item) => !hidden.has(item.datasetIndex),
          callbacks: {
            title: (items: TooltipItem<'line'>[]) => (items[0] ? `${spec.xTitle}: ${formatNum(items[0].parsed.x ?? 0)}` : ''),
            label: (item: TooltipItem<'line'>) => {
              const y = item.parsed.y ?? 0;
              return spec.yLog10
                ? `${item.dataset.label}: ${formatLog10Value(y)}  (log10 ${y.toFixed(4)})`
                : `${item.dataset.label}: ${formatNum(y, 5)}`;
            },
          },
        },
        // `false` switches a registered plugin off for this chart (the figure has no zoom handlers).
        zoom: interactive ? interactive.zoom : (false as never),
      },
    },
  };
}

/** The smallest box holding every point of the datasets (null when there is none). */
export function dataExtent(datasets: LineDataset[], xType: LineChartSpec['xType']): { x: AxisRange; y: AxisRange } | null {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const d of datasets) {
    for (const p of d.data) {
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
      if (xType === 'logarithmic' && p.x <= 0) continue;
      if (p.x < x0) x0 = p.x;
      if (p.x > x1) x1 = p.x;
      if (p.y < y0) y0 = p.y;
      if (p.y > y1) y1 = p.y;
    }
  }
  if (x0 > x1 || y0 > y1) return null;
  return { x: { min: x0, max: x1 }, y: { min: y0, max: y1 } };
}
