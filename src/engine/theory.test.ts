// The theory rates against a plain forward pass in this file (its own tanh and sigmoid) and, for
// the mean-field factor, against the exact asymptotic rate (the top Lyapunov exponent);
// sigma_max(Wh) against matrices built with known singular values; the sums of log2 f against
// the plain sum of logs.
import { describe, expect, it } from 'vitest';
import { buildInputs, runProbe, withDefaults, type ProbeConfig, type ProbeInputs } from './index';
import { ForgetLogSums, largestEigenvalue, ritzLastComponent, SPECTRAL_PRODUCTS, topEigenvalue } from './theory';
import { gramUpper, jsKernels, type Kernels } from './linalg';
import { randomUnit, uniforms, withSingularValues } from './testing/singularValues';

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

/** The probe's sigma_max(Wh), with Wh replaced by W (H x G, G the arch's gate width). */
function probeSpectralNorm(arch: 'rnn' | 'lstm', H: number, W: Float64Array): number {
  const config = withDefaults({ arch, T: 2, N: 1, D: 1, H, seed: 1 });
  const inputs = buildInputs(config);
  expect(W.length).toBe(inputs.Wh.length);
  inputs.Wh.set(W);
  return runProbe(config, { inputs }).theory.whSpectralNorm;
}

function expectRelative(got: number, want: number, tolerance: number): void {
  expect(Math.abs(got / want - 1)).toBeLessThan(tolerance);
}

describe('sigma_max(Wh) by Lanczos', () => {
  it('matches known singular values, clustered ones too, square and H x 4H, H = 1, 2, 3, 300', () => {
    for (const arch of ['rnn', 'lstm'] as const) {
      for (const H of [1, 2, 3, 300]) {
        const G = arch === 'lstm' ? 4 * H : H;
        const u = uniforms(H);
        const rest = (top: number) => Array.from({ length: H }, () => top * 0.95 * u());
        const spread = [1.7, ...rest(1.7)].slice(0, H);
        const clustered = [1, 1 - 1e-6, ...rest(1)].slice(0, H);
        for (const s of H > 1 ? [spread, clustered] : [spread]) {
          expectRelative(probeSpectralNorm(arch, H, withSingularValues(s, H, G, 7 * H + G)), s[0], 1e-9);
        }
      }
    }
  });

  it('a rank-1 u v^T, u orthogonal to the ones vector: |u| |v|', () => {
    const H = 40;
    const u = Float64Array.from({ length: H }, (_, i) => (i % 2 === 0 ? 1 : -1) * (1 + i / H));
    const v = randomUnit(4 * H, uniforms(3)).map((x) => 2.5 * x);
    const W = new Float64Array(H * 4 * H);
    for (let i = 0; i < H; i++) for (let j = 0; j < 4 * H; j++) W[i * 4 * H + j] = u[i] * v[j];
    expectRelative(probeSpectralNorm('lstm', H, W), Math.hypot(...u) * Math.hypot(...v), 1e-9);
  });

  it('a scaled permutation (every singular value equal) and a diagonal matrix', () => {
    const H = 50;
    const P = new Float64Array(H * H);
    for (let i = 0; i < H; i++) P[i * H + ((7 * i + 3) % H)] = -0.8;
    expectRelative(probeSpectralNorm('rnn', H, P), 0.8, 1e-9);
    const d = Array.from({ length: H }, (_, i) => Math.cos(i) * 3);
    const D = new Float64Array(H * H);
    d.forEach((x, i) => (D[i * H + i] = x));
    expectRelative(probeSpectralNorm('rnn', H, D), Math.max(...d.map(Math.abs)), 1e-9);
  });

  it('takes far fewer products than the cap on the scaled init, and no more than the cap on a hard case', () => {
    const productsFor = (S: Float64Array, n: number, maxProducts = SPECTRAL_PRODUCTS): { products: number; lambda: number } => {
      let products = 0;
      const counting: Kernels = { ...jsKernels, symv: (...a) => (products++, jsKernels.symv(...a)) };
      const lambda = largestEigenvalue(S, n, maxProducts, counting);
      return { products, lambda };
    };
    const gramOf = (W: Float64Array, H: number, G: number): Float64Array => {
      const S = new Float64Array(H * H);
      gramUpper(S, W, 0, H, G);
      for (let i = 0; i < H; i++) for (let j = 0; j < i; j++) S[i * H + j] = S[j * H + i];
      return S;
    };
    for (const [H, most] of [
      [64, 35],
      [256, 55],
    ]) {
      const config = withDefaults({ arch: 'lstm', T: 2, N: 1, D: 1, H, seed: 1 });
      expect(productsFor(gramOf(buildInputs(config).Wh, H, 4 * H), H).products).toBeLessThanOrEqual(most);
    }
    // Singular values 1, 1 - 1e-3, 1 - 2e-3, ...: slow to converge; the cap stops it, close anyway.
    const H = 200;
    const s = Array.from({ length: H }, (_, i) => 1 - 1e-3 * i);
    const { products, lambda } = productsFor(gramOf(withSingularValues(s, H, H, 5), H, H), H, 12);
    expect(products).toBe(12);
    expect(Math.sqrt(lambda)).toBeLessThanOrEqual(1 + 1e-12);
    expect(Math.sqrt(lambda)).toBeGreaterThan(0.99);
  });

  it('the top eigenpair of a tridiagonal matrix (-1, 2, -1): 2 + 2 cos(pi / (k + 1)), s_j ~ sin(j k pi / (k + 1))', () => {
    for (const k of [1, 2, 5, 100]) {
      const alpha = new Float64Array(k).fill(2);
      const beta = new Float64Array(k).fill(-1);
      const theta = topEigenvalue(alpha, beta, k);
      expectRelative(theta, k === 1 ? 2 : 2 + 2 * Math.cos(Math.PI / (k + 1)), 1e-15);
      // The unit eigenvector's last component: |sin(k^2 pi / (k + 1))| / sqrt((k + 1) / 2).
      expectRelative(
        ritzLastComponent(alpha, beta, k, theta),
        Math.abs(Math.sin((k * k * Math.PI) / (k + 1))) / Math.sqrt((k + 1) / 2),
        1e-9,
      );
    }
  });
});

