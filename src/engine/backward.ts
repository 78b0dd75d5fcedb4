// Backprop through time for the loss at one step t, reporting per-step gradient norms as exact
// base-10 logarithms. The backward state is renormalized by powers of two every step and its
// exponent carried, so a norm of 1e-3500 comes out as -3500, not as 0.
import type { Kernels } from './linalg';
import { carryToPreviousStep, cellBackward, transposeTimes } from './cellBackward';
import { log10Scaled } from './scaledNumber';
import { log10Norm, normalize, scaleByPowerOfTwo } from './norms';
import type { ForwardTrace, Dims } from './forward';
import type { Workspace } from './workspace';

/** Per-step log10 norms for k = 0..t; -Infinity marks an exact zero. */
export interface StepNormsLog {
  dh: Float64Array;
  dWx: Float64Array;
  dWh: Float64Array;
  db: Float64Array;
  /** LSTM only. */
  dc?: Float64Array;
}

export interface BackwardOptions {
  /** Called with x_k^T dL_t/da_k (D x G) at true scale; for tests of the article's matrices. */
  onStepWeightGradient?: (k: number, dWx: Float64Array) => void;
}

/**
 * When the gram route's cancellation estimate exceeds this, the per-step weight-gradient norm is
 * recomputed directly. At 64 the estimated relative error stays near 1e-13.
 */
const GRAM_CANCELLATION_LIMIT = 64;

export function backwardDoubles(d: Dims): number {
  const { N, D, H, G } = d;
  return 3 * N * H + 2 * N * G + 3 * N * N + G * Math.max(D, H) + G;
}

/** Whether ||A^T da||_F is cheaper from N x N gram matrices than from the product itself. */
export function prefersGram(d: Dims): boolean {
  const { N, D, H, G } = d;
  return ((N * (N + 1)) / 2) * (G + D + H) < N * G * (D + H);
}

export function backwardFromLossStep(
  f: ForwardTrace,
  t: number,
  ws: Workspace,
  options: BackwardOptions = {},
): StepNormsLog {
  const { N, D, H, G, arch } = f;
  const NH = N * H;
  const lstm = arch === 'lstm';
  const out: StepNormsLog = {
    dh: new Float64Array(t + 1),
    dWx: new Float64Array(t + 1),
    dWh: new Float64Array(t + 1),
    db: new Float64Array(t + 1),
    dc: lstm ? new Float64Array(t + 1) : undefined,
  };
  const dh = ws.take(NH);
  const dcFuture = ws.take(NH);
  const dct = ws.take(NH);
  const da = ws.take(N * G);
  const gDa = ws.take(N * N);
  const gX = ws.take(N * N);
  const gH = ws.take(N * N);
  const product = ws.take(G * Math.max(D, H));
  const colSum = ws.take(G);
  const useGram = prefersGram(f);
  const kernels = f.kernels;
  const { gramUpper } = kernels;

  dh.set(f.dout.subarray(t * NH, (t + 1) * NH));
  dcFuture.fill(0);
  let e = 0; // the backward state is (dh, dcFuture) * 2^e

  for (let k = t; k >= 0; k--) {
    const hPrev = k === 0 ? f.h0 : f.Hs;
    const hPrevOff = k === 0 ? 0 : (k - 1) * NH;
    out.dh[k] = log10Norm(dh, 0, NH, e, kernels);

    cellBackward(f, k, dh, dcFuture, dct, da);
    if (lstm) out.dc![k] = log10Norm(dct, 0, NH, e, kernels);

    // da may be far smaller than the state (saturated units): give it its own exponent.
    const ea = e + normalize(da, 0, N * G, kernels);

    kernels.columnSums(da, N, G, colSum);
    out.db[k] = log10Norm(colSum, 0, G, ea, kernels);

    if (useGram) {
      gramUpper(gDa, da, 0, N, G);
      gramUpper(gX, f.X, k * N * D, N, D);
      gramUpper(gH, hPrev, hPrevOff, N, H);
      out.dWx[k] = gramNormLog(gX, gDa, N, ea) ?? directNormLog(f.X, k * N * D, D, da, N, G, product, ea, kernels);
      out.dWh[k] = gramNormLog(gH, gDa, N, ea) ?? directNormLog(hPrev, hPrevOff, H, da, N, G, product, ea, kernels);
    } else {
      out.dWx[k] = directNormLog(f.X, k * N * D, D, da, N, G, product, ea, kernels);
      out.dWh[k] = directNormLog(hPrev, hPrevOff, H, da, N, G, product, ea, kernels);
    }
    if (options.onStepWeightGradient) {
      transposeTimes(f.X, k * N * D, D, da, N, G, product);
      const m = product.slice(0, D * G);
      scaleByPowerOfTwo(m, 0, m.length, ea);
      options.onStepWeightGradient(k, m);
    }

    if (k === 0) break;
    // dL_t/dh_{k-1} = da_k Wh^T carries da's exponent; the cell path dct * f carries e.
    carryToPreviousStep(f, k, da, dct, dh, dcFuture);
    // normalize(), keeping whether each part is all zero (scaling by a power of two keeps a
    // nonzero maximum nonzero), so that aligning them needs no second pass over either.
    const mh = kernels.maxAbs(dh, 0, NH);
    const eh = ea + normalize(dh, 0, NH, kernels, mh);
    const mc = lstm ? kernels.maxAbs(dcFuture, 0, NH) : 0;
    const ec = e + normalize(dcFuture, 0, NH, kernels, mc);
    e = alignExponents(dh, eh, mh === 0, lstm ? dcFuture : null, ec, mc === 0, NH, kernels);
  }
  return out;
}

/**
 * Brings dh * 2^eh and dc * 2^ec to one shared exponent (the larger), returning it; hZero and
 * cZero tell whether dh and dc are all zero (dc null: no cell state).
 */
function alignExponents(
  dh: Float64Array, eh: number, hZero: boolean, dc: Float64Array | null, ec: number, cZero: boolean, len: number, kernels: Kernels,
): number {
  if (dc === null) cZero = true;
  if (cZero) return hZero ? ec : eh;
  if (hZero) return ec;
  const e = Math.max(eh, ec);
  scaleByPowerOfTwo(dh, 0, len, eh - e, kernels);
  scaleByPowerOfTwo(dc!, 0, len, ec - e, kernels);
  return e;
}

/**
 * log10 ||A^T B||_F from the gram matrices of A and B: sum_nm GA[n,m] GB[n,m]. Returns null when
 * cancellation could cost accuracy, so the caller computes the product directly.
 */
function gramNormLog(gA: Float64Array, gB: Float64Array, N: number, exponent: number): number | null {
  let diag = 0;
  let off = 0;
  let bound = 0;
  for (let n = 0; n < N; n++) {
    const dn = gA[n * N + n] * gB[n * N + n];
    diag += dn;
    bound += Math.sqrt(dn);
    for (let m = n + 1; m < N; m++) off += gA[n * N + m] * gB[n * N + m];
  }
  const r = diag + 2 * off;
  if (bound === 0) return -Infinity;
  if (!(r > 0) || (bound * bound) / r > GRAM_CANCELLATION_LIMIT) return null;
  return log10Scaled(Math.sqrt(r), exponent);
}

function directNormLog(
  A: Float64Array, aOff: number, K: number,
  da: Float64Array, N: number, G: number,
  scratch: Float64Array, exponent: number, kernels: Kernels,
): number {
  transposeTimes(A, aOff, K, da, N, G, scratch);
  return log10Norm(scratch, 0, K * G, exponent, kernels);
}
