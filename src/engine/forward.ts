// The forward pass of a vanilla RNN or an LSTM over the whole sequence, keeping what backprop
// needs: pre-activations (for exact derivatives), hidden states and, for the LSTM, cells.
import { gateWidth, type Arch } from './probeConfig';
import { type ProbeInputs, copyTimeMajor } from './inputs';
import type { Workspace } from './workspace';
import type { Kernels } from './linalg';
import { sigmoidInPlace, tanhInto } from './elementwise';

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
  /**
   * (T, N, G) activations of a_t = x_t Wx + h_{t-1} Wh + b: tanh(a) for the RNN; the gates
   * i, f, o = sigmoid(a), g = tanh(a) for the LSTM.
   */
  act: Float64Array;
  /** (T, N, G) slopes of those activations, taken from a itself (exact when saturated). */
  slope: Float64Array;
  /** (T, N, H) hidden states. */
  Hs: Float64Array;
  /** (T, N, H) cell states, LSTM only (empty for the RNN); likewise tanh(c) and tanh'(c). */
  C: Float64Array;
  tanhC: Float64Array;
  slopeC: Float64Array;
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
  const cells = d.arch === 'lstm' ? 3 * T * N * H : 0;
  return T * N * D + 2 * T * N * G + T * N * H + cells + N * H + 2 * D * G + 2 * H * G + G + T * N * H;
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
  const X = ws.take(T * N * D);
  copyTimeMajor(inputs.x, X, N, T, D);
  const dout = ws.take(T * N * H);
  copyTimeMajor(inputs.dout, dout, N, T, H, doutStep);
  const h0 = ws.take(N * H);
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

  // act holds a_t until the step's activations overwrite it in place.
  const A = ws.take(T * N * G);
  const slope = ws.take(T * N * G);
  const Hs = ws.take(T * N * H);
  const lstm = d.arch === 'lstm';
  const C = lstm ? ws.take(T * N * H) : new Float64Array(0);
  const tanhC = lstm ? ws.take(T * N * H) : new Float64Array(0);
  const slopeC = lstm ? ws.take(T * N * H) : new Float64Array(0);

  const { gemm, gemmAcc, addBias, tanhForward, lstmForwardStep } = ws.kernels;
  // Step by step: the input projection and bias, then the recurrent part, while a_t is in cache.
  // (Each element's sum is the same as with the whole projection up front: x_t Wx in k order,
  // + b, then + h_{t-1} Wh in k order.)
  for (let t = 0; t < T; t++) {
    const aOff = t * N * G;
    const hOff = t * N * H;
    gemm(A, aOff, X, t * N * D, Wx, 0, N, D, G);
    addBias(A, aOff, N, G, b);
    if (t === 0) gemmAcc(A, aOff, h0, 0, Wh, 0, N, H, G);
    else gemmAcc(A, aOff, Hs, hOff - N * H, Wh, 0, N, H, G);
    hooks?.preActivation?.(t, A, aOff);
    if (!lstm) {
      tanhForward(A, aOff, slope, Hs, hOff, N * H);
    } else if (hooks?.cell) {
      // The JS activations in three passes, so that the hook can nudge c_t between them.
      lstmGates(A, slope, aOff, N, H);
      lstmCells(A, C, aOff, hOff, N, H, t);
      hooks.cell(t, C, hOff);
      lstmHidden(A, C, tanhC, slopeC, Hs, aOff, hOff, N, H);
    } else {
      lstmForwardStep(A, aOff, slope, C, tanhC, slopeC, Hs, hOff, N, H, t > 0);
    }
    hooks?.hidden?.(t, Hs, hOff);
  }
  return { ...d, kernels: ws.kernels, X, act: A, slope, Hs, C, tanhC, slopeC, h0, Wx, Wh, WhT, WxT, b, dout };
}

/** v[i] := tanh(v[i]) and slope[i] := tanh'(v[i]), from the pre-activation. */
function tanhInPlace(v: Float64Array, slope: Float64Array, i: number): void {
  tanhInto(v[i], v, slope, i);
}

// The same step in three passes, so that a test hook can nudge c_t between them.
function lstmGates(A: Float64Array, slope: Float64Array, aOff: number, N: number, H: number): void {
  const G = 4 * H;
  for (let i = aOff; i < aOff + N * G; i += G) {
    for (let j = i; j < i + 3 * H; j++) sigmoidInPlace(A, slope, j);
    for (let j = i + 3 * H; j < i + G; j++) tanhInPlace(A, slope, j);
  }
}

function lstmCells(A: Float64Array, C: Float64Array, aOff: number, hOff: number, N: number, H: number, t: number): void {
  const G = 4 * H;
  for (let n = 0; n < N; n++) {
    const a = aOff + n * G;
    const h = hOff + n * H;
    for (let j = 0; j < H; j++) {
      const cPrev = t === 0 ? 0 : C[h - N * H + j];
      C[h + j] = A[a + H + j] * cPrev + A[a + j] * A[a + 3 * H + j];
    }
  }
}

function lstmHidden(
  A: Float64Array, C: Float64Array, tanhC: Float64Array, slopeC: Float64Array, Hs: Float64Array,
  aOff: number, hOff: number, N: number, H: number,
): void {
  const G = 4 * H;
  for (let s = hOff; s < hOff + N * H; s++) tanhInto(C[s], tanhC, slopeC, s);
  for (let n = 0; n < N; n++) {
    const a = aOff + n * G + 2 * H;
    const h = hOff + n * H;
    for (let j = 0; j < H; j++) Hs[h + j] = A[a + j] * tanhC[h + j];
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
