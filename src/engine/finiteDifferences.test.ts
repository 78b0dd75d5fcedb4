// Central finite differences of the loss, against the engine's full gradients and its per-step
// quantities, on small random configurations. Every loss is the shipped forward pass (runProbe and
// the workspace's kernels); per-step derivatives perturb its state between kernel calls (the
// forward hooks: a_t before the activations, h_t after them). dL/dc_k comes from the g-gate's
// pre-activation: g_k enters the forward pass only through c_k = f c_{k-1} + i g, so
// dL/da_g = dL/dc_k * i_k * (1 - g_k^2) exactly.
import { describe, expect, it } from 'vitest';
import { buildInputs, runProbe, withDefaults, type ProbeConfig, type ProbeInputs } from './index';
import type { ForwardHooks } from './forward';

const EPS = 1e-6;
const TOL = 1e-6;

/** L_t for t = T-1: sum(dout[:, T-1, :] * h_{T-1}). */
function lastLoss(config: ProbeConfig, inputs: ProbeInputs, hooks?: ForwardHooks): number {
  const r = runProbe(config, { inputs, forwardHooks: hooks });
  const { N, T, H } = config;
  let l = 0;
  for (let n = 0; n < N; n++) for (let j = 0; j < H; j++) l += inputs.dout[(n * T + T - 1) * H + j] * r.forward.hLast[n * H + j];
  return l;
}

function cloneInputs(i: ProbeInputs): ProbeInputs {
  return { x: i.x.slice(), h0: i.h0.slice(), Wx: i.Wx.slice(), Wh: i.Wh.slice(), b: i.b.slice(), dout: i.dout.slice() };
}

/** dF/dv for every entry of one input array, by central differences. */
function numericGradient(f: (inputs: ProbeInputs) => number, inputs: ProbeInputs, name: keyof ProbeInputs): Float64Array {
  const g = new Float64Array(inputs[name].length);
  for (let i = 0; i < g.length; i++) {
    const plus = cloneInputs(inputs);
    plus[name][i] += EPS;
    const minus = cloneInputs(inputs);
    minus[name][i] -= EPS;
    g[i] = (f(plus) - f(minus)) / (2 * EPS);
  }
  return g;
}

/** dL_{T-1} / d(buffer at step k, entry i) with the perturbation injected by a forward hook. */
function numericStepGradient(
  config: ProbeConfig,
  inputs: ProbeInputs,
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

const norm = (a: ArrayLike<number>): number => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/** ||A_k^T da||_F with A_k = N rows of K. */
function transposeTimesNorm(A: ArrayLike<number>, K: number, da: Float64Array, N: number, G: number): number {
  const m = new Float64Array(K * G);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < K; i++) for (let j = 0; j < G; j++) m[i * G + j] += A[n * K + i] * da[n * G + j];
  return norm(m);
}

const CONFIGS = [
  { arch: 'rnn', forgetBias: 0, seed: 11 },
  { arch: 'lstm', forgetBias: -2, seed: 12 },
  { arch: 'lstm', forgetBias: 0, seed: 13 },
  { arch: 'lstm', forgetBias: 3, seed: 14 },
] as const;

describe('finite differences agree with the engine', () => {
  for (const c of CONFIGS) {
    const config = withDefaults({
      arch: c.arch,
      T: 5,
      N: 2,
      D: 3,
      H: 3,
      seed: c.seed,
      init: 'scaled',
      forgetBias: c.forgetBias,
      whGain: 1.5,
      h0Scale: 1,
      bScale: 0.5,
    });
    const inputs = buildInputs(config);
    const G = c.arch === 'lstm' ? 4 * config.H : config.H;
    const { N, D, H, T } = config;

    it(`${c.arch} bf=${c.forgetBias}: full-gradient norms of L = sum_t L_t`, () => {
      const total = (i: ProbeInputs) => runProbe(config, { inputs: i, totalLoss: true }).forward.loss!;
      const r = runProbe(config, { inputs, fullGradients: true });
      expect(rel(r.fullGradNorms!.dWx, norm(numericGradient(total, inputs, 'Wx')))).toBeLessThan(TOL);
      expect(rel(r.fullGradNorms!.dWh, norm(numericGradient(total, inputs, 'Wh')))).toBeLessThan(TOL);
      expect(rel(r.fullGradNorms!.db, norm(numericGradient(total, inputs, 'b')))).toBeLessThan(TOL);
      expect(rel(r.fullGradNorms!.dh0, norm(numericGradient(total, inputs, 'h0')))).toBeLessThan(TOL);
      expect(rel(r.fullGradNorms!.dx, norm(numericGradient(total, inputs, 'x')))).toBeLessThan(TOL);
    });

    it(`${c.arch} bf=${c.forgetBias}: per-step dh, dc, dWx, dWh, db for the last loss`, () => {
      const r = runProbe(config, { inputs });
      const s = r.lossStepNorms;
      const X = inputs.x; // (N, T, D)
      for (let k = 0; k < T; k++) {
        const dh = numericStepGradient(config, inputs, 'hidden', k, N * H);
        expect(rel(10 ** s.dh[k], norm(dh)), `dh[${k}]`).toBeLessThan(TOL);
        const da = numericStepGradient(config, inputs, 'preActivation', k, N * G);
        if (c.arch === 'lstm') {
          const a = preActivationAt(config, inputs, k);
          const dc = new Float64Array(N * H);
          for (let n = 0; n < N; n++) {
            for (let j = 0; j < H; j++) {
              const i = 1 / (1 + Math.exp(-a[n * G + j]));
              const g = Math.tanh(a[n * G + 3 * H + j]);
              dc[n * H + j] = da[n * G + 3 * H + j] / (i * (1 - g * g));
            }
          }
          expect(rel(10 ** s.dc![k], norm(dc)), `dc[${k}]`).toBeLessThan(TOL);
        }
        const colSum = new Float64Array(G);
        for (let n = 0; n < N; n++) for (let j = 0; j < G; j++) colSum[j] += da[n * G + j];
        expect(rel(10 ** s.db[k], norm(colSum)), `db[${k}]`).toBeLessThan(TOL);
        const xk = new Float64Array(N * D);
        for (let n = 0; n < N; n++) for (let i = 0; i < D; i++) xk[n * D + i] = X[(n * T + k) * D + i];
        expect(rel(10 ** s.dWx[k], transposeTimesNorm(xk, D, da, N, G)), `dWx[${k}]`).toBeLessThan(TOL);
        const hPrev = k === 0 ? Array.from(inputs.h0) : hiddenAt(config, inputs, k - 1);
        expect(rel(10 ** s.dWh[k], transposeTimesNorm(hPrev, H, da, N, G)), `dWh[${k}]`).toBeLessThan(TOL);
      }
    });
  }
});

/** h_t (N x H) read through the hidden hook. */
function hiddenAt(config: ProbeConfig, inputs: ProbeInputs, t: number): number[] {
  let h: number[] = [];
  runProbe(config, {
    inputs,
    forwardHooks: {
      hidden: (step, buf, off) => {
        if (step === t) h = Array.from(buf.subarray(off, off + config.N * config.H));
      },
    },
  });
  return h;
}

/** a_t (N x G), before the activations, read through the preActivation hook. */
function preActivationAt(config: ProbeConfig, inputs: ProbeInputs, t: number): Float64Array {
  const G = config.arch === 'lstm' ? 4 * config.H : config.H;
  let a = new Float64Array(0);
  runProbe(config, {
    inputs,
    forwardHooks: {
      preActivation: (step, buf, off) => {
        if (step === t) a = buf.slice(off, off + config.N * G);
      },
    },
  });
  return a;
}
