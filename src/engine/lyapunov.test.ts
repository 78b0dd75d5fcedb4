// The Lyapunov pass against an independent Benettin: a plain forward pass in this file, the
// explicit Jacobian of each step (h_k, and c_k for the LSTM, with respect to the step before),
// Householder QR of the product with the same starting vectors. Then against what the exponent
// predicts (the tail slope of the measured log10 ||dL_t/dh_k||), against other starting vectors,
// and on saturated runs where every slope is far below 1e-308.
import { describe, expect, it } from 'vitest';
import { buildInputs, runProbe, withDefaults, type ProbeConfig, type ProbeInputs } from './index';

const sigmoid = (a: number): number => 1 / (1 + Math.exp(-a));

/**
 * Per step k = 1..T-1 and sequence n, the Jacobian J (m x m, rows: outputs (h_k | c_k), columns:
 * inputs (h_{k-1} | c_{k-1})) of a plain forward pass of the probe.
 */
function explicitJacobians(c: ProbeConfig, inp: ProbeInputs): number[][][][] {
  const { N, T, D, H, arch } = c;
  const G = arch === 'lstm' ? 4 * H : H;
  const m = arch === 'lstm' ? 2 * H : H;
  const out: number[][][][] = [];
  for (let n = 0; n < N; n++) {
    const perStep: number[][][] = [];
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
      const J = Array.from({ length: m }, () => new Array<number>(m).fill(0));
      if (arch === 'rnn') {
        const next = a.map(Math.tanh);
        for (let u = 0; u < H; u++) for (let i = 0; i < H; i++) J[u][i] = (1 - next[u] ** 2) * inp.Wh[i * G + u];
        h = next;
      } else {
        const nextH = new Array<number>(H);
        const nextC = new Array<number>(H);
        for (let u = 0; u < H; u++) {
          const ig = sigmoid(a[u]),
            fg = sigmoid(a[H + u]),
            og = sigmoid(a[2 * H + u]),
            gg = Math.tanh(a[3 * H + u]);
          const cPrev = t === 0 ? 0 : cell[u];
          const cu = fg * cPrev + ig * gg;
          const tc = Math.tanh(cu);
          nextC[u] = cu;
          nextH[u] = og * tc;
          for (let i = 0; i < H; i++) {
            const dcdh =
              cPrev * fg * (1 - fg) * inp.Wh[i * G + H + u] +
              gg * ig * (1 - ig) * inp.Wh[i * G + u] +
              ig * (1 - gg * gg) * inp.Wh[i * G + 3 * H + u];
            J[H + u][i] = dcdh;
            J[u][i] = og * (1 - og) * tc * inp.Wh[i * G + 2 * H + u] + og * (1 - tc * tc) * dcdh;
          }
          J[H + u][H + u] = fg;
          J[u][H + u] = og * (1 - tc * tc) * fg;
        }
        h = nextH;
        cell = nextC;
      }
      perStep.push(J);
    }
    out.push(perStep);
  }
  return out;
}

/** |diag R| of the Householder QR of the m x k matrix A (columns), and Q's first k columns. */
function householderQR(A: number[][], m: number, k: number): { diag: number[]; Q: number[][] } {
  const R = A.map((row) => row.slice());
  const vs: number[][] = [];
  for (let j = 0; j < k; j++) {
    let norm = 0;
    for (let i = j; i < m; i++) norm += R[i][j] ** 2;
    norm = Math.sqrt(norm);
    const v = new Array<number>(m).fill(0);
    const alpha = R[j][j] >= 0 ? -norm : norm;
    for (let i = j; i < m; i++) v[i] = R[i][j];
    v[j] -= alpha;
    const vn = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    if (vn > 0) for (let i = 0; i < m; i++) v[i] /= vn;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let i = j; i < m; i++) s += v[i] * R[i][c];
      for (let i = j; i < m; i++) R[i][c] -= 2 * v[i] * s;
    }
    vs.push(v);
  }
  // Q = H_0 ... H_{k-1} applied to the first k unit columns.
  const Q = Array.from({ length: m }, (_, i) => Array.from({ length: k }, (_, c) => (i === c ? 1 : 0)));
  for (let j = k - 1; j >= 0; j--) {
    const v = vs[j];
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += v[i] * Q[i][c];
      for (let i = 0; i < m; i++) Q[i][c] -= 2 * v[i] * s;
    }
  }
  return { diag: R.slice(0, k).map((row, j) => Math.abs(row[j])), Q };
}

