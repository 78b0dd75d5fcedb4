import { describe, expect, it } from 'vitest';
import {
  CALIBRATION_PROBES,
  normsShare,
  probeCostTerms,
  probeWork,
  sweepProbeNeeds,
  timeCalibrationProbes,
  timeSamples,
  type TimingSample,
} from './probeCost';
import { gateWidth, withDefaults } from './probeConfig';
import { DEFAULT_MAX_PROBE_BYTES } from './probeLimits';
import { probeArenaDoubles } from './tracePlan';
import { wasmSimdAvailable } from './wasm/wasmKernels';
import { Workspace } from './workspace';

describe('the probe cost model', () => {
  it('counts work as T * N * (D + H) * gate width, and steps as T', () => {
    // once: sigma_max(Wh), the H x H gram of Wh (H^2 G / 2) and Lanczos on it: at most H (here
    // 7) products with it, H^2 each, and their reorthogonalisation, 2 * 7^2 * H.
    expect(probeCostTerms({ arch: 'rnn', T: 3, N: 2, D: 5, H: 7 })).toEqual({
      work: 3 * 2 * 12 * 7,
      once: 49 * (7 / 2 + 7) + 2 * 49 * 7,
      steps: 3,
    });
    expect(probeCostTerms({ arch: 'lstm', T: 3, N: 2, D: 5, H: 7 })).toEqual({
      work: 3 * 2 * 12 * 28,
      once: 49 * (28 / 2 + 7) + 2 * 49 * 7,
      steps: 3,
    });
    const shape = { arch: 'lstm' as const, T: 100, N: 16, D: 16, H: 64 };
    expect(probeWork(shape)).toBe(probeCostTerms(shape).work);
    expect(probeWork(shape)).toBe(4 * probeWork({ ...shape, arch: 'rnn' }));
    expect(probeWork(shape) / gateWidth('lstm', 64)).toBe(100 * 16 * 80);
  });

  it('counts the backward part of a step, and its overhead half, only for the steps back from the loss step', () => {
    const c = { arch: 'lstm' as const, T: 1000, N: 16, D: 16, H: 64 };
    const full = probeCostTerms(c);
    expect(probeCostTerms({ ...c, lossStep: 999 })).toEqual(full);
    // A loss step past the end counts as the last (the samples of a sweep's probes are shorter).
    expect(probeCostTerms({ ...c, T: 500, lossStep: 999 })).toEqual(probeCostTerms({ ...c, T: 500 }));
    const first = probeCostTerms({ ...c, lossStep: 0 });
    const quarter = probeCostTerms({ ...c, lossStep: 249 });
    expect(first.steps).toBe((1000 + 1) / 2);
    expect(quarter.steps).toBe((1000 + 250) / 2);
    expect(quarter.once).toBe(full.once);
    // Linear in the steps back: a quarter of the way from the forward-only cost to the full one
    // (from 1 step back to 1000: 249 / 999 of the way).
    expect(quarter.work - first.work).toBeCloseTo(((full.work - first.work) * 249) / 999, 6);
    expect(first.work).toBeGreaterThan(0.3 * full.work);
    expect(first.work).toBeLessThan(0.7 * full.work);
    // The Lyapunov pass runs over the same steps back.
    const lyapunov = (lossStep: number) => probeCostTerms({ ...c, lossStep }, { lyapunovVectors: 4 }).work;
    expect(lyapunov(249) - quarter.work).toBeCloseTo(((lyapunov(999) - full.work) * 250) / 1000, 6);
  });

  it('calibrates on one product-bound and one step-bound probe', () => {
    const big = probeCostTerms(CALIBRATION_PROBES.big);
    const small = probeCostTerms(CALIBRATION_PROBES.small);
    // Two independent cost terms are what lets speedModelFrom solve for both costs.
    expect(big.work / big.steps).toBeGreaterThan(100 * (small.work / small.steps));
  });

  it('times the calibration probes: one warm-up run is always dropped, so even runs=0 measures', () => {
    for (const runs of [0, 2]) {
      const t = timeCalibrationProbes(runs);
      for (const s of [t.big, t.small]) {
        expect(Number.isFinite(s)).toBe(true);
        expect(s).toBeGreaterThan(0);
      }
    }
  });
});

