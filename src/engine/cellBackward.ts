// One step of backprop through an RNN or LSTM cell, shared by the per-loss-step probe and the
// full-gradient pass. The slopes (RNN) or backward coefficients (LSTM) come from the forward trace.
import type { ForwardTrace } from './forward';
import { transposeTimesAcc } from './linalg';
import { LSTM_COEFFICIENTS } from './elementwise';

/**
 * From dh = dL/dh_k (total) and dcFuture = the cell gradient arriving from step k+1, computes
 * dct = dL/dc_k (total, LSTM only) and da = dL/da_k.
 */
export function cellBackward(
  f: ForwardTrace, k: number,
  dh: Float64Array, dcFuture: Float64Array,
  dct: Float64Array, da: Float64Array,
): void {
  const { N, H } = f;
  const NH = N * H;
  if (f.arch === 'rnn') {
    f.kernels.rnnCellBackward(dh, f.slope, k * NH, da, NH);
    return;
  }
  f.kernels.lstmCellBackward(f.coef, LSTM_COEFFICIENTS * k * NH, dh, dcFuture, dct, da, N, H);
}

/** dh_{k-1} = da_k Wh^T and, for the LSTM, the cell path dcFuture_{k-1} = dct_k * f_k. */
export function carryToPreviousStep(
  f: ForwardTrace, k: number,
  da: Float64Array, dct: Float64Array,
  dh: Float64Array, dcFuture: Float64Array,
): void {
  const { N, H, G } = f;
  f.kernels.gemm(dh, 0, da, 0, f.WhT, 0, N, G, H);
  if (f.arch === 'lstm') f.kernels.lstmCarry(dct, f.coef, LSTM_COEFFICIENTS * k * N * H, dcFuture, N, H);
}

/** out[K x G] = A_k^T (K x N) @ da (N x G), where A_k is N rows of K at aOff. */
export function transposeTimes(
  A: Float64Array, aOff: number, K: number,
  da: Float64Array, N: number, G: number,
  out: Float64Array,
): void {
  out.fill(0, 0, K * G);
  transposeTimesAcc(A, aOff, K, da, N, G, out);
}
