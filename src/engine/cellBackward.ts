// One step of backprop through an RNN, LSTM or GRU cell (the GRU's in gruCell.ts), shared by the per-loss-step probe and the
// full-gradient pass. The slopes (RNN) or backward coefficients (LSTM) come from the forward
// trace's window; on a saturated step they are relative to the step's exponents (see
// saturatedSteps.ts), which are carried into the exponents of the results.
import type { ForwardTrace } from './forward';
import { jsKernels, type Kernels } from './linalg';
import { LSTM_COEFFICIENTS } from './elementwise';
import { StepScaling } from './saturatedSteps';
import { binaryExponent, ldexp } from './scaledNumber';
import { scaleByPowerOfTwo } from './norms';
import { GRU_COEFFICIENTS, gruCellBackward } from './gruCell';
import type { SpectralRider } from './spectralRider';

/** The powers of two a cell step's results carry: each true value is the array times 2^exponent. */
export interface CellExponents {
  /** dL/dc_k = dct * 2^ect (LSTM). */
  ect: number;
  /** dL/da_k = da * 2^ea. */
  ea: number;
  /** After carryToPreviousStep, the cell path to step k-1 = dcFuture * 2^carry (LSTM). */
  carry: number;
  /** GRU: the direct path to h_{k-1}, dh ⊙ z = dct * 2^eKeep. */
  eKeep: number;
}

export function cellExponents(): CellExponents {
  return { ect: 0, ea: 0, carry: 0, eKeep: 0 };
}

/**
 * The LSTM's two parts of the backward state are brought to one exponent for the kernels only
 * when they are within 2^ALIGN_LIMIT of each other: then every product with a coefficient of an
 * unsaturated step (>= 2^-733) stays normal. Further apart (a cell path far below dh, or far
 * above it), the step runs in JS with each part at its own exponent.
 */
export const ALIGN_LIMIT = 256;

/**
 * From dh = dL/dh_k * 2^-eh and dcFuture = (the cell gradient arriving from step k+1) * 2^-ec,
 * computes dct = dL/dc_k (LSTM only) and da = dL/da_k, with their exponents in `out`. dh and
 * dcFuture are normalized (largest entry near [1, 2)) or all zero, an all-zero part carrying
 * the other's exponent; either may be rescaled in place. Step k must be in the trace's window.
 * GRU: da = dL/dAx_k (the input part's pre-activations), daH = dL/dAh_k (the recurrent part's),
 * both at 2^ea, largest entry in [1, 2), and dct the direct path dh ⊙ z (dcFuture unused).
 */
export function cellBackward(
  f: ForwardTrace,
  k: number,
  dh: Float64Array,
  eh: number,
  dcFuture: Float64Array,
  ec: number,
  dct: Float64Array,
  da: Float64Array,
  out: CellExponents,
  daH?: Float64Array,
): void {
  const { N, H, kernels } = f;
  const NH = N * H;
  const w = f.window;
  const j = k - w.first;
  if (f.arch === 'gru') {
    gruCellBackward(w.coef, GRU_COEFFICIENTS * j * NH, w.exponents, GRU_COEFFICIENTS * j, dh, eh, da, daH!, dct, N, H, out);
    return;
  }
  const scaled = f.scaledSteps[k] !== StepScaling.plain;
  if (f.arch === 'rnn') {
    kernels.rnnCellBackward(dh, w.slope, j * NH, da, NH);
    out.ea = scaled ? eh + w.exponents[j] : eh;
    return;
  }
  const kOff = LSTM_COEFFICIENTS * j * NH;
  if (scaled || Math.abs(eh - ec) > ALIGN_LIMIT) {
    scaledLstmCellBackward(w.coef, kOff, w.exponents, LSTM_COEFFICIENTS * j, dh, eh, dcFuture, ec, dct, da, N, H, out);
    return;
  }
  const e = Math.max(eh, ec);
  scaleByPowerOfTwo(dh, 0, NH, eh - e, kernels);
  scaleByPowerOfTwo(dcFuture, 0, NH, ec - e, kernels);
  kernels.lstmCellBackward(w.coef, kOff, dh, dcFuture, dct, da, N, H);
  out.ect = e;
  out.ea = e;
  out.carry = e;
}

/**
 * dh_{k-1} = da_k Wh^T and, for the LSTM, the cell path dcFuture_{k-1} = dct_k * f_k; with a
 * rider whose half is set, that half of its product rides on the first (one sequence: the dot
 * products with Wh's rows, whose bits gemmPaired gives on that route).
 */
