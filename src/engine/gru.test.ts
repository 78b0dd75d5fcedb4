// The GRU (PyTorch's formulation) against central finite differences of the shipped forward pass
// and against an independent plain float64 re-implementation written here, on several sizes and
// update-gate biases (the forget-bias axis moves the z gate's input bias b_i[H:2H]).
import { describe, expect, it } from 'vitest';
import { runProbe, withDefaults, type ProbeConfig } from './index';
import { buildModelInputs, type ModelInputs } from './inputs';
import type { ForwardHooks } from './forward';
import { setKernelPreference } from './workspace';
import { prefersGram } from './backward';
import { dimsOf } from './forward';

const EPS = 1e-6;
const FD_TOL = 1e-6;
const REF_TOL = 1e-11;

const norm = (a: ArrayLike<number>): number => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
const sigmoid = (a: number): number => 1 / (1 + Math.exp(-a));

/** ||A^T B||_F with A N rows of K and B N rows of G. */
function transposeTimesNorm(A: ArrayLike<number>, K: number, B: ArrayLike<number>, N: number, G: number): number {
  const m = new Float64Array(K * G);
  for (let n = 0; n < N; n++) for (let i = 0; i < K; i++) for (let j = 0; j < G; j++) m[i * G + j] += A[n * K + i] * B[n * G + j];
  return norm(m);
}

function columnSums(B: ArrayLike<number>, N: number, G: number): number[] {
  const s = new Array<number>(G).fill(0);
  for (let n = 0; n < N; n++) for (let j = 0; j < G; j++) s[j] += B[n * G + j];
  return s;
}

interface ReferenceResult {
  /** Per step k, for the loss at T-1. */
  dh: number[];
  dWx: number[];
  dWh: number[];
  db: number[];
  hLast: Float64Array;
  /** Of L = sum_t sum(dout_t h_t). */
  full: { dWx: number; dWh: number; db: number; dh0: number; dx: number };
}

/**
 * The GRU by the book, in plain float64: the forward pass, then backprop through time once for
 * the loss at the last step and once for the total loss, from the gates' values (1 - tanh^2 and
 * s(1 - s): fine for these unsaturated cases, and independent of the engine's way).
 */