describe('the sums of log2 f over the steps (ForgetLogSums)', () => {
  it('equal the plain sum of log2 f + exponent: gates near 1, tiny, above 1, exact zeros, read midway', () => {
    const N = 2;
    const H = 4;
    const T = 200_000;
    const u = uniforms(11);
    // Two steps' coefficient blocks; the step is the second one (kOff), the rest is NaN (not read).
    const coef = new Float64Array(2 * N * 6 * H).fill(NaN);
    const kOff = N * 6 * H;
    const sums = new ForgetLogSums(N * H);
    const plain = new Array<number>(N * H).fill(0);
    // Row and unit i's gate at step t; unit 7 has an exact zero midway.
    const gate = (i: number, t: number): number => {
      switch (i) {
        case 0:
          return 1 - 1e-7 * u();
        case 2:
          return 1e-300 * (0.5 + u());
        case 3:
          // Mostly about 1, now and then 2^-60: the running product folds often.
          return u() < 0.05 ? 2 ** -60 * (0.5 + u()) : 0.6 + u();
        case 4:
          // Above 1 (relative to a lower exponent): the running product folds on the way up.
          return 1 + u();
        case 5:
          return 1 + 1e-7 * u();
        case 6:
          // Tiny gates among small ones: they must not meet a running product already near 2^-900.
          return u() < 0.1 ? 1e-300 * (0.5 + u()) : 2 ** -50 * (0.5 + u());
        case 7:
          return t === T / 2 ? 0 : u();
        default:
          return u();
      }
    };
    const expectSums = (got: Float64Array): void => {
      for (let i = 0; i < N * H; i++) {
        if (plain[i] === -Infinity) expect(got[i]).toBe(-Infinity);
        else expect(Math.abs(got[i] - plain[i])).toBeLessThan(1e-9 * Math.max(1, Math.abs(plain[i])));
      }
    };
    for (let t = 0; t < T; t++) {
      const exponent = t % 1000 === 3 ? -1500 : t % 1000 === 4 ? 7 : 0;
      for (let n = 0; n < N; n++) {
        for (let h = 0; h < H; h++) {
          const f = gate(n * H + h, t);
          coef[kOff + n * 6 * H + 5 * H + h] = f;
          plain[n * H + h] += Math.log2(f) + exponent;
        }
      }
      sums.addStep(jsKernels, coef, kOff, exponent, N, H);
      if (t === T / 2 - 1) expectSums(sums.totals());
    }
    expect(plain[7]).toBe(-Infinity);
    expect(plain.filter(Number.isFinite)).toHaveLength(N * H - 1);
    expectSums(sums.totals());
    // Reading again changes nothing.
    expectSums(sums.totals());
  });
});
