import { describe, expect, it } from 'vitest';
import type { Curve } from '../../../contract/labApi';
import { buildDecaySeries, decimateBand, summarize, visiblePoints } from './series';
import { buildDecayChartData } from './decayChart';
import { buildSummaryChartData } from './summaryChart';

function curve(arch: 'rnn' | 'lstm', T: number, bf: number | null, seed: number, rate: number, probeId = 1): Curve {
  const lossStep = T - 1;
  // log10 norm at step k: falls by `rate` decades per step of distance (lossStep - k).
  const log10 = Array.from({ length: T }, (_, k) => -rate * (lossStep - k) + seed * 0.01);
  return { probeId, arch, T, forgetBias: bf, seed, lossStep, log10, theory: { whGain: 1, whSpectralNorm: 2, meanSlope: 0.5 } };
}

const curves: Curve[] = [
  curve('rnn', 16, null, 1, 0.3),
  curve('rnn', 16, null, 2, 0.3),
  curve('rnn', 16, null, 3, 0.3),
  curve('lstm', 16, 0, 1, 0.2),
  curve('lstm', 16, 2, 1, 0.05),
  curve('lstm', 64, 2, 1, 0.05),
];

describe('buildDecaySeries', () => {
  it('groups by configuration, RNN first, indexed by distance', () => {
    const s = buildDecaySeries(curves);
    expect(s.map((x) => x.key)).toEqual(['rnn|T=16', 'lstm|T=16|bf=0', 'lstm|T=16|bf=2', 'lstm|T=64|bf=2']);
    const rnn = s[0];
    expect(rnn.seeds).toBe(3);
    expect(rnn.points[0]).toEqual({ x: 0, median: 0.02, min: 0.01, max: 0.03 });
    expect(rnn.points[15].x).toBe(15);
    expect(rnn.points[15].median).toBeCloseTo(-4.5 + 0.02, 12);
    expect(rnn.theory.rnnFactor).toBeCloseTo(Math.log10(0.5), 12);
    expect(rnn.theory.pascanuBound).toBeCloseTo(Math.log10(2), 12);
    expect(s[1].theory.forgetFactor).toBeCloseTo(Math.log10(0.5), 12);
  });
  it('filters by T and skips exact zeros', () => {
    const c = curve('lstm', 8, 1, 1, 0.1);
    c.log10[0] = null; // distance 7 is exactly 0
    const s = buildDecaySeries([...curves, c], 8);
    expect(s).toHaveLength(1);
    expect(s[0].points.map((p) => p.x)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
  it('log x drops distance 0; band decimation keeps ends', () => {
    const s = buildDecaySeries([curve('lstm', 3000, 1, 1, 0.01)])[0];
    expect(visiblePoints(s.points, 'log')[0].x).toBe(1);
    const d = decimateBand(s.points, 200);
    expect(d.length).toBeLessThanOrEqual(200);
    expect(d[0].x).toBe(0);
    expect(d[d.length - 1].x).toBe(2999);
  });
});

describe('summarize', () => {
  it('fits the per-step decay rate and the 1e6 horizon', () => {
    const rows = summarize(buildDecaySeries(curves));
    const rnn = rows.find((r) => r.key === 'rnn|T=16')!;
    expect(rnn.ratePerStep).toBeCloseTo(-0.3, 10);
    expect(rnn.factorPerStep).toBeCloseTo(Math.pow(10, -0.3), 10);
    expect(rnn.horizon).toBeNull(); // 15 steps x 0.3 = 4.5 decades < 6
    const lstm64 = rows.find((r) => r.key === 'lstm|T=64|bf=2')!;
    expect(lstm64.horizon).toBeNull();
    const steep = summarize(buildDecaySeries([curve('rnn', 40, null, 1, 0.5)]))[0];
    expect(steep.horizon).toBe(12);
  });
});

describe('chart data', () => {
  it('draws RNN and LSTM series with bands, theory overlays and fitted ranges', () => {
    const data = buildDecayChartData(buildDecaySeries(curves, 16), {
      xScale: 'linear',
      theory: true,
      maxPoints: 500,
      labelT: false,
    });
    expect(data.summary.map((s) => s.label)).toEqual(['RNN', 'LSTM bf=0', 'LSTM bf=2']);
    expect(data.summary.every((s) => s.points === 16)).toBe(true);
    expect(data.roles.filter((r) => r === 'band')).toHaveLength(2); // RNN has 3 seeds
    expect(data.legendHidden).toEqual([0, 1]);
    expect(data.roles).toContain('theory-lstm');
    expect(data.roles).toContain('theory-rnn');
    expect(data.roles).toContain('bound-rnn');
    const rnn = data.datasets[data.roles.indexOf('rnn')];
    expect(rnn.borderDash).toEqual([8, 4]);
    expect(data.xRange).toEqual({ min: 0, max: 15 });
    expect(data.yRange!.min).toBeLessThan(-4.5);
    // The bound grows (slope log10 2 > 0) but does not stretch the y range.
    expect(data.yRange!.max).toBeLessThan(1);
  });
  it('log x axis leaves distance 0 out and samples theory lines', () => {
    const data = buildDecayChartData(buildDecaySeries(curves, 16), {
      xScale: 'log',
      theory: true,
      maxPoints: 500,
      labelT: false,
    });
    for (const d of data.datasets) expect(d.data.every((p) => p.x > 0)).toBe(true);
    expect(data.datasets[data.roles.indexOf('theory-lstm')].data.length).toBeGreaterThan(10);
  });
  it('summary chart: one LSTM line per T and an RNN reference line', () => {
    const rows = summarize(buildDecaySeries(curves));
    const { labels, datasets } = buildSummaryChartData(rows, 'ratePerStep');
    expect(labels).toEqual(['LSTM T=16', 'RNN T=16', 'LSTM T=64']);
    expect(datasets[0].data.map((p) => p.x)).toEqual([0, 2]);
    expect(datasets[1].data.every((p) => p.y === datasets[1].data[0].y)).toBe(true);
  });
});