function referenceGru(c: ProbeConfig, p: ModelInputs): ReferenceResult {
  const { T, N, D, H } = c;
  const G = 3 * H;
  const bh = p.bh!;
  const hs: Float64Array[] = [p.h0.slice()];
  const steps: { r: Float64Array; z: Float64Array; nn: Float64Array; hn: Float64Array }[] = [];
  for (let t = 0; t < T; t++) {
    const hPrev = hs[t];
    const h = new Float64Array(N * H);
    const st = {
      r: new Float64Array(N * H),
      z: new Float64Array(N * H),
      nn: new Float64Array(N * H),
      hn: new Float64Array(N * H),
    };
    for (let n = 0; n < N; n++) {
      const ax = new Float64Array(G);
      const ah = new Float64Array(G);
      for (let g = 0; g < G; g++) {
        let sx = p.b[g];
        for (let d = 0; d < D; d++) sx += p.x[(n * T + t) * D + d] * p.Wx[d * G + g];
        let sh = bh[g];
        for (let i = 0; i < H; i++) sh += hPrev[n * H + i] * p.Wh[i * G + g];
        ax[g] = sx;
        ah[g] = sh;
      }
      for (let j = 0; j < H; j++) {
        const s = n * H + j;
        st.r[s] = sigmoid(ax[j] + ah[j]);
        st.z[s] = sigmoid(ax[H + j] + ah[H + j]);
        st.hn[s] = ah[2 * H + j];
        st.nn[s] = Math.tanh(ax[2 * H + j] + st.r[s] * st.hn[s]);
        h[s] = (1 - st.z[s]) * st.nn[s] + st.z[s] * hPrev[s];
      }
    }
    hs.push(h);
    steps.push(st);
  }
  /** One step back: from dL/dh_k, dL/dAx_k and dL/dAh_k, and dL/dh_{k-1}. */
  const back = (k: number, dh: Float64Array) => {
    const st = steps[k];
    const hPrev = hs[k];
    const daX = new Float64Array(N * G);
    const daH = new Float64Array(N * G);
    const dPrev = new Float64Array(N * H);
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < H; j++) {
        const s = n * H + j;
        const dan = dh[s] * (1 - st.z[s]) * (1 - st.nn[s] * st.nn[s]);
        const daz = dh[s] * (hPrev[s] - st.nn[s]) * st.z[s] * (1 - st.z[s]);
        const dar = dan * st.hn[s] * st.r[s] * (1 - st.r[s]);
        daX[n * G + j] = dar;
        daX[n * G + H + j] = daz;
        daX[n * G + 2 * H + j] = dan;
        daH[n * G + j] = dar;
        daH[n * G + H + j] = daz;
        daH[n * G + 2 * H + j] = dan * st.r[s];
        dPrev[s] = dh[s] * st.z[s];
      }
      for (let i = 0; i < H; i++) for (let g = 0; g < G; g++) dPrev[n * H + i] += daH[n * G + g] * p.Wh[i * G + g];
    }
    return { daX, daH, dPrev };
  };
  const xAt = (k: number) => {
    const xk = new Float64Array(N * D);
    for (let n = 0; n < N; n++) for (let d = 0; d < D; d++) xk[n * D + d] = p.x[(n * T + k) * D + d];
    return xk;
  };
  const doutAt = (t: number) => {
    const v = new Float64Array(N * H);
    for (let n = 0; n < N; n++) for (let j = 0; j < H; j++) v[n * H + j] = p.dout[(n * T + t) * H + j];
    return v;
  };
  const out: ReferenceResult = { dh: [], dWx: [], dWh: [], db: [], hLast: hs[T], full: { dWx: 0, dWh: 0, db: 0, dh0: 0, dx: 0 } };
  let dh = doutAt(T - 1);
  for (let k = T - 1; k >= 0; k--) {
    const { daX, daH, dPrev } = back(k, dh);
    out.dh[k] = norm(dh);
    out.dWx[k] = transposeTimesNorm(xAt(k), D, daX, N, G);
    out.dWh[k] = transposeTimesNorm(hs[k], H, daH, N, G);
    out.db[k] = norm([...columnSums(daX, N, G), ...columnSums(daH, N, G)]);
    dh = dPrev;
  }
  const gWx = new Float64Array(D * G);
  const gWh = new Float64Array(H * G);
  const gb = new Float64Array(2 * G);
  let dxSquares = 0;
  dh = new Float64Array(N * H);
  for (let k = T - 1; k >= 0; k--) {
    const d = doutAt(k);
    for (let i = 0; i < N * H; i++) dh[i] += d[i];
    const { daX, daH, dPrev } = back(k, dh);
    const xk = xAt(k);
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < G; g++) {
        for (let i = 0; i < D; i++) gWx[i * G + g] += xk[n * D + i] * daX[n * G + g];
        for (let i = 0; i < H; i++) gWh[i * G + g] += hs[k][n * H + i] * daH[n * G + g];
        gb[g] += daX[n * G + g];
        gb[G + g] += daH[n * G + g];
      }
      for (let i = 0; i < D; i++) {
        let s = 0;
        for (let g = 0; g < G; g++) s += daX[n * G + g] * p.Wx[i * G + g];
        dxSquares += s * s;
      }
    }
    dh = dPrev;
  }
  out.full = { dWx: norm(gWx), dWh: norm(gWh), db: norm(gb), dh0: norm(dh), dx: Math.sqrt(dxSquares) };
  return out;
}

