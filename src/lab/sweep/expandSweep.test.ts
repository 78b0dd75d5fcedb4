import { describe, expect, it } from 'vitest';
import { SWEEP_LIMITS } from '../../contract/sweepSpec';
import { checkSweepSpec, expandSweep, rangeValues, specHash } from './expandSweep';
import { CALIBRATION_PROBES, probeCostTerms, type ProbeShape } from '../../engine/probeCost';
import { SpeedFit, estimateProbes, speedModelFrom } from './estimateSweep';

/** The work the speed model prices: the per-step work and the once-per-probe work (sigma_max). */
const pricedWork = (c: ProbeShape): number => {
  const t = probeCostTerms(c);
  return t.work + t.once;
};

const base = {
  name: 'grid',
  archs: ['rnn', 'lstm'] as ('rnn' | 'lstm')[],
  T: [16, 64],
  forgetBias: [-2, 0, 1],
  seeds: [1, 2],
  N: 4,
  D: 3,
  H: 8,
};

function issuesOf(input: unknown) {
  const r = checkSweepSpec(input);
  if (r.ok) throw new Error('expected the spec to be rejected');
  return r.issues;
}

describe('expanding a sweep spec', () => {
  it('expands the RNN once per (T, seed) and the LSTM once per (T, bias, seed), in a fixed order', () => {
    const r = checkSweepSpec(base);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const keys = r.probes.map((p) => `${p.config.T}/${p.config.arch}/${p.forgetBias}/${p.config.seed}`);
    expect(keys.slice(0, 8)).toEqual([
      '16/rnn/null/1',
      '16/rnn/null/2',
      '16/lstm/-2/1',
      '16/lstm/-2/2',
      '16/lstm/0/1',
      '16/lstm/0/2',
      '16/lstm/1/1',
      '16/lstm/1/2',
    ]);
    expect(r.probes).toHaveLength(2 * (2 + 3 * 2));
    expect(r.probes.map((p) => p.idx)).toEqual(r.probes.map((_, i) => i));
    const rnn = r.probes.find((p) => p.config.arch === 'rnn')!;
    expect(rnn.config).toMatchObject({ forgetBias: 0, lossStep: 15, init: 'scaled', whGain: 1, N: 4, D: 3, H: 8 });
    // Deterministic: the same spec expands the same way, with the same hash.
    expect(expandSweep(r.spec)).toEqual(r.probes);
    expect(specHash(r.spec)).toBe(specHash((checkSweepSpec({ ...base }) as { spec: typeof r.spec }).spec));
  });

  it('rounds a log range of T to integers and drops duplicates; seeds {count} are 1..n', () => {
    const r = checkSweepSpec({ ...base, archs: ['rnn'], T: { from: 1, to: 4, count: 6, scale: 'log' }, seeds: { count: 3 } });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect([...new Set(r.probes.map((p) => p.config.T))]).toEqual([1, 2, 3, 4]);
    expect([...new Set(r.probes.map((p) => p.config.seed))]).toEqual([1, 2, 3]);
    expect(rangeValues({ from: -3, to: 5, count: 5, scale: 'linear' })).toEqual([-3, -1, 1, 3, 5]);
  });

  it('estimates probes, norms and disk from the expansion', () => {
    const r = checkSweepSpec(base);
    if (!r.ok) throw new Error('rejected');
    const e = estimateProbes(r.probes, 2, speedModelFrom({ big: 0.005, small: 0.002 }));
    expect(e.probes).toBe(16);
    // RNN: 4 norms per step, LSTM: 5; 2 T x (2 rnn + 6 lstm) probes.
    expect(e.norms).toBe((16 + 64) * (2 * 4 + 6 * 5));
    expect(e.diskBytes).toBeGreaterThan(e.norms * 8);
    expect(e.seconds).toBeGreaterThan(0);
    expect(e.workers).toBe(2);
  });

  it('recovers the seconds per unit of work and per step from the two calibration probes', () => {
    const perWork = 3e-10;
    const perStep = 2e-6;
    const { big, small } = CALIBRATION_PROBES;
    const m = speedModelFrom({
      big: perWork * pricedWork(big) + perStep * big.T,
      small: perWork * pricedWork(small) + perStep * small.T,
    });
    expect(m.perWork).toBeCloseTo(perWork, 15);
    expect(m.perStep).toBeCloseTo(perStep, 12);
    // Times no positive pair fits (noise on a busy machine) give no negative costs.
    expect(speedModelFrom({ big: 0.01, small: 1e-9 }).perStep).toBe(0);
    expect(speedModelFrom({ big: 1e-9, small: 0.01 }).perWork).toBe(1e-9 / pricedWork(big));
  });

  it('refits the speed to finished probes once there are enough of them', () => {
    const perWork = 2.5e-10;
    const perStep = 4e-6;
    const fit = new SpeedFit();
    const r = checkSweepSpec({ ...base, T: [16, 64, 256], H: 16 });
    if (!r.ok) throw new Error('rejected');
    for (const [i, p] of r.probes.entries()) {
      if (i === 7) expect(fit.model()).toBeNull();
      fit.add(p.config, perWork * pricedWork(p.config) + perStep * p.config.T);
    }
    const m = fit.model()!;
    expect(m.perWork).toBeCloseTo(perWork, 15);
    expect(m.perStep).toBeCloseTo(perStep, 12);
  });
});

describe('rejecting an invalid spec, every problem named by field', () => {
  it('empty lists', () => {
    expect(
      issuesOf({ ...base, T: [], seeds: [], archs: [] })
        .map((i) => i.path)
        .sort(),
    ).toEqual(['T', 'archs', 'seeds']);
  });
  it('T = 0 and T above the limit', () => {
    const issues = issuesOf({ ...base, T: [0, 16, SWEEP_LIMITS.T.max + 1] });
    expect(issues).toEqual([
      { path: 'T.0', message: `T must be an integer in [1, ${SWEEP_LIMITS.T.max}]; got 0` },
      { path: 'T.2', message: `T must be an integer in [1, ${SWEEP_LIMITS.T.max}]; got ${SWEEP_LIMITS.T.max + 1}` },
    ]);
  });
  it('NaN bias (not expressible in JSON, but a caller can pass it)', () => {
    expect(issuesOf({ ...base, forgetBias: [0, NaN] })).toEqual([
      { path: 'forgetBias.1', message: 'forgetBias must be a finite number in [-50, 50]; got NaN' },
    ]);
  });
  it('unknown arch', () => {
    // The GRU is a sweep architecture since issue 14: the refused one is another.
    expect(issuesOf({ ...base, archs: ['rnn', 'transformer'] })[0]).toMatchObject({
      path: 'archs.1',
      message: expect.stringMatching(/"rnn", "lstm" and "gru"; got "transformer"/),
    });
  });
  it('a probe too large for memory', () => {
    const issues = issuesOf({ ...base, H: 4096, T: [100_000] });
    expect(issues[0].path).toBe('H');
    expect(issues[0].message).toMatch(/T=100000, N=4, D=3, H=4096 needs .* GiB, more than the .* one probe may use here/);
  });
  it('too many probes', () => {
    const issues = issuesOf({ ...base, T: { from: 1, to: 1000, count: 1000 }, seeds: { count: 1000 } });
    expect(issues[0].message).toMatch(/more than the 100000 allowed/);
  });
  it('a range that is not a range', () => {
    expect(issuesOf({ ...base, T: { from: 0, to: 10, count: 3 } })).toEqual([
      { path: 'T.from', message: 'T must be a number in [1, 1000000]; got 0' },
    ]);
  });
});
