// Error bars for chart.js line charts (chart.js has none built in; the error-bars library needs
// its own chart types, and LineChart is one line chart for every view). A dataset opts in with
// `errorBars` (one {low, high} per point, in data units, or null) and, optionally, `pointTexts`
// (what its tooltip says per point, e.g. "−∞ (exactly 0)" for a point drawn at the axis floor).
import type { Chart, Plugin, TooltipItem } from 'chart.js';
import { Chart as ChartJs } from './chartSetup';

export interface ErrorBar {
  low: number;
  high: number;
}

/** What a dataset adds to chart.js's own fields. */
export interface ErrorBarFields {
  errorBars?: (ErrorBar | null)[];
  pointTexts?: string[];
}

const CAP_PX = 4;

const errorBarsPlugin: Plugin = {
  id: 'seqlabErrorBars',
  beforeInit(chart: Chart) {
    // Tooltips say the point's own text where the dataset has one (the drawn y of a -Infinity
    // point is only where the axis puts it).
    const options = (chart.config.options ??= {}) as { plugins?: { tooltip?: { callbacks?: Record<string, unknown> } } };
    const tooltip = ((options.plugins ??= {}).tooltip ??= {});
    const callbacks = (tooltip.callbacks ??= {});
    const own = callbacks.label as ((item: TooltipItem<'line'>) => string | string[]) | undefined;
    callbacks.label = (item: TooltipItem<'line'>) => {
      const texts = (item.dataset as ErrorBarFields).pointTexts;
      if (texts?.[item.dataIndex] !== undefined) return `${item.dataset.label}: ${texts[item.dataIndex]}`;
      return own ? own(item) : `${item.dataset.label}: ${item.formattedValue}`;
    };
  },
  afterDatasetsDraw(chart: Chart) {
    const { ctx, chartArea } = chart;
    const y = chart.scales.y;
    if (!y) return;
    ctx.save();
    ctx.beginPath();
    ctx.rect(chartArea.left, chartArea.top, chartArea.right - chartArea.left, chartArea.bottom - chartArea.top);
    ctx.clip();
    chart.data.datasets.forEach((ds, i) => {
      const bars = (ds as ErrorBarFields).errorBars;
      if (!bars || !chart.isDatasetVisible(i)) return;
      const meta = chart.getDatasetMeta(i);
      ctx.strokeStyle = String(ds.borderColor ?? '#333');
      ctx.lineWidth = 1.25;
      bars.forEach((bar, j) => {
        const el = meta.data[j];
        if (!bar || !el) return;
        const px = el.x;
        const top = y.getPixelForValue(bar.high);
        const bottom = y.getPixelForValue(bar.low);
        ctx.beginPath();
        ctx.moveTo(px, top);
        ctx.lineTo(px, bottom);
        ctx.moveTo(px - CAP_PX, top);
        ctx.lineTo(px + CAP_PX, top);
        ctx.moveTo(px - CAP_PX, bottom);
        ctx.lineTo(px + CAP_PX, bottom);
        ctx.stroke();
      });
    });
    ctx.restore();
  },
};

let registered = false;
/** Registers the plugin (once); datasets without errorBars are left alone. */
export function registerErrorBars(): void {
  if (registered) return;
  registered = true;
  ChartJs.register(errorBarsPlugin);
}