/** L_{T-1} = sum(dout[:, T-1, :] h_{T-1}) of the shipped forward pass, nudged by `hooks`. */
function lastLoss(config: ProbeConfig, inputs: ModelInputs, hooks?: ForwardHooks): number {
  const r = runProbe(config, { inputs, forwardHooks: hooks });
  const { N, T, H } = config;
  let l = 0;
  for (let n = 0; n < N; n++) for (let j = 0; j < H; j++) l += inputs.dout[(n * T + T - 1) * H + j] * r.forward.hLast[n * H + j];
  return l;
}

/** dL_{T-1} / d(buffer at step k, entry i), the perturbation injected by a forward hook. */
function numericStepGradient(
  config: ProbeConfig,
  inputs: ModelInputs,
  where: keyof ForwardHooks,
  k: number,
  size: number,
): Float64Array {
  const g = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const at = (delta: number): ForwardHooks => ({
      [where]: (t: number, buf: Float64Array, off: number) => {
        if (t === k) buf[off + i] += delta;
      },
    });
    g[i] = (lastLoss(config, inputs, at(EPS)) - lastLoss(config, inputs, at(-EPS))) / (2 * EPS);
  }
  return g;
}

type ArrayName = 'x' | 'h0' | 'Wx' | 'Wh' | 'b' | 'bh';

/** d(total loss)/dv for every entry of one input array, by central differences. */
function numericGradient(config: ProbeConfig, inputs: ModelInputs, name: ArrayName): Float64Array {
  const total = (i: ModelInputs) => runProbe(config, { inputs: i, totalLoss: true }).forward.loss!;
  const clone = (): ModelInputs => ({
    x: inputs.x.slice(),
    h0: inputs.h0.slice(),
    Wx: inputs.Wx.slice(),
    Wh: inputs.Wh.slice(),
    b: inputs.b.slice(),
    bh: inputs.bh!.slice(),
    dout: inputs.dout,
  });
  const g = new Float64Array(inputs[name]!.length);
  for (let i = 0; i < g.length; i++) {
    const plus = clone();
    plus[name]![i] += EPS;
    const minus = clone();
    minus[name]![i] -= EPS;
    g[i] = (total(plus) - total(minus)) / (2 * EPS);
  }
  return g;
}

const CASES = [
  { T: 5, N: 2, D: 3, H: 3, forgetBias: -2, seed: 21 },
  { T: 5, N: 2, D: 3, H: 3, forgetBias: 0, seed: 22 },
  { T: 4, N: 3, D: 2, H: 4, forgetBias: 3, seed: 23 },
  { T: 6, N: 1, D: 4, H: 2, forgetBias: 1, seed: 24 },
  // Large N, small D and H: the weight-gradient norms from the direct products, not gram matrices.
  { T: 4, N: 12, D: 2, H: 2, forgetBias: 2, seed: 25 },
];

