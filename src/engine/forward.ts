// The forward pass of a vanilla RNN or an LSTM over the whole sequence, keeping what backprop
// needs: the hidden states and, per step, the RNN's slopes (taken from the pre-activations,
// exact when saturated) or the LSTM's backward coefficients.
import { gateWidth, type Arch } from './probeConfig';
import { type ProbeInputs, copyTimeMajor } from './inputs';
import type { Workspace } from './workspace';
import type { Kernels } from './linalg';
import { LSTM_COEFFICIENTS, sigmoidInPlace, storeCoefficients, tanhInto } from './elementwise';

export interface Dims {
  arch: Arch;
  T: number;
  N: number;
  D: number;
  H: number;
  /** Gate width: H for the RNN, 4H for the LSTM (gates i, f, o, g). */
  G: number;
}

export interface ForwardTrace extends Dims {
  /** The kernels of the workspace the trace lives in. */
  kernels: Kernels;
  /** (T, N, D), time-major. */
  X: Float64Array;
  /** RNN: (T, N, H) slopes tanh'(a_t), taken from a_t itself (exact when saturated); LSTM: empty. */
  slope: Float64Array;
  /**
   * LSTM: (T, N, 6H) backward coefficients of every step (see LSTM_COEFFICIENTS in
   * elementwise.ts), all that backprop reads of a step besides h; RNN: empty.
   */
  coef: Float64Array;
  /** (T, N, H) hidden states. */
  Hs: Float64Array;
  /** LSTM: the sum of the forget gates over every step, row and unit (for the theory overlay); RNN: 0. */
  forgetSum: number;
  h0: Float64Array;
  Wx: Float64Array;
  Wh: Float64Array;
  /** Wh^T, (G, H): the backward matmul reads it row by row. */
  WhT: Float64Array;
  /** Wx^T, (G, D). */
  WxT: Float64Array;
  b: Float64Array;
  /** (T, N, H), time-major. */
  dout: Float64Array;
}

/** Doubles the forward trace takes in a workspace. */
export function forwardDoubles(d: Dims): number {
  const { T, N, D, H, G } = d;
  // The LSTM keeps its coefficients per step and one step of cells; the RNN its slopes.
  const perArch = d.arch === 'lstm' ? LSTM_COEFFICIENTS * T * N * H + N * H : T * N * H;
  // X, dout, Hs; h0; the weights, their transposes and b; one step's a_t, slopes and column sums.
  return T * N * D + 2 * T * N * H + N * H + 2 * D * G + 2 * H * G + G + 2 * N * G + G + perArch;
}

export function dimsOf(arch: Arch, T: number, N: number, D: number, H: number): Dims {
  return { arch, T, N, D, H, G: gateWidth(arch, H) };
}

/**
 * Test hooks that nudge the forward pass at one step (finite-difference checks of the per-step
 * derivatives). Each receives the step and the buffer with the offset of that step's batch.
 */
export interface ForwardHooks {
  /** After a_t is computed, before the activations. */
  preActivation?: (t: number, A: Float64Array, offset: number) => void;
  /** LSTM: after c_t is computed, before h_t = o * tanh(c_t). */
  cell?: (t: number, C: Float64Array, offset: number) => void;
  /** After h_t is computed. */
  hidden?: (t: number, Hs: Float64Array, offset: number) => void;
}