describe('the cost of a probe computing some of its norms', () => {
  const shapes = [
    { arch: 'lstm' as const, T: 100, N: 128, D: 16, H: 64 }, // the direct route
    { arch: 'lstm' as const, T: 100, N: 2, D: 16, H: 64 }, // the gram route
    { arch: 'gru' as const, T: 100, N: 4, D: 8, H: 32 },
    { arch: 'rnn' as const, T: 100, N: 16, D: 16, H: 64 },
  ];
  it('all five cost what the calibrated model says; fewer weight-gradient norms cost less, dh and dc alone least', () => {
    for (const c of shapes) {
      expect(probeCostTerms(c, { norms: ['dh', 'dc', 'dWx', 'dWh', 'db'] })).toEqual(probeCostTerms(c));
      expect(normsShare(c, ['db', 'dWh', 'dWx', 'dc', 'dh'])).toBe(1);
      const dhOnly = normsShare(c, ['dh']);
      expect(normsShare(c, ['dh', 'dc', 'db'])).toBe(dhOnly);
      expect(dhOnly).toBeGreaterThan(0);
      expect(normsShare(c, ['dWx'])).toBeGreaterThan(dhOnly);
      expect(normsShare(c, ['dWh'])).toBeGreaterThan(normsShare(c, ['dWx'])); // H > D in every shape here
      expect(normsShare(c, ['dWh'])).toBeLessThan(1);
      expect(probeCostTerms(c, { norms: ['dh'] }).work / (probeCostTerms(c).work * dhOnly)).toBeCloseTo(1, 14);
      expect(probeCostTerms(c, { norms: ['dh'] }).steps).toBe(c.T);
      expect(probeCostTerms(c, { norms: ['dh'] }).once).toBe(probeCostTerms(c).once);
    }
  });
  it('at large N the weight gradients are as much work as the forward and backward products (direct route)', () => {
    // Forward (D + H) G, carry H G, dWx + dWh (D + H) G: dh alone leaves (D + 2H) / (2D + 3H).
    const c = shapes[0];
    expect(normsShare(c, ['dh'])).toBeCloseTo((16 + 128) / (32 + 192), 14);
  });
});

describe('the once-per-probe and Lyapunov terms', () => {
  it("counts sigma_max(Wh)'s gram matrix: at H = 4096 it outweighs a short probe's steps", () => {
    // The case: T=4, N=1, D=1, H=4096 was estimated 0.24 s and took 17.1 s.
    const c = { arch: 'lstm' as const, T: 4, N: 1, D: 1, H: 4096 };
    const t = probeCostTerms(c);
    // Lanczos: at most SPECTRAL_PRODUCTS (160) products and their reorthogonalisation.
    expect(t.once).toBe(4096 * 4096 * (8192 + 160) + 2 * 160 * 160 * 4096);
    expect(t.once).toBeGreaterThan(500 * t.work);
  });
  it('k Lyapunov vectors add about k backward carries per step (none for the GRU, which has no pass)', () => {
    const lstm = { arch: 'lstm' as const, T: 1024, N: 16, D: 16, H: 64 };
    const rnn = { ...lstm, arch: 'rnn' as const };
    for (const c of [lstm, rnn]) {
      const plain = probeCostTerms(c).work;
      const k4 = probeCostTerms(c, { lyapunovVectors: 4 }).work;
      // Measured 2.8x (LSTM) and 4x (RNN) the plain probe's time; the model says 4.2x for both.
      expect(k4 / plain).toBeGreaterThan(3);
      expect(k4 / plain).toBeLessThan(5.5);
      expect(probeCostTerms(c, { lyapunovVectors: 0 }).work).toBe(plain);
    }
    const gru = { ...lstm, arch: 'gru' as const };
    expect(probeCostTerms(gru, { lyapunovVectors: 4 }).work).toBe(probeCostTerms(gru).work);
  });
});

describe('timing samples', () => {
  const sample = (T: number, segment?: number): TimingSample => ({
    config: withDefaults({ arch: 'lstm', T, N: 2, D: 2, H: 3, seed: 1 }),
    lyapunovVectors: 0,
    segment,
  });

  it('answers one time per sample, in order, checkpointed ones included', () => {
    const seconds = timeSamples([sample(4), sample(64), sample(64, 8)]);
    expect(seconds).toHaveLength(3);
    for (const s of seconds) expect(Number.isFinite(s) && s > 0).toBe(true);
  });

  it.skipIf(!wasmSimdAvailable())(
    "grows the worker's arena for the sweep's probe a sample stands for (arenaFor), not only for the sample",
    () => {
      const arenaBytes = (): number => Workspace.create(1).mem.buffer.byteLength;
      const needs = sweepProbeNeeds('lstm', 0);
      const bytesOf = (T: number): number => {
        const c = withDefaults({ arch: 'lstm', T, N: 4, D: 2, H: 16, seed: 1 });
        return 8 * probeArenaDoubles(c, needs, DEFAULT_MAX_PROBE_BYTES);
      };
      // A probe larger than the arena the file's probes have grown so far.
      let T = 4096;
      while (bytesOf(T) <= arenaBytes()) T *= 2;
      const probe = withDefaults({ arch: 'lstm', T, N: 4, D: 2, H: 16, seed: 1 });
      timeSamples([{ ...sample(4), arenaFor: probe }]);
      expect(arenaBytes()).toBeGreaterThanOrEqual(bytesOf(T));
    },
  );

  it('refuses a sample the probe limits refuse (the worker answers with the reason)', () => {
    expect(() => timeSamples([sample(0)])).toThrow();
  });
});