export function carryToPreviousStep(
  f: ForwardTrace,
  k: number,
  da: Float64Array,
  dct: Float64Array,
  dh: Float64Array,
  dcFuture: Float64Array,
  rider: SpectralRider | null = null,
): void {
  const { N, H, G } = f;
  if (rider && rider.half !== 0) f.kernels.dotsRider!(H, G, da, f.Wh, dh, rider.half, rider.x, rider.y, rider.w);
  else f.kernels.gemmPaired(false, dh, 0, da, 0, f.recurrentT, N);
  if (f.arch === 'lstm')
    f.kernels.lstmCarry(dct, f.window.coef, LSTM_COEFFICIENTS * (k - f.window.first) * N * H, dcFuture, N, H);
}

/**
 * out[K x G] = A_k^T (K x N) @ da (N x G), where A_k is N rows of K at aOff; with a workspace's
 * kernels, the arrays must be views into its arena (out and da from their index 0).
 */
export function transposeTimes(
  A: Float64Array,
  aOff: number,
  K: number,
  da: Float64Array,
  N: number,
  G: number,
  out: Float64Array,
  kernels: Kernels = jsKernels,
): void {
  out.fill(0, 0, K * G);
  kernels.transposeTimesAcc(A, aOff, K, da, N, G, out);
}

/**
 * lstmCellBackward of elementwise.ts with every part at its own power of two: the coefficient
 * blocks b relative to 2^E_b (E_b = exps[eOff + b]; 0 on an unsaturated step), dh at 2^eh and
 * dcFuture at 2^ec. dct = dcFuture + dh o tanh'(c) is formed at the larger exponent of its two
 * parts, each block of da (i, f, o, g) at its own and then all at the largest, so that a part
 * underflows only if it is more than 2^-1074 below the largest of its result.
 */
function scaledLstmCellBackward(
  coef: Float64Array,
  kOff: number,
  exps: Int32Array,
  eOff: number,
  dh: Float64Array,
  eh: number,
  dcFuture: Float64Array,
  ec: number,
  dct: Float64Array,
  da: Float64Array,
  N: number,
  H: number,
  out: CellExponents,
): void {
  const G = 4 * H;
  const K = LSTM_COEFFICIENTS;
  const E = (b: number): number => exps[eOff + b];
  // The two parts of dct, with the exponents of their largest entries.
  let futureMax = 0;
  let pathMax = 0;
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const s = n * H + j;
      futureMax = Math.max(futureMax, Math.abs(dcFuture[s]));
      pathMax = Math.max(pathMax, Math.abs(dh[s] * coef[kOff + n * K * H + j]));
    }
  }
  const ePath = eh + E(0);
  const topFuture = futureMax === 0 ? -Infinity : ec + binaryExponent(futureMax);
  const topPath = pathMax === 0 ? -Infinity : ePath + binaryExponent(pathMax);
  const ect = topFuture === -Infinity && topPath === -Infinity ? eh : Math.max(topFuture, topPath);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const s = n * H + j;
      dct[s] = ldexp(dcFuture[s], ec - ect) + ldexp(dh[s] * coef[kOff + n * K * H + j], ePath - ect);
    }
  }
  // da's blocks i, f, o, g: dct g i', dct cPrev f', dh tanh(c) o', dct i g'.
  const blockExp = [ect + E(1), ect + E(2), eh + E(3), ect + E(4)];
  const blockMax = [0, 0, 0, 0];
  for (let n = 0; n < N; n++) {
    const c = kOff + n * K * H;
    for (let j = 0; j < H; j++) {
      const s = n * H + j;
      const d = n * G + j;
      da[d] = dct[s] * coef[c + H + j];
      da[d + H] = dct[s] * coef[c + 2 * H + j];
      da[d + 2 * H] = dh[s] * coef[c + 3 * H + j];
      da[d + 3 * H] = dct[s] * coef[c + 4 * H + j];
      for (let b = 0; b < 4; b++) blockMax[b] = Math.max(blockMax[b], Math.abs(da[d + b * H]));
    }
  }
  let ea = -Infinity;
  for (let b = 0; b < 4; b++) if (blockMax[b] > 0) ea = Math.max(ea, blockExp[b] + binaryExponent(blockMax[b]));
  if (ea === -Infinity) ea = eh;
  for (let b = 0; b < 4; b++) {
    const shift = blockExp[b] - ea;
    if (shift === 0) continue;
    for (let n = 0; n < N; n++) for (let j = 0; j < H; j++) da[n * G + b * H + j] = ldexp(da[n * G + b * H + j], shift);
  }
  out.ect = ect;
  out.ea = ea;
  out.carry = ect + E(5);
}