describe('GRU: finite differences and an independent float64 reference', () => {
  for (const c of CASES) {
    const config = withDefaults({ arch: 'gru', ...c, init: 'scaled', whGain: 1.5, h0Scale: 1, bScale: 0.5 });
    const inputs = buildModelInputs(config);
    const { T, N, D, H } = config;
    const G = 3 * H;
    const name = `T=${T} N=${N} D=${D} H=${H} update-gate bias=${c.forgetBias}`;
    const ref = referenceGru(config, inputs);

    it(`${name}: per-step dh, dWx, dWh, db and full gradients equal the reference`, () => {
      const r = runProbe(config, { inputs, fullGradients: true });
      const s = r.lossStepNorms;
      expect(s.dc).toBeUndefined();
      for (let k = 0; k < T; k++) {
        expect(rel(10 ** s.dh[k], ref.dh[k]), `dh[${k}]`).toBeLessThan(REF_TOL);
        expect(rel(10 ** s.dWx[k], ref.dWx[k]), `dWx[${k}]`).toBeLessThan(REF_TOL);
        expect(rel(10 ** s.dWh[k], ref.dWh[k]), `dWh[${k}]`).toBeLessThan(REF_TOL);
        expect(rel(10 ** s.db[k], ref.db[k]), `db[${k}]`).toBeLessThan(REF_TOL);
      }
      for (let i = 0; i < N * H; i++) expect(rel(r.forward.hLast[i], ref.hLast[i]), `h_last[${i}]`).toBeLessThan(REF_TOL);
      for (const q of ['dWx', 'dWh', 'db', 'dh0', 'dx'] as const) {
        expect(rel(r.fullGradNorms![q], ref.full[q]), `full ${q}`).toBeLessThan(REF_TOL);
      }
    });

    it(`${name}: per-step dh, dWx, dWh, db equal central finite differences`, () => {
      const s = runProbe(config, { inputs }).lossStepNorms;
      for (let k = 0; k < T; k++) {
        const dh = numericStepGradient(config, inputs, 'hidden', k, N * H);
        expect(rel(10 ** s.dh[k], norm(dh)), `dh[${k}]`).toBeLessThan(FD_TOL);
        const daX = numericStepGradient(config, inputs, 'preActivation', k, N * G);
        const daH = numericStepGradient(config, inputs, 'recurrent', k, N * G);
        const xk = new Float64Array(N * D);
        for (let n = 0; n < N; n++) for (let i = 0; i < D; i++) xk[n * D + i] = inputs.x[(n * T + k) * D + i];
        expect(rel(10 ** s.dWx[k], transposeTimesNorm(xk, D, daX, N, G)), `dWx[${k}]`).toBeLessThan(FD_TOL);
        const hPrev = k === 0 ? inputs.h0 : hiddenAt(config, inputs, k - 1);
        expect(rel(10 ** s.dWh[k], transposeTimesNorm(hPrev, H, daH, N, G)), `dWh[${k}]`).toBeLessThan(FD_TOL);
        expect(rel(10 ** s.db[k], norm([...columnSums(daX, N, G), ...columnSums(daH, N, G)])), `db[${k}]`).toBeLessThan(FD_TOL);
      }
    });

    it(`${name}: full-gradient norms equal central finite differences of L = sum_t L_t`, () => {
      const f = runProbe(config, { inputs, fullGradients: true }).fullGradNorms!;
      expect(rel(f.dWx, norm(numericGradient(config, inputs, 'Wx')))).toBeLessThan(FD_TOL);
      expect(rel(f.dWh, norm(numericGradient(config, inputs, 'Wh')))).toBeLessThan(FD_TOL);
      const db = [...numericGradient(config, inputs, 'b'), ...numericGradient(config, inputs, 'bh')];
      expect(rel(f.db, norm(db))).toBeLessThan(FD_TOL);
      expect(rel(f.dh0, norm(numericGradient(config, inputs, 'h0')))).toBeLessThan(FD_TOL);
      expect(rel(f.dx, norm(numericGradient(config, inputs, 'x')))).toBeLessThan(FD_TOL);
    });
  }
});

describe('GRU: the cases above take both routes to the weight-gradient norms', () => {
  it('gram matrices for the small batches, direct products for N = 12', () => {
    const routes = CASES.map((c) => prefersGram(dimsOf('gru', c.T, c.N, c.D, c.H)));
    expect(routes).toEqual([true, true, true, true, false]);
  });
});

describe('GRU: draws and the update-gate bias', () => {
  it('draws x, h0, Wx, Wh, b_i, b_h, dout in that order, G = 3H, and adds the bias to b_i[H:2H] only', () => {
    const base = withDefaults({ arch: 'gru', T: 3, N: 2, D: 2, H: 3, seed: 5, init: 'article' });
    const shifted = buildModelInputs({ ...base, forgetBias: 2 });
    const plain = buildModelInputs(base);
    const lstm = buildModelInputs({ ...base, arch: 'lstm' });
    expect(plain.Wx.length).toBe(2 * 9);
    expect(plain.bh!.length).toBe(9);
    // Same stream as the LSTM's up to Wx (the first D*3H values of its D*4H).
    expect(Array.from(plain.x)).toEqual(Array.from(lstm.x));
    expect(Array.from(plain.h0)).toEqual(Array.from(lstm.h0));
    expect(Array.from(plain.Wx)).toEqual(Array.from(lstm.Wx.subarray(0, 18)));
    for (let j = 0; j < 9; j++) expect(shifted.b[j] - plain.b[j]).toBe(j >= 3 && j < 6 ? 2 : 0);
    expect(Array.from(shifted.bh!)).toEqual(Array.from(plain.bh!));
  });

  it('a large update-gate bias keeps the gradient: dh decays more slowly', () => {
    const at = (forgetBias: number) =>
      runProbe({ arch: 'gru', T: 200, N: 4, D: 4, H: 8, seed: 3, forgetBias }).lossStepNorms.dh[0];
    expect(at(4)).toBeGreaterThan(at(0));
    expect(at(0)).toBeGreaterThan(at(-4));
  });
});

