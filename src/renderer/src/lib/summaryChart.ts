// Summary rows -> chart.js datasets: metric against forget bias, one line per T, the RNN of
// the same T as a dashed horizontal reference line.
import type { ChartDataset } from 'chart.js';
import { RNN_COLOR, withAlpha } from './colors';
import type { SummaryRow } from './series';

export type SummaryMetric = 'ratePerStep' | 'horizon';
export type SummaryDataset = ChartDataset<'line', { x: number; y: number }[]>;

const T_COLORS = ['#1f77b4', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#ff7f0e'];

export function buildSummaryChartData(
  rows: readonly SummaryRow[],
  metric: SummaryMetric,
): { datasets: SummaryDataset[]; labels: string[] } {
  const Ts = [...new Set(rows.map((r) => r.T))].sort((a, b) => a - b);
  const lstm = rows.filter((r) => r.arch === 'lstm' && r.forgetBias !== null);
  const biases = lstm.map((r) => r.forgetBias as number);
  const xMin = biases.length ? Math.min(...biases) : 0;
  const xMax = biases.length ? Math.max(...biases) : 1;
  const datasets: SummaryDataset[] = [];
  Ts.forEach((T, i) => {
    const color = T_COLORS[i % T_COLORS.length];
    const pts = lstm
      .filter((r) => r.T === T && r[metric] !== null)
      .map((r) => ({ x: r.forgetBias as number, y: r[metric] as number }))
      .sort((a, b) => a.x - b.x);
    if (pts.length)
      datasets.push({
        label: `LSTM T=${T}`,
        data: pts,
        borderColor: color,
        backgroundColor: color,
        borderWidth: 2,
        pointRadius: 3,
        fill: false,
      });
    const rnn = rows.find((r) => r.arch === 'rnn' && r.T === T);
    const v = rnn?.[metric];
    if (v !== null && v !== undefined) {
      datasets.push({
        label: `RNN T=${T}`,
        data: [
          { x: xMin, y: v },
          { x: xMax === xMin ? xMin + 1 : xMax, y: v },
        ],
        borderColor: withAlpha(RNN_COLOR, Ts.length > 1 ? 0.5 + (0.5 * i) / (Ts.length - 1) : 1),
        backgroundColor: RNN_COLOR,
        borderDash: [8, 4],
        borderWidth: 2,
        pointRadius: 0,
        fill: false,
      });
    }
  });
  return { datasets, labels: datasets.map((d) => d.label ?? '') };
}
