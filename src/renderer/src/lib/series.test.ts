import { describe, expect, it } from 'vitest';
import type { Curve } from '../../../contract/labApi';
import { buildDecaySeries, decimateBand, visiblePoints } from './series';
import { buildDecayChartData } from './decayChart';
import { defaultEncoding, encodeSeries, varyingDimensions, type Naming } from './seriesEncoding';

function curve(arch: 'rnn' | 'lstm', T: number, bf: number | null, seed: number, rate: number, probeId = 1): Curve {
  const lossStep = T - 1;
  // log10 norm at step k: falls by `rate` decades per step of distance (lossStep - k).
  const log10 = Array.from({ length: T }, (_, k) => -rate * (lossStep - k) + seed * 0.01);
  const rnn = arch === 'rnn';
  const theory = {
    whGain: 1,
    whSpectralNorm: 2,
    meanSlope: 0.5,
    // Stored rates that differ by seed, so that the median over seeds is checked.
    lyapunovTop: -rate - seed * 0.001,
    meanField: rnn ? Math.log10(0.5) + seed * 0.001 : null,
    cellPath: rnn ? null : -0.01 * seed,
    pmbBound: rnn ? Math.log10(2) : null,
  };
  return { probeId, arch, T, forgetBias: bf, seed, lossStep, log10, theory };
}

const curves: Curve[] = [
  curve('rnn', 16, null, 1, 0.3),
  curve('rnn', 16, null, 2, 0.3),
  curve('rnn', 16, null, 3, 0.3),
  curve('lstm', 16, 0, 1, 0.2),
  curve('lstm', 16, 2, 1, 0.05),
  curve('lstm', 64, 2, 1, 0.05),
];

const naming: Naming = { sweepLabel: (id) => `#${id}`, imported: () => false };
const ALL_THEORY = new Set(['lyapunov', 'meanField', 'cellPath', 'pmb'] as const);

/** Chart data with each series styled by its default encoding, as the view does. */
function chartOf(series: ReturnType<typeof buildDecaySeries>, xScale: 'linear' | 'log', theory = true) {
  const enc = encodeSeries(series, defaultEncoding(series, 'overlay'), naming, varyingDimensions(series));
  return buildDecayChartData(series, { xScale, maxPoints: 500, styles: enc.styles, theory: theory ? ALL_THEORY : new Set() });
}

