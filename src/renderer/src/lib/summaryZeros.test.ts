// The Summary over seqlab summary's rows: exact zeros are -Infinity (kept by medians and
// spreads), censored horizons sort above every finite one, the chart draws what no axis holds at
// its ends, and the CSV download is the CLI's.
import { describe, expect, it } from 'vitest';
import type { ProbeRatesRow } from '../../../contract/probeRates';
import { probeRatesCsv } from '../../../contract/probeRatesCsv';
import { summaryRows } from './summaryRows';
import { sortRows } from './sortRows';
import { reviveExactZeros } from './summaryZeros';
import { buildSummaryChartData } from './summaryChart';
import { seedStats } from './stats';

function probe(p: Partial<ProbeRatesRow> & { seed: number; T: number }): ProbeRatesRow {
  return {
    sweep_id: 1,
    probe_id: p.seed * 1000 + p.T,
    arch: 'rnn',
    forget_bias: null,
    N: 4,
    D: 3,
    H: 8,
    init: 'scaled',
    wh_gain: 1,
    h0_scale: 0,
    b_scale: 0,
    loss_step: p.T - 1,
    rate: { dh: -0.1 },
    rate_tail: { dh: -0.1 },
    horizon: { dh: 60 },
    lyapunov: null,
    theory: { mean_field: -0.09, cell_path: null, pmb_bound: 0.3 },
    ...p,
  };
}

describe('exact zeros in the Summary', () => {
  it('wh-gain 0 over JSON (rate null, horizon 1): the rate is -Infinity and the horizon 1, not missing and "> 63"', () => {
    const json = JSON.parse(
      JSON.stringify(
        [1, 2, 3].map((seed) =>
          probe({ seed, T: 64, rate: { dh: -Infinity }, rate_tail: { dh: -Infinity }, horizon: { dh: 1 } }),
        ),
      ),
    ) as ProbeRatesRow[];
    expect(json[0].rate.dh).toBeNull();
    const [row] = summaryRows(reviveExactZeros(json), 'dh', 'minmax');
    expect(row.rate).toEqual({ median: -Infinity, low: -Infinity, high: -Infinity, n: 3 });
    expect(row.horizonMedian).toBe(1);
  });

  it('medians keep the seeds that are 0: two of three at -Infinity put the median there', () => {
    const rows = [
      probe({ seed: 1, T: 64, rate: { dh: -Infinity } }),
      probe({ seed: 2, T: 64, rate: { dh: -Infinity } }),
      probe({ seed: 3, T: 64 }),
    ];
    const [row] = summaryRows(rows, 'dh', 'minmax');
    expect(row.rate!.median).toBe(-Infinity);
    expect(row.rate!.low).toBe(-Infinity);
    expect(row.rate!.high).toBeCloseTo(-0.1, 12);
  });

  it('spreads: min-max and the interquartile range (numpy linear quantiles), -Infinity kept', () => {
    expect(seedStats([1, 2, 3, 4, 5], 'iqr')).toEqual({ median: 3, low: 2, high: 4, n: 5 });
    expect(seedStats([4, null, 1, 2], 'minmax')).toEqual({ median: 2, low: 1, high: 4, n: 3 });
    expect(seedStats([-Infinity, -Infinity, -1, -2], 'iqr')).toEqual({ median: -Infinity, low: -Infinity, high: -1.75, n: 4 });
  });

  it('a censored median horizon is null ("> loss step")', () => {
    const rows = [
      probe({ seed: 1, T: 16, horizon: { dh: null } }),
      probe({ seed: 2, T: 16, horizon: { dh: null } }),
      probe({ seed: 3, T: 16, horizon: { dh: 9 } }),
    ];
    const [row] = summaryRows(rows, 'dh', 'minmax');
    expect(row.horizonMedian).toBeNull();
    expect(row.horizon).toEqual({ median: Infinity, low: 9, high: Infinity, n: 3 });
  });

  it('sorts censored horizons above every finite one, and -Infinity rates below every finite one', () => {
    const rows = summaryRows(
      [
        probe({ seed: 1, T: 16, horizon: { dh: null }, rate: { dh: -0.01 } }),
        probe({ seed: 1, T: 32, horizon: { dh: 12 }, rate: { dh: -Infinity } }),
        probe({ seed: 1, T: 64, horizon: { dh: 6 }, rate: { dh: -1 } }),
      ],
      'dh',
      'minmax',
    );
    expect(sortRows(rows, 'horizon', 'desc').map((r) => r.horizonMedian)).toEqual([null, 12, 6]);
    expect(sortRows(rows, 'horizon', 'asc').map((r) => r.horizonMedian)).toEqual([6, 12, null]);
    expect(sortRows(rows, 'rate', 'asc').map((r) => r.T)).toEqual([32, 64, 16]);
    expect(sortRows(rows, 'rate', 'desc').map((r) => r.T)).toEqual([16, 64, 32]);
  });
});