describe('GRU: exact where float64 runs out', () => {
  it('a long, saturated run reports every norm far below 1e-308, the same on the JS kernels and stored or checkpointed', () => {
    const config = { arch: 'gru' as const, T: 2500, N: 2, D: 3, H: 4, seed: 9, forgetBias: -6, whGain: 3, bScale: 1, h0Scale: 1 };
    const auto = runProbe(config, { fullGradients: true });
    const checkpointed = runProbe(config, { fullGradients: true, checkpointSegment: 60 });
    setKernelPreference('js');
    let js;
    try {
      js = runProbe(config, { fullGradients: true });
    } finally {
      setKernelPreference('auto');
    }
    expect(checkpointed.checkpointed).toBe(true);
    const s = auto.lossStepNorms;
    expect(s.dh[0]).toBeLessThan(-308);
    for (const q of ['dh', 'dWx', 'dWh', 'db'] as const) {
      for (let k = 0; k < config.T; k++) {
        expect(Number.isFinite(s[q][k]), `${q}[${k}]`).toBe(true);
        expect(checkpointed.lossStepNorms[q][k], `${q}[${k}] checkpointed`).toBe(s[q][k]);
        expect(Math.abs(js.lossStepNorms[q][k] - s[q][k]), `${q}[${k}] js`).toBeLessThanOrEqual(
          1e-12 * Math.max(1, Math.abs(s[q][k])),
        );
      }
    }
    // Strictly decreasing far back: the carried exponent keeps shrinking rather than stopping at 0.
    expect(s.dh[0]).toBeLessThan(s.dh[1250]);
  });

  it('an update gate saturated past e^-745 (1 - z below every double) still passes the gradient exactly through n', () => {
    // b_iz = -800: z = e^-800 (a double only as mantissa and exponent), 1 - z = 1. Against the
    // reference with z = 0 there (what it rounds to), which here loses nothing.
    const config = withDefaults({
      arch: 'gru',
      T: 4,
      N: 2,
      D: 2,
      H: 2,
      seed: 31,
      init: 'scaled',
      forgetBias: -50,
      h0Scale: 1,
      bScale: 0.5,
    });
    const inputs = buildModelInputs(config);
    for (let j = 2; j < 4; j++) inputs.b[j] = -800;
    const ref = referenceGru(config, inputs);
    const s = runProbe(config, { inputs }).lossStepNorms;
    for (let k = 0; k < config.T; k++) {
      expect(rel(10 ** s.dh[k], ref.dh[k]), `dh[${k}]`).toBeLessThan(REF_TOL);
      expect(rel(10 ** s.dWx[k], ref.dWx[k]), `dWx[${k}]`).toBeLessThan(REF_TOL);
    }
  });
});

/** h_t (N x H) read through the hidden hook. */
function hiddenAt(config: ProbeConfig, inputs: ModelInputs, t: number): Float64Array {
  let h = new Float64Array(0);
  runProbe(config, {
    inputs,
    forwardHooks: {
      hidden: (step, buf, off) => {
        if (step === t) h = buf.slice(off, off + config.N * config.H);
      },
    },
  });
  return h;
}
