// One step of backprop through an RNN or LSTM cell, shared by the per-loss-step probe and the
// full-gradient pass. Every derivative is taken from the pre-activation (see activations.ts).
import { gemm } from './linalg';
import { sigmoid, sigmoidSlope, tanhSlope } from './activations';
import type { ForwardTrace } from './forward';

/**
 * From dh = dL/dh_k (total) and dcFuture = the cell gradient arriving from step k+1, computes
 * dct = dL/dc_k (total, LSTM only) and da = dL/da_k.
 */
export function cellBackward(
  f: ForwardTrace, k: number,
  dh: Float64Array, dcFuture: Float64Array,
  dct: Float64Array, da: Float64Array,
): void {
  const { N, H, G } = f;
  const NH = N * H;
  const aOff = k * N * G;
  if (f.arch === 'rnn') {
    for (let i = 0; i < NH; i++) da[i] = dh[i] * tanhSlope(f.A[aOff + i]);
    return;
  }
  const cOff = k * NH;
  for (let n = 0; n < N; n++) {
    const a = aOff + n * G;
    const r = n * G;
    for (let j = 0; j < H; j++) {
      const s = n * H + j;
      const c = f.C[cOff + s];
      const cPrev = k === 0 ? 0 : f.C[cOff - NH + s];
      const og = sigmoid(f.A[a + 2 * H + j]);
      const total = dcFuture[s] + dh[s] * og * tanhSlope(c);
      dct[s] = total;
      da[r + j] = total * Math.tanh(f.A[a + 3 * H + j]) * sigmoidSlope(f.A[a + j]);
      da[r + H + j] = total * cPrev * sigmoidSlope(f.A[a + H + j]);
      da[r + 2 * H + j] = dh[s] * Math.tanh(c) * sigmoidSlope(f.A[a + 2 * H + j]);
      da[r + 3 * H + j] = total * sigmoid(f.A[a + j]) * tanhSlope(f.A[a + 3 * H + j]);
    }
  }
}

/** dh_{k-1} = da_k Wh^T and, for the LSTM, the cell path dcFuture_{k-1} = dct_k * f_k. */
export function carryToPreviousStep(
  f: ForwardTrace, k: number,
  da: Float64Array, dct: Float64Array,
  dh: Float64Array, dcFuture: Float64Array,
): void {
  const { N, H, G } = f;
  gemm(dh, 0, da, 0, f.WhT, 0, N, G, H);
  if (f.arch === 'lstm') {
    const aOff = k * N * G;
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < H; j++) dcFuture[n * H + j] = dct[n * H + j] * sigmoid(f.A[aOff + n * G + H + j]);
    }
  }
}

/** out[K x G] = A_k^T (K x N) @ da (N x G), where A_k is N rows of K at aOff. */
export function transposeTimes(
  A: Float64Array, aOff: number, K: number,
  da: Float64Array, N: number, G: number,
  out: Float64Array, accumulate = false,
): void {
  if (!accumulate) out.fill(0, 0, K * G);
  for (let n = 0; n < N; n++) {
    const r = n * G;
    for (let i = 0; i < K; i++) {
      const a = A[aOff + n * K + i];
      if (a === 0) continue;
      const o = i * G;
      for (let j = 0; j < G; j++) out[o + j] += a * da[r + j];
    }
  }
}
