// The forward pass of a vanilla RNN or an LSTM over the whole sequence, keeping what backprop
// needs: pre-activations (for exact derivatives), hidden states and, for the LSTM, cells.
import { gemm, gemmAcc } from './linalg';
import { sigmoid } from './activations';
import { gateWidth, type Arch } from './probeConfig';
import { type ProbeInputs, toTimeMajor } from './inputs';
import type { Workspace } from './workspace';

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
  /** (T, N, D), time-major. */
  X: Float64Array;
  /** (T, N, G) pre-activations a_t = x_t Wx + h_{t-1} Wh + b. */
  A: Float64Array;
  /** (T, N, H) hidden states. */
  Hs: Float64Array;
  /** (T, N, H) cell states, LSTM only (empty for the RNN). */
  C: Float64Array;
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
  const cells = d.arch === 'lstm' ? T * N * H : 0;
  return T * N * D + T * N * G + T * N * H + cells + N * H + 2 * D * G + 2 * H * G + G + T * N * H;
}

export function dimsOf(arch: Arch, T: number, N: number, D: number, H: number): Dims {
  return { arch, T, N, D, H, G: gateWidth(arch, H) };
}

export function runForward(d: Dims, inputs: ProbeInputs, ws: Workspace): ForwardTrace {
  const { T, N, D, H, G } = d;
  const X = ws.take(T * N * D);
  X.set(toTimeMajor(inputs.x, N, T, D));
  const dout = ws.take(T * N * H);
  dout.set(toTimeMajor(inputs.dout, N, T, H));
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

  const A = ws.take(T * N * G);
  const Hs = ws.take(T * N * H);
  const C = d.arch === 'lstm' ? ws.take(T * N * H) : new Float64Array(0);

  // The input projection of every step at once, then the recurrent part step by step.
  gemm(A, 0, X, 0, Wx, 0, T * N, D, G);
  for (let r = 0; r < T * N; r++) {
    const o = r * G;
    for (let j = 0; j < G; j++) A[o + j] += b[j];
  }
  for (let t = 0; t < T; t++) {
    const aOff = t * N * G;
    const hOff = t * N * H;
    if (t === 0) gemmAcc(A, aOff, h0, 0, Wh, 0, N, H, G);
    else gemmAcc(A, aOff, Hs, hOff - N * H, Wh, 0, N, H, G);
    if (d.arch === 'rnn') {
      for (let i = 0; i < N * H; i++) Hs[hOff + i] = Math.tanh(A[aOff + i]);
    } else {
      for (let n = 0; n < N; n++) {
        const a = aOff + n * G;
        const h = hOff + n * H;
        for (let j = 0; j < H; j++) {
          const ig = sigmoid(A[a + j]);
          const fg = sigmoid(A[a + H + j]);
          const og = sigmoid(A[a + 2 * H + j]);
          const gg = Math.tanh(A[a + 3 * H + j]);
          const cPrev = t === 0 ? 0 : C[h - N * H + j];
          const c = fg * cPrev + ig * gg;
          C[h + j] = c;
          Hs[h + j] = og * Math.tanh(c);
        }
      }
    }
  }
  return { ...d, X, A, Hs, C, h0, Wx, Wh, WhT, WxT, b, dout };
}

export interface ForwardSummary {
  /** L = sum_t sum(dout_t * h_t). */
  loss: number;
  /** ||h||_F over all steps. */
  hFro: number;
  /** h at the last step, (N, H). */
  hLast: Float64Array;
}

export function summarizeForward(f: ForwardTrace): ForwardSummary {
  const { T, N, H } = f;
  let loss = 0;
  let sq = 0;
  for (let i = 0; i < T * N * H; i++) {
    loss += f.dout[i] * f.Hs[i];
    sq += f.Hs[i] * f.Hs[i];
  }
  return { loss, hFro: Math.sqrt(sq), hLast: f.Hs.slice((T - 1) * N * H, T * N * H) };
}
