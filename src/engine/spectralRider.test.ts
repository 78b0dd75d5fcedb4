// sigma_max(Wh) riding on the loss pass's carries (spectralRider.ts) against the Gram route
// (theory.ts) and matrices of known singular values; the probe's norms with riders against those
// without, fused and unfused, stored and checkpointed; and the shapes whose probes take riders.
import { describe, expect, it } from 'vitest';
import { buildInputs, runProbe, withDefaults, type ProbeConfigInput } from './index';
import { ridesCarryShape } from './spectralRider';
import { SPECTRAL_PRODUCTS } from './theory';
import { Workspace } from './workspace';
import { withSingularValues, uniforms } from './testing/singularValues';

const hasRiders = Boolean(Workspace.create(1).kernels.dotsRider);

function probeWith(input: ProbeConfigInput, W?: Float64Array) {
  const config = withDefaults(input);
  const inputs = buildInputs(config, config.lossStep);
  if (W) inputs.Wh.set(W);
  return (options: Parameters<typeof runProbe>[1] = {}) => runProbe(config, { inputs, norms: ['dh', 'dWh'], ...options });
}

function expectRelative(got: number, want: number, tolerance: number): void {
  expect(Math.abs(got / want - 1)).toBeLessThan(tolerance);
}

describe('which probes take sigma_max(Wh) from riders', () => {
  it('one sequence of an RNN or LSTM whose Wh is 32 MiB or more, with two carries per Lanczos product', () => {
    const lstm = { arch: 'lstm' as const, N: 1, H: 1024, G: 4096, lossStep: 2 * SPECTRAL_PRODUCTS };
    expect(ridesCarryShape(lstm)).toBe(true);
    expect(ridesCarryShape({ ...lstm, lossStep: 2 * SPECTRAL_PRODUCTS - 1 })).toBe(false);
    expect(ridesCarryShape({ ...lstm, N: 2 })).toBe(false);
    expect(ridesCarryShape({ ...lstm, H: 512, G: 2048 })).toBe(false);
    expect(ridesCarryShape({ ...lstm, arch: 'gru', G: 3072 })).toBe(false);
    expect(ridesCarryShape({ arch: 'rnn', N: 1, H: 2048, G: 2048, lossStep: 400 })).toBe(true);
    expect(ridesCarryShape({ arch: 'rnn', N: 1, H: 1024, G: 1024, lossStep: 400 })).toBe(false);
  });
});

describe.skipIf(!hasRiders)('sigma_max(Wh) by riders (native kernels)', () => {
  it('matches known singular values, clustered ones too, as the Gram route does (RNN and LSTM)', () => {
    for (const arch of ['rnn', 'lstm'] as const) {
      for (const H of [3, 40]) {
        const G = arch === 'lstm' ? 4 * H : H;
        const u = uniforms(H + G);
        const rest = (top: number) => Array.from({ length: H }, () => top * 0.95 * u());
        for (const s of [
          [1.7, ...rest(1.7)],
          [1, 1 - 1e-6, ...rest(1)],
        ].map((v) => v.slice(0, H))) {
          // T = 30: the carries take 14 products, the rest run after the pass (finish()).
          const run = probeWith({ arch, T: 30, N: 1, D: 2, H, seed: 3 }, withSingularValues(s, H, G, 5 * H + G));
          const byRiders = run({ spectralRoute: 'rider' }).theory.whSpectralNorm;
          const byGram = run({ spectralRoute: 'gram' }).theory.whSpectralNorm;
          expectRelative(byRiders, s[0], 1e-9);
          expectRelative(byRiders, byGram, 1e-12);
        }
      }
    }
  });

  it("leaves the probe's norms as they are, to the bit, fused or not, stored or checkpointed", () => {
    for (const arch of ['rnn', 'lstm'] as const) {
      const run = probeWith({ arch, T: 90, N: 1, D: 3, H: 20, seed: 8, forgetBias: 2 });
      const plain = run({ spectralRoute: 'gram' });
      const ridden = run({ spectralRoute: 'rider' });
      expect(ridden.lossStepNorms).toEqual(plain.lossStepNorms);
      expect(ridden.forward).toEqual(plain.forward);
      for (const other of [
        run({ spectralRoute: 'rider', fusedSteps: false }),
        run({ spectralRoute: 'rider', checkpointSegment: 7 }),
      ]) {
        expect(other.theory.whSpectralNorm).toBe(ridden.theory.whSpectralNorm);
        expect(other.lossStepNorms).toEqual(ridden.lossStepNorms);
      }
      expect(ridden.checkpointed).toBe(false);
    }
  });

  it('is what a probe of LSTM H = 1024, N = 1 takes by itself, agreeing with the Gram route to 1e-12', () => {
    const run = probeWith({ arch: 'lstm', T: 2 * SPECTRAL_PRODUCTS + 1, N: 1, D: 1, H: 1024, seed: 2 });
    const chosen = run();
    const byGram = run({ spectralRoute: 'gram' });
    const byRiders = run({ spectralRoute: 'rider' });
    expect(chosen.theory.whSpectralNorm).toBe(byRiders.theory.whSpectralNorm);
    expectRelative(byRiders.theory.whSpectralNorm, byGram.theory.whSpectralNorm, 1e-12);
    expect(byRiders.lossStepNorms).toEqual(byGram.lossStepNorms);
  });

  it('refuses riders for a batch or a GRU, whose carries are not the dot products they ride on', () => {
    expect(() => probeWith({ arch: 'lstm', T: 5, N: 2, D: 1, H: 4, seed: 1 })({ spectralRoute: 'rider' })).toThrow(
      /one sequence \(N = 1\) of an RNN or LSTM/,
    );
    expect(() => probeWith({ arch: 'gru', T: 5, N: 1, D: 1, H: 4, seed: 1 })({ spectralRoute: 'rider' })).toThrow(
      /one sequence \(N = 1\) of an RNN or LSTM/,
    );
  });
});

describe.skipIf(hasRiders)('sigma_max(Wh) without the native kernels', () => {
  it('comes from the Gram matrix, riders refused', () => {
    const run = probeWith({ arch: 'lstm', T: 5, N: 1, D: 1, H: 4, seed: 1 });
    expect(run().theory.whSpectralNorm).toBeGreaterThan(0);
    expect(() => run({ spectralRoute: 'rider' })).toThrow(/needs the native kernels/);
  });
});