/** Benettin on the explicit backward maps J_k^T, k = t..1, from the given starting columns. */
function referenceExponents(J: number[][][], t: number, start: number[][], m: number, k: number): number[] {
  let Q = householderQR(start, m, k).Q;
  const logs = new Array<number>(k).fill(0);
  for (let step = t; step >= 1; step--) {
    const Jk = J[step];
    const A = Array.from({ length: m }, (_, i) =>
      Array.from({ length: k }, (_, c) => {
        let s = 0;
        for (let o = 0; o < m; o++) s += Jk[o][i] * Q[o][c];
        return s;
      }),
    );
    const qr = householderQR(A, m, k);
    qr.diag.forEach((d, j) => (logs[j] += Math.log10(d)));
    Q = qr.Q;
  }
  return logs.map((l) => l / t);
}

function startVectors(N: number, k: number, m: number, seed: number): Float64Array {
  let s = seed;
  const v = new Float64Array(N * k * m);
  for (let i = 0; i < v.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    v[i] = s / 2147483648 - 0.5;
  }
  return v;
}

describe('Lyapunov exponents', () => {
  const cases: Array<{ name: string; config: ProbeConfig; k: number }> = [
    {
      name: 'rnn, scaled init',
      config: withDefaults({ arch: 'rnn', T: 40, N: 3, D: 3, H: 6, seed: 5, whGain: 1.3, bScale: 0.5 }),
      k: 4,
    },
    { name: 'rnn, article init', config: withDefaults({ arch: 'rnn', T: 30, N: 2, D: 3, H: 5, seed: 2, init: 'article' }), k: 5 },
    {
      name: 'lstm, joint (h, c)',
      config: withDefaults({ arch: 'lstm', T: 40, N: 3, D: 3, H: 4, seed: 7, whGain: 1.5, bScale: 0.5, forgetBias: 1 }),
      k: 4,
    },
    {
      name: 'lstm, every exponent',
      config: withDefaults({ arch: 'lstm', T: 25, N: 2, D: 2, H: 3, seed: 11, init: 'article', lossStep: 20 }),
      k: 6,
    },
  ];
  for (const { name, config, k } of cases) {
    it(`match an explicit-Jacobian Householder Benettin: ${name}`, () => {
      const m = config.arch === 'lstm' ? 2 * config.H : config.H;
      const start = startVectors(config.N, k, m, 3);
      const r = runProbe(config, { lyapunov: { k, startVectors: start } });
      const inputs = buildInputs(config);
      const J = explicitJacobians(config, inputs);
      const L = r.lyapunov!;
      expect(L.steps).toBe(config.lossStep);
      for (let n = 0; n < config.N; n++) {
        const cols = Array.from({ length: m }, (_, i) => Array.from({ length: k }, (_, c) => start[(n * k + c) * m + i]));
        const ref = referenceExponents(J[n], config.lossStep, cols, m, k);
        for (let i = 0; i < k; i++) expect(L.perSequence[n][i]).toBeCloseTo(ref[i], 9);
      }
      const tops = L.perSequence.map((s) => s[0]);
      expect(L.top).toBe(Math.max(...tops));
      expect(L.spectrum).toEqual(L.perSequence[tops.indexOf(L.top!)]);
    });
  }

  it('give the tail slope of the measured norm on a long contracting RNN (g = 0.8)', () => {
    const config = withDefaults({ arch: 'rnn', T: 1500, N: 4, D: 4, H: 32, seed: 3, whGain: 0.8 });
    const r = runProbe(config, { lyapunov: { k: 1 } });
    const slope = tailSlope(r.lossStepNorms.dh, 0, 1000);
    expect(slope).toBeLessThan(-0.05);
    expect(Math.abs(r.lyapunov!.top! - slope)).toBeLessThan(0.01);
  });

  it('give the tail slope of the measured dh and dc norms on a long LSTM', () => {
    const config = withDefaults({ arch: 'lstm', T: 1500, N: 3, D: 4, H: 8, seed: 4, whGain: 1, forgetBias: 1 });
    const r = runProbe(config, { lyapunov: { k: 2 } });
    const top = r.lyapunov!.top!;
    expect(top).toBeLessThan(-0.01);
    expect(Math.abs(top - tailSlope(r.lossStepNorms.dh, 0, 1000))).toBeLessThan(0.02 * Math.abs(top) + 0.002);
    expect(Math.abs(top - tailSlope(r.lossStepNorms.dc!, 0, 1000))).toBeLessThan(0.02 * Math.abs(top) + 0.002);
  });

  it('do not depend on the starting vectors beyond the finite-time error', () => {
    for (const arch of ['rnn', 'lstm'] as const) {
      const config = withDefaults({ arch, T: 800, N: 2, D: 3, H: 8, seed: 9, whGain: 1.1 });
      const a = runProbe(config, { lyapunov: { k: 3, startSeed: 1 } }).lyapunov!;
      const b = runProbe(config, { lyapunov: { k: 3, startSeed: 99 } }).lyapunov!;
      // The starting vectors change the sum of logs by O(1) decades, over 799 steps.
      for (let n = 0; n < 2; n++)
        for (let i = 0; i < 3; i++) expect(Math.abs(a.perSequence[n][i] - b.perSequence[n][i])).toBeLessThan(5 / 799);
      expect(a.perSequence[0][0]).not.toBe(b.perSequence[0][0]);
    }
  });

  it('stay exact where every slope is far below 1e-308 (saturated RNN and LSTM)', () => {
    // Every bias pushed to +-400 (beyond the spec's range, so given as inputs; the LSTM's forget
    // gates to -400): every unit sits at |a| near 400, where tanh' and sigmoid' ~ e^-|a| and the
    // forget gate itself leave float64's range.
    const rnn = withDefaults({ arch: 'rnn', T: 60, N: 2, D: 2, H: 6, seed: 1, init: 'article' });
    const lstm = withDefaults({ arch: 'lstm', T: 60, N: 2, D: 2, H: 4, seed: 1, init: 'article' });
    for (const config of [rnn, lstm]) {
      const inputs = buildInputs(config);
      const H = config.H;
      for (let j = 0; j < inputs.b.length; j++) {
        const forget = config.arch === 'lstm' && j >= H && j < 2 * H;
        inputs.b[j] += forget || inputs.b[j] < 0 ? -400 : 400;
      }
      const r = runProbe(config, { inputs, lyapunov: { k: 1 } });
      const top = r.lyapunov!.top!;
      // One vector's growth is the slope of the norm, up to the start's O(1) decades over the run.
      const dh = r.lossStepNorms.dh;
      const measured = (dh[0] - dh[config.lossStep]) / config.lossStep;
      expect(measured).toBeLessThan(-20);
      expect(Math.abs(top - measured)).toBeLessThan(2 / config.lossStep + 0.01 * Math.abs(measured));
    }
  });

  it('are -Infinity for an exactly zero map (wh-gain 0), null with no steps', () => {
    const zero = runProbe(withDefaults({ arch: 'rnn', T: 20, N: 2, D: 2, H: 4, seed: 1, whGain: 0 }), { lyapunov: {} }).lyapunov!;
    expect(zero.top).toBe(-Infinity);
    expect(zero.spectrum).toEqual([-Infinity, -Infinity, -Infinity, -Infinity]);
    const none = runProbe(withDefaults({ arch: 'rnn', T: 5, N: 1, D: 2, H: 4, seed: 1, lossStep: 0 }), {
      lyapunov: {},
    }).lyapunov!;
    expect(none).toMatchObject({ steps: 0, top: null, spectrum: [] });
  });

  it('refuse a k that is not a positive integer, naming it', () => {
    expect(() => runProbe(withDefaults({ arch: 'rnn', T: 5, N: 1, D: 2, H: 4, seed: 1 }), { lyapunov: { k: 0 } })).toThrow(
      /lyapunov k must be an integer >= 1/,
    );
  });

  it('share a checkpointed trace and give the same values', () => {
    const config = withDefaults({ arch: 'lstm', T: 200, N: 2, D: 3, H: 5, seed: 6 });
    const stored = runProbe(config, { lyapunov: { k: 3 } }).lyapunov!;
    const checkpointed = runProbe(config, { lyapunov: { k: 3 }, checkpointSegment: 17 });
    expect(checkpointed.checkpointed).toBe(true);
    expect(checkpointed.lyapunov).toEqual(stored);
  });
});

/** Least-squares slope of y[k] over k in [from, to), decades per step toward the past (k decreasing). */
function tailSlope(y: Float64Array, from: number, to: number): number {
  let sx = 0,
    sy = 0,
    sxx = 0,
    sxy = 0;
  const n = to - from;
  for (let k = from; k < to; k++) {
    sx += k;
    sy += y[k];
    sxx += k * k;
    sxy += k * y[k];
  }
  // log10 ||dL_t/dh_k|| grows with k; per step back it changes by minus the slope in k.
  return -(n * sxy - sx * sy) / (n * sxx - sx * sx);
}