describe('buildDecaySeries', () => {
  it('groups by configuration, RNN first, indexed by distance', () => {
    const s = buildDecaySeries(curves);
    expect(s.map((x) => x.key)).toEqual(['rnn|T=16', 'lstm|T=16|bf=0', 'lstm|T=16|bf=2', 'lstm|T=64|bf=2']);
    const rnn = s[0];
    expect(rnn.seeds).toBe(3);
    expect(rnn.points[0]).toEqual({ x: 0, median: 0.02, min: 0.01, max: 0.03 });
    expect(rnn.points[15].x).toBe(15);
    expect(rnn.points[15].median).toBeCloseTo(-4.5 + 0.02, 12);
    // The stored rates, median over the three seeds (seed 2's).
    expect(rnn.theory.meanField).toBeCloseTo(Math.log10(0.5) + 0.002, 12);
    expect(rnn.theory.lyapunovTop).toBeCloseTo(-0.302, 12);
    expect(rnn.theory.pmbBound).toBeCloseTo(Math.log10(2), 12);
    expect(rnn.theory.cellPath).toBeNull();
    expect(s[1].theory.cellPath).toBeCloseTo(-0.01, 12);
    expect(s[1].theory.meanField).toBeNull();
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

describe('chart data', () => {
  it('draws RNN and LSTM series with bands, theory lines and fitted ranges', () => {
    const data = chartOf(buildDecaySeries(curves, 16), 'linear');
    expect(data.summary.map((s) => s.label)).toEqual(['RNN', 'LSTM bf=0', 'LSTM bf=2']);
    expect(data.summary.every((s) => s.points === 16)).toBe(true);
    expect(data.roles.filter((r) => r === 'band')).toHaveLength(2); // RNN has 3 seeds
    expect(data.legendHidden).toEqual([0, 1]);
    // RNN: Lyapunov, mean field and PMB; each LSTM: Lyapunov and cell path.
    expect(data.theoryLines.map((t) => t.kind)).toEqual([
      'lyapunov',
      'meanField',
      'pmb',
      'lyapunov',
      'cellPath',
      'lyapunov',
      'cellPath',
    ]);
    const rnn = data.datasets[data.roles.indexOf('rnn')];
    expect(rnn.borderDash).toEqual([8, 4]);
    expect(data.xRange).toEqual({ min: 0, max: 15 });
    expect(data.yRange!.min).toBeLessThan(-4.5);
    // The bound grows (slope log10 2 > 0) but does not stretch the y range.
    expect(data.yRange!.max).toBeLessThan(1);
  });
  it("theory lines start at the curve's loss-step value with the stored rate as slope", () => {
    const data = chartOf(buildDecaySeries(curves, 16), 'linear');
    for (const t of data.theoryLines) {
      const [a, b] = data.datasets[t.dataset].data;
      expect(a).toEqual({ x: 0, y: t.y0 });
      expect((b.y - a.y) / (b.x - a.x)).toBeCloseTo(t.slope, 12);
    }
    const rnnLines = data.theoryLines.filter((t) => t.seriesKey === 'rnn|T=16');
    expect(rnnLines.map((t) => t.slope)).toEqual(
      [-0.302, Math.log10(0.5) + 0.002, Math.log10(2)].map((x) => expect.closeTo(x, 12)),
    );
    // y0: the RNN's median at distance 0 (seeds 1..3 start at 0.01, 0.02, 0.03).
    expect(rnnLines[0].y0).toBeCloseTo(0.02, 12);
    expect(data.datasets[rnnLines[2].dataset].label).toBe('RNN — PMB upper bound σmax(Wh): 0.3010 decades/step');
  });
  it('hidden series take their band and theory lines with them; no theory asked, none drawn', () => {
    const series = buildDecaySeries(curves, 16);
    const enc = encodeSeries(series, defaultEncoding(series, 'overlay'), naming, varyingDimensions(series));
    const data = buildDecayChartData(series, {
      xScale: 'linear',
      maxPoints: 500,
      styles: enc.styles,
      hidden: new Set(['rnn|T=16']),
      theory: new Set(['lyapunov']),
    });
    expect(data.summary.map((s) => s.label)).toEqual(['LSTM bf=0', 'LSTM bf=2']);
    expect(data.roles).not.toContain('band');
    expect(data.theoryLines.map((t) => t.seriesKey)).toEqual(['lstm|T=16|bf=0', 'lstm|T=16|bf=2']);
    expect(chartOf(series, 'linear', false).roles).not.toContain('theory');
    // Bands off: none drawn even with several seeds.
    const noBands = buildDecayChartData(series, { xScale: 'linear', maxPoints: 500, styles: enc.styles, bands: false });
    expect(noBands.roles).not.toContain('band');
  });
  it('log x axis leaves distance 0 out and samples theory lines', () => {
    const data = chartOf(buildDecaySeries(curves, 16), 'log');
    for (const d of data.datasets) expect(d.data.every((p) => p.x > 0)).toBe(true);
    const t = data.theoryLines[0];
    const line = data.datasets[t.dataset].data;
    expect(line.length).toBeGreaterThan(10);
    // Still the straight line through (0, y0) in linear distance.
    for (const p of line) expect(p.y).toBeCloseTo(t.y0 + t.slope * p.x, 10);
  });
  it('a non-finite stored rate (an exact 0) or a missing one draws no line', () => {
    const c = curve('rnn', 16, null, 1, 0.3);
    c.theory.meanField = -Infinity;
    c.theory.lyapunovTop = null;
    const data = chartOf(buildDecaySeries([c]), 'linear');
    expect(data.theoryLines.map((t) => t.kind)).toEqual(['pmb']);
  });
});
