// Frobenius norms of the full gradients of L = sum_t L_t, as a framework's autograd would give
// them; used to check the engine against independent references.
import { carryToPreviousStep, cellBackward } from './cellBackward';
import type { ForwardTrace, Dims } from './forward';
import type { Workspace } from './workspace';

export interface FullGradNorms {
  dWx: number;
  dWh: number;
  db: number;
  dh0: number;
  dx: number;
}

export function fullGradientDoubles(d: Dims): number {
  const { N, D, H, G } = d;
  return 3 * N * H + N * G + D * G + H * G + G + N * D;
}

export function fullGradientNorms(f: ForwardTrace, ws: Workspace): FullGradNorms {
  const { T, N, D, H, G } = f;
  const NH = N * H;
  const dh = ws.take(NH);
  const dcFuture = ws.take(NH);
  const dct = ws.take(NH);
  const da = ws.take(N * G);
  const dWx = ws.take(D * G);
  const dWh = ws.take(H * G);
  const db = ws.take(G);
  const dx = ws.take(N * D);
  dh.fill(0);
  dcFuture.fill(0);
  dWx.fill(0);
  dWh.fill(0);
  db.fill(0);
  let dxSquares = 0;
  const { gemm, transposeTimesAcc } = f.kernels;
  for (let k = T - 1; k >= 0; k--) {
    for (let i = 0; i < NH; i++) dh[i] += f.dout[k * NH + i];
    cellBackward(f, k, dh, dcFuture, dct, da);
    transposeTimesAcc(f.X, k * N * D, D, da, N, G, dWx);
    if (k === 0) transposeTimesAcc(f.h0, 0, H, da, N, G, dWh);
    else transposeTimesAcc(f.Hs, (k - 1) * NH, H, da, N, G, dWh);
    for (let n = 0; n < N; n++) for (let j = 0; j < G; j++) db[j] += da[n * G + j];
    gemm(dx, 0, da, 0, f.WxT, 0, N, G, D);
    for (let i = 0; i < N * D; i++) dxSquares += dx[i] * dx[i];
    carryToPreviousStep(f, k, da, dct, dh, dcFuture);
  }
  // After step 0, dh holds dL/dh0.
  return { dWx: frobenius(dWx), dWh: frobenius(dWh), db: frobenius(db), dh0: frobenius(dh), dx: Math.sqrt(dxSquares) };
}

function frobenius(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}
