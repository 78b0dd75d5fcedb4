// The theory rates against a plain forward pass in this file (its own tanh and sigmoid) and, for
// the mean-field factor, against the exact asymptotic rate (the top Lyapunov exponent).
import { describe, expect, it } from 'vitest';
import { buildInputs, runProbe, withDefaults, type ProbeConfig, type ProbeInputs } from './index';

/** Per step t, sequence n: the pre-activations a_t (G), from a plain forward pass. */
function preActivations(c: ProbeConfig, inp: ProbeInputs, visit: (t: number, n: number, a: number[]) => void): void {
  const { N, T, D, H, arch } = c;
  const G = arch === 'lstm' ? 4 * H : H;
  const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
  for (let n = 0; n < N; n++) {
    let h = Array.from(inp.h0.subarray(n * H, (n + 1) * H));
    let cell = new Array<number>(H).fill(0);
    for (let t = 0; t < T; t++) {
      const a = new Array<number>(G).fill(0);
      for (let j = 0; j < G; j++) {
        let s = inp.b[j];
        for (let d = 0; d < D; d++) s += inp.x[(n * T + t) * D + d] * inp.Wx[d * G + j];
        for (let i = 0; i < H; i++) s += h[i] * inp.Wh[i * G + j];
        a[j] = s;
      }
      visit(t, n, a);
      if (arch === 'rnn') {
        h = a.map(Math.tanh);
      } else {
        const nc = cell.map((cp, u) => sigmoid(a[H + u]) * (t === 0 ? 0 : cp) + sigmoid(a[u]) * Math.tanh(a[3 * H + u]));
        h = nc.map((cu, u) => sigmoid(a[2 * H + u]) * Math.tanh(cu));
        cell = nc;
      }
    }
  }
}

function frobeniusGain(Wh: Float64Array, H: number): number {
  return Math.sqrt(Wh.reduce((s, w) => s + w * w, 0) / H);
}

describe('theory rates', () => {
  it('the RNN mean-field factor uses the realized gain: scaled init', () => {
    const config = withDefaults({ arch: 'rnn', T: 200, N: 4, D: 4, H: 64, seed: 3, whGain: 0.8 });
    const inputs = buildInputs(config);
    const r = runProbe(config);
    const gain = frobeniusGain(inputs.Wh, config.H);
    expect(r.theory.realizedGain).toBeCloseTo(gain, 12);
    expect(Math.abs(gain / 0.8 - 1)).toBeLessThan(0.05);
    let squares = 0;
    preActivations(config, inputs, (_t, _n, a) => a.forEach((x) => (squares += (1 - Math.tanh(x) ** 2) ** 2)));
    const expected = Math.log10(gain * Math.sqrt(squares / (config.T * config.N * config.H)));
    expect(r.theory.rates.meanField).toBeCloseTo(expected, 10);
    expect(r.theory.rates.cellPath).toBeNull();
    expect(r.theory.rates.pmbBound).toBeCloseTo(Math.log10(r.theory.whSpectralNorm), 12);
  });

  it('the RNN mean-field factor uses the realized gain: article init, about sqrt(H), not whGain', () => {
    const config = withDefaults({ arch: 'rnn', T: 64, N: 4, D: 4, H: 64, seed: 1, init: 'article', whGain: 1 });
    const inputs = buildInputs(config);
    const r = runProbe(config);
    expect(r.theory.realizedGain).toBeCloseTo(frobeniusGain(inputs.Wh, config.H), 12);
    expect(Math.abs(r.theory.realizedGain! / Math.sqrt(config.H) - 1)).toBeLessThan(0.05);
    // Expanding, not vanishing: the factor with whGain = 1 in place of the realized gain is negative.
    expect(r.theory.rates.meanField!).toBeGreaterThan(0);
    expect(Math.log10(r.theory.meanSlope)).toBeLessThan(0);
  });

  it('the mean-field factor is near the exact rate on a contracting RNN, which the PMB bound exceeds', () => {
    const config = withDefaults({ arch: 'rnn', T: 1500, N: 4, D: 4, H: 64, seed: 3, whGain: 0.8 });
    const r = runProbe(config, { lyapunov: { k: 1 } });
    const top = r.lyapunov!.top!;
    expect(Math.abs(r.theory.rates.meanField! - top)).toBeLessThan(0.03);
    expect(r.theory.rates.pmbBound!).toBeGreaterThan(top);
  });

  it('the LSTM cell-path factor: the time-mean of log10 f of the slowest-forgetting unit', () => {
    const config = withDefaults({ arch: 'lstm', T: 120, N: 3, D: 3, H: 8, seed: 2, whGain: 1, bScale: 1, forgetBias: 1 });
    const inputs = buildInputs(config);
    const r = runProbe(config);
    const sums = new Array<number>(config.N * config.H).fill(0);
    const { H } = config;
    preActivations(config, inputs, (_t, n, a) => {
      for (let u = 0; u < H; u++) sums[n * H + u] += Math.log10(1 / (1 + Math.exp(-a[H + u])));
    });
    expect(r.theory.rates.cellPath).toBeCloseTo(Math.max(...sums) / config.T, 10);
    expect(r.theory.rates.meanField).toBeNull();
    expect(r.theory.rates.pmbBound).toBeNull();
    expect(r.theory.realizedGain).toBeNull();
  });

  it('the cell-path factor stays exact where every forget gate is below 1e-308', () => {
    const config = withDefaults({ arch: 'lstm', T: 30, N: 2, D: 2, H: 3, seed: 2 });
    const inputs = buildInputs(config);
    for (let u = config.H; u < 2 * config.H; u++) inputs.b[u] = -800;
    const r = runProbe(config, { inputs });
    const sums = new Array<number>(config.N * config.H).fill(0);
    // log sigmoid(a) = a - log1p(e^a), exact for very negative a.
    preActivations(config, inputs, (_t, n, a) => {
      for (let u = 0; u < config.H; u++)
        sums[n * config.H + u] += (a[config.H + u] - Math.log1p(Math.exp(a[config.H + u]))) / Math.LN10;
    });
    const expected = Math.max(...sums) / config.T;
    expect(expected).toBeLessThan(-340);
    expect(r.theory.rates.cellPath).toBeCloseTo(expected, 8);
  });

  it('an exactly zero recurrence (wh-gain 0) predicts -Infinity, not a number', () => {
    const r = runProbe(withDefaults({ arch: 'rnn', T: 20, N: 2, D: 2, H: 4, seed: 1, whGain: 0 }));
    expect(r.theory.realizedGain).toBe(0);
    expect(r.theory.rates.meanField).toBe(-Infinity);
    expect(r.theory.rates.pmbBound).toBe(-Infinity);
  });
});