/** `doutStep`: only that step of dout is used (and copied); undefined: every step. */
export function runForward(d: Dims, inputs: ProbeInputs, ws: Workspace, hooks?: ForwardHooks, doutStep?: number): ForwardTrace {
  const { T, N, D, H, G } = d;
  const NH = N * H;
  const X = ws.take(T * N * D);
  copyTimeMajor(inputs.x, X, N, T, D);
  const dout = ws.take(T * NH);
  copyTimeMajor(inputs.dout, dout, N, T, H, doutStep);
  const h0 = ws.take(NH);
  h0.set(inputs.h0);
  const Wx = ws.take(D * G);
  Wx.set(inputs.Wx);
  const Wh = ws.take(H * G);
  Wh.set(inputs.Wh);
  const b = ws.take(G);
  b.set(inputs.b);
  const WhT = ws.take(G * H);
  const WxT = ws.take(G * D);
  for (let i = 0; i < H; i++) for (let j = 0; j < G; j++) WhT[j * H + i] = Wh[i * G + j];
  for (let i = 0; i < D; i++) for (let j = 0; j < G; j++) WxT[j * D + i] = Wx[i * G + j];

  // One step's a_t (replaced by the activations, for the LSTM) and slopes: what backprop needs of
  // them is kept per step in slope (RNN) or coef (LSTM).
  const A = ws.take(N * G);
  const stepSlope = ws.take(N * G);
  const Hs = ws.take(T * NH);
  const lstm = d.arch === 'lstm';
  const slope = lstm ? new Float64Array(0) : ws.take(T * NH);
  const coef = lstm ? ws.take(LSTM_COEFFICIENTS * T * NH) : new Float64Array(0);
  // c_{t-1}, overwritten with c_t by each step.
  const C = lstm ? ws.take(NH) : new Float64Array(0);
  // Each step's column sums of its activations, for the forget gates' sum.
  const gateSums = lstm ? ws.take(G) : new Float64Array(0);
  let forgetSum = 0;

  const { gemm, gemmAcc, addBias, rnnForwardStep, lstmForwardStep, columnSums } = ws.kernels;
  // Step by step: the input projection and bias, then the recurrent part, while a_t is in cache.
  // (Each element's sum is the same as with the whole projection up front: x_t Wx in k order,
  // + b, then + h_{t-1} Wh in k order.)
  for (let t = 0; t < T; t++) {
    const hOff = t * NH;
    gemm(A, 0, X, t * N * D, Wx, 0, N, D, G);
    addBias(A, 0, N, G, b);
    if (t === 0) gemmAcc(A, 0, h0, 0, Wh, 0, N, H, G);
    else gemmAcc(A, 0, Hs, hOff - NH, Wh, 0, N, H, G);
    hooks?.preActivation?.(t, A, 0);
    if (!lstm) {
      rnnForwardStep(A, 0, slope, hOff, Hs, hOff, NH);
    } else if (hooks?.cell) {
      lstmStepWithCellHook(A, stepSlope, C, Hs, hOff, coef, LSTM_COEFFICIENTS * hOff, N, H, t, hooks.cell);
    } else {
      lstmForwardStep(A, 0, stepSlope, C, 0, Hs, hOff, coef, LSTM_COEFFICIENTS * hOff, N, H, t > 0);
    }
    if (lstm) {
      columnSums(A, N, G, gateSums);
      for (let j = H; j < 2 * H; j++) forgetSum += gateSums[j];
    }
    hooks?.hidden?.(t, Hs, hOff);
  }
  return { ...d, kernels: ws.kernels, X, slope, coef, Hs, forgetSum, h0, Wx, Wh, WhT, WxT, b, dout };
}

/**
 * lstmForwardStep in JS, in passes, so that the hook can nudge c_t between computing it and
 * h_t = o tanh(c_t) (finite-difference tests).
 */
function lstmStepWithCellHook(
  A: Float64Array, slope: Float64Array, C: Float64Array, Hs: Float64Array, hOff: number,
  coef: Float64Array, kOff: number, N: number, H: number, t: number,
  hook: NonNullable<ForwardHooks['cell']>,
): void {
  const G = 4 * H;
  const NH = N * H;
  for (let i = 0; i < N * G; i += G) {
    for (let j = i; j < i + 3 * H; j++) sigmoidInPlace(A, slope, j);
    for (let j = i + 3 * H; j < i + G; j++) tanhInto(A[j], A, slope, j);
  }
  const cPrev = t === 0 ? new Float64Array(NH) : C.slice(0, NH);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) C[n * H + j] = A[n * G + H + j] * cPrev[n * H + j] + A[n * G + j] * A[n * G + 3 * H + j];
  }
  hook(t, C, 0);
  const tc = new Float64Array(1);
  const sc = new Float64Array(1);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const s = n * H + j;
      tanhInto(C[s], tc, sc, 0);
      Hs[hOff + s] = A[n * G + 2 * H + j] * tc[0];
      storeCoefficients(A, slope, n * G + j, cPrev[s], tc[0], sc[0], coef, kOff + n * LSTM_COEFFICIENTS * H + j, H);
    }
  }
}

export interface ForwardSummary {
  /** L = sum_t sum(dout_t * h_t); null when only the loss step's dout was drawn. */
  loss: number | null;
  /** ||h||_F over all steps. */
  hFro: number;
  /** h at the last step, (N, H). */
  hLast: Float64Array;
}

export function summarizeForward(f: ForwardTrace, allDout: boolean): ForwardSummary {
  const { T, N, H } = f;
  let loss: number | null = null;
  if (allDout) {
    loss = 0;
    for (let i = 0; i < T * N * H; i++) loss += f.dout[i] * f.Hs[i];
  }
  return { loss, hFro: Math.sqrt(f.kernels.sumSquares(f.Hs, 0, T * N * H, 1)), hLast: f.Hs.slice((T - 1) * N * H, T * N * H) };
}