describe('the Summary chart', () => {
  const lstm = (seed: number, T: number, bf: number, rate: number): ProbeRatesRow =>
    probe({
      seed,
      T,
      arch: 'lstm',
      forget_bias: bf,
      rate: { dh: rate },
      rate_tail: { dh: rate / 2 },
      lyapunov: { top: rate * 0.9, spectrum: [rate * 0.9] },
    });

  it('error bars span the seeds; one RNN line per distinct value (Ts with the same value share it); -Infinity at the floor', () => {
    const rows = summaryRows(
      [
        lstm(1, 16, 0, -0.3),
        lstm(2, 16, 0, -0.1),
        lstm(3, 16, 0, -0.2),
        lstm(1, 16, 2, -0.05),
        probe({ seed: 1, T: 16, rate: { dh: -Infinity } }),
        probe({ seed: 1, T: 32, rate: { dh: -Infinity } }),
      ],
      'dh',
      'minmax',
    );
    const chart = buildSummaryChartData(rows, { metric: 'rate', window: 'full', lyapunov: true, sweepLabel: null });
    expect(chart.xAxis).toBe('forgetBias');
    expect(chart.series.map((s) => s.label)).toEqual(['LSTM T=16', 'Lyapunov top, LSTM T=16', 'RNN T=16, 32']);
    expect(chart.series[0].points).toEqual([
      { x: 0, median: -0.2, low: -0.3, high: -0.1, lossStep: 15 },
      { x: 2, median: -0.05, low: -0.05, high: -0.05, lossStep: 15 },
    ]);
    const lstmSet = chart.datasets[0];
    expect(lstmSet.errorBars).toEqual([
      { low: -0.3, high: -0.1 },
      { low: -0.05, high: -0.05 },
    ]);
    expect(chart.floorPoints).toBe(1);
    const rnn = chart.datasets[2];
    // Drawn at the floor, below every finite value, and said as -∞ in the tooltip.
    expect(rnn.data[1].y).toBeLessThan(-0.3);
    expect(rnn.data[1].y).toBeGreaterThan(chart.yRange!.min);
    expect(rnn.pointTexts![1]).toBe('−∞ (exactly 0)');
    const tail = buildSummaryChartData(rows, { metric: 'rate', window: 'tail', lyapunov: false, sweepLabel: null });
    expect(tail.series[0].points.map((p) => p.median)).toEqual([-0.1, -0.025]);
  });

  it('without an LSTM: against T, one line per arch', () => {
    const rows = summaryRows(
      [probe({ seed: 1, T: 16, rate: { dh: -0.5 } }), probe({ seed: 1, T: 64, rate: { dh: -0.4 } })],
      'dh',
      'minmax',
    );
    const chart = buildSummaryChartData(rows, { metric: 'horizon', window: 'full', lyapunov: false, sweepLabel: () => 'H=8' });
    expect(chart.xAxis).toBe('T');
    expect(chart.series.map((s) => [s.label, s.points.map((p) => p.x)])).toEqual([['RNN, H=8', [16, 64]]]);
  });
});

describe('the Summary CSV', () => {
  it("is seqlab summary --csv's: configuration columns, rate/rate_tail/horizon per norm, -inf and >loss_step", () => {
    const csv = probeRatesCsv(
      reviveExactZeros(
        JSON.parse(
          JSON.stringify([
            probe({
              seed: 1,
              T: 64,
              rate: { dh: -Infinity, dWx: -0.5 },
              rate_tail: { dh: -Infinity, dWx: -0.25 },
              horizon: { dh: 1, dWx: null },
            }),
          ]),
        ) as ProbeRatesRow[],
      ),
    ).split('\n');
    expect(csv[0]).toBe(
      'sweep_id,probe_id,arch,T,forget_bias,seed,N,D,H,init,wh_gain,h0_scale,b_scale,loss_step,rate_dh,rate_tail_dh,horizon_dh,rate_dWx,rate_tail_dWx,horizon_dWx,lyapunov_top,lyapunov_spectrum,mean_field,cell_path,pmb_bound',
    );
    expect(csv[1]).toBe('1,1064,rnn,64,,1,4,3,8,scaled,1,0,0,63,-inf,-inf,1,-0.5,-0.25,>63,,,-0.09,,0.3');
  });
});
