// The GRU cell in PyTorch's formulation (so that imported weights mean what they meant in
// training), gates r, z, n in that order, with separate input and recurrent biases:
//   r = σ(x W_ir + b_ir + h W_hr + b_hr),  z = σ(x W_iz + b_iz + h W_hz + b_hz),
//   n = tanh(x W_in + b_in + r ⊙ (h W_hn + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h.
// The forward pass computes the input part Ax = x Wx + b_i and the recurrent part Ah = h Wh + b_h
// with the kernels' products; this file does the elementwise rest, in plain JS, on every
// kernel path.
//
// Backprop reads, per unit, five coefficients (GRU_COEFFICIENTS), each formed from the
// pre-activations (never from 1 − tanh² or z(1 − z) of rounded gates). On a step where a factor
// could leave float64's normal range (some gate's |pre-activation| beyond GRU_PLAIN_LIMIT), every
// factor is carried as a mantissa and a power of two, and each block stored relative to its
// step's largest entry (its exponent beside the step, as the LSTM's saturated steps do:
// saturatedSteps.ts). So a coefficient is exact however saturated its unit, and underflows only
// if it is more than 2^-1074 below the largest of its block at its step. Other steps form them
// as plain doubles (exponents 0), the same values to rounding, at a fraction of the cost. The
// choice depends only on the step's values, so a recomputed segment makes it again the same way.
import { expSplit } from './saturatedSteps';
import { binaryExponent, ldexp } from './scaledNumber';
import { tanhInto } from './elementwise';
import { scaleByPowerOfTwo } from './norms';
import type { Kernels, StepWeights } from './linalg';

/**
 * The GRU's backward coefficients per unit, per row of the batch as five blocks of H:
 * 0: (1 − z) tanh'(a_n)            → dL/da_n  = dh · this
 * 1: (h_prev − n) σ'(a_z)          → dL/da_z  = dh · this
 * 2: (1 − z) tanh'(a_n) hn σ'(a_r) → dL/da_r  = dh · this   (hn = h W_hn + b_hn)
 * 3: r (1 − z) tanh'(a_n)          → dL/dAh_n = dh · this   (the recurrent part of the n gate)
 * 4: z                             → the direct path dL/dh_prev += dh · z
 */
export const GRU_COEFFICIENTS = 5;

/** A number m · 2^k. */
interface Split {
  m: number;
  k: number;
}

/** σ(a), 1 − σ(a) = σ(−a) and σ'(a), each as m · 2^k: with e = e^{-|a|}, q = 1/(1+e): σ(|a|) = q, σ(−|a|) = e q, σ' = e q². */
interface SigmoidParts {
  value: Split;
  complement: Split;
  slope: Split;
}

const split: Split = { m: 0, k: 0 };

function sigmoidParts(a: number, out: SigmoidParts): void {
  expSplit(-Math.abs(a), split);
  const q = 1 / (1 + ldexp(split.m, split.k));
  const [large, small] = a >= 0 ? [out.value, out.complement] : [out.complement, out.value];
  large.m = q;
  large.k = 0;
  small.m = split.m * q;
  small.k = split.k;
  out.slope.m = split.m * q * q;
  out.slope.k = split.k;
}

/** tanh'(a) = 4 e q² with e = e^{-2|a|}, q = 1/(1+e), as m · 2^k. */
function tanhSlopeParts(a: number, out: Split): void {
  expSplit(-2 * Math.abs(a), split);
  const q = 1 / (1 + ldexp(split.m, split.k));
  out.m = 4 * split.m * q * q;
  out.k = split.k;
}

const newParts = (): SigmoidParts => ({ value: { m: 0, k: 0 }, complement: { m: 0, k: 0 }, slope: { m: 0, k: 0 } });
const rParts = newParts();
const zParts = newParts();
const nSlope: Split = { m: 0, k: 0 };
const tanhValue = new Float64Array(1);
const tanhSlope = new Float64Array(1);

/** The binary exponent of m · 2^k (m nonzero). */
function exponentOf(m: number, k: number): number {
  return k + binaryExponent(Math.abs(m));
}

/**
 * Below this |pre-activation| every factor of a coefficient exceeds 1e-87 (tanh'), 1e-44
 * (σ', 1 − z), so their products stay normal: the step is formed in plain doubles.
 */
export const GRU_PLAIN_LIMIT = 100;

/** A bound on every gate's |pre-activation| at the step: |a_r|, |a_z|, and |a_n| <= |Ax_n| + |hn| (r <= 1). */
function preActivationBound(Ax: Float64Array, Ah: Float64Array, N: number, H: number): number {
  const G = 3 * H;
  let m = 0;
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const a = n * G + j;
      m = Math.max(
        m,
        Math.abs(Ax[a] + Ah[a]),
        Math.abs(Ax[a + H] + Ah[a + H]),
        Math.abs(Ax[a + 2 * H]) + Math.abs(Ah[a + 2 * H]),
      );
    }
  }
  return m;
}

/** gruForwardStep on a step below GRU_PLAIN_LIMIT: the same formulas in plain doubles, exponents 0. */
function plainGruStep(
  Ax: Float64Array,
  Ah: Float64Array,
  hPrev: Float64Array,
  pOff: number,
  Hs: Float64Array,
  hOff: number,
  coef: Float64Array,
  kOff: number,
  exps: Int32Array,
  eOff: number,
  N: number,
  H: number,
): number {
  const G = 3 * H;
  const K = GRU_COEFFICIENTS;
  let zSum = 0;
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const a = n * G + j;
      const s = n * H + j;
      const ar = Ax[a] + Ah[a];
      const az = Ax[a + H] + Ah[a + H];
      const er = Math.exp(-Math.abs(ar));
      const qr = 1 / (1 + er);
      const r = ar >= 0 ? qr : er * qr;
      const ez = Math.exp(-Math.abs(az));
      const qz = 1 / (1 + ez);
      const z = az >= 0 ? qz : ez * qz;
      const oneMinusZ = az >= 0 ? ez * qz : qz;
      const hn = Ah[a + 2 * H];
      tanhInto(Ax[a + 2 * H] + r * hn, tanhValue, tanhSlope, 0);
      const nv = tanhValue[0];
      const hp = hPrev[pOff + s];
      Hs[hOff + s] = oneMinusZ * nv + z * hp;
      zSum += z;
      const c = kOff + n * K * H + j;
      const dn = oneMinusZ * tanhSlope[0];
      coef[c] = dn;
      coef[c + H] = (hp - nv) * (ez * qz * qz);
      coef[c + 2 * H] = dn * hn * (er * qr * qr);
      coef[c + 3 * H] = r * dn;
      coef[c + 4 * H] = z;
    }
  }
  exps.fill(0, eOff, eOff + K);
  return zSum;
}

/**
 * One GRU step over N rows of H units. Ax (N × 3H at 0) holds x W_x + b_i, Ah (N × 3H at 0)
 * h_prev W_h + b_h; hPrev (N × H at pOff) is h_{t-1}. Writes h_t to Hs at hOff, the
 * coefficients to coef at kOff (N × 5H, each block relative to 2^exps[eOff + b]), and returns
 * the sum of the update gates z over the step (for the theory overlay). `kexp` is scratch of
 * 5·N·H.
 */
export function gruForwardStep(
  Ax: Float64Array,
  Ah: Float64Array,
  hPrev: Float64Array,
  pOff: number,
  Hs: Float64Array,
  hOff: number,
  coef: Float64Array,
  kOff: number,
  exps: Int32Array,
  eOff: number,
  kexp: Int32Array,
  N: number,
  H: number,
): number {
  if (preActivationBound(Ax, Ah, N, H) <= GRU_PLAIN_LIMIT)
    return plainGruStep(Ax, Ah, hPrev, pOff, Hs, hOff, coef, kOff, exps, eOff, N, H);
  const G = 3 * H;
  const K = GRU_COEFFICIENTS;
  let E0 = -Infinity,
    E1 = -Infinity,
    E2 = -Infinity,
    E3 = -Infinity,
    E4 = -Infinity;
  let zSum = 0;
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const a = n * G + j;
      const s = n * H + j;
      sigmoidParts(Ax[a] + Ah[a], rParts);
      sigmoidParts(Ax[a + H] + Ah[a + H], zParts);
      const r = ldexp(rParts.value.m, rParts.value.k);
      const z = ldexp(zParts.value.m, zParts.value.k);
      const oneMinusZ = ldexp(zParts.complement.m, zParts.complement.k);
      const hn = Ah[a + 2 * H];
      const an = Ax[a + 2 * H] + r * hn;
      tanhInto(an, tanhValue, tanhSlope, 0);
      const nv = tanhValue[0];
      tanhSlopeParts(an, nSlope);
      const hp = hPrev[pOff + s];
      Hs[hOff + s] = oneMinusZ * nv + z * hp;
      zSum += z;
      const c = kOff + n * K * H + j;
      const k = n * K * H + j;
      // (1 − z) tanh'(a_n), the factor the n gate's three coefficients share.
      const dnm = zParts.complement.m * nSlope.m;
      const dnk = zParts.complement.k + nSlope.k;
      coef[c] = dnm;
      kexp[k] = dnk;
      coef[c + H] = (hp - nv) * zParts.slope.m;
      kexp[k + H] = zParts.slope.k;
      coef[c + 2 * H] = dnm * hn * rParts.slope.m;
      kexp[k + 2 * H] = dnk + rParts.slope.k;
      coef[c + 3 * H] = rParts.value.m * dnm;
      kexp[k + 3 * H] = rParts.value.k + dnk;
      coef[c + 4 * H] = zParts.value.m;
      kexp[k + 4 * H] = zParts.value.k;
      if (coef[c] !== 0) E0 = Math.max(E0, exponentOf(coef[c], kexp[k]));
      if (coef[c + H] !== 0) E1 = Math.max(E1, exponentOf(coef[c + H], kexp[k + H]));
      if (coef[c + 2 * H] !== 0) E2 = Math.max(E2, exponentOf(coef[c + 2 * H], kexp[k + 2 * H]));
      if (coef[c + 3 * H] !== 0) E3 = Math.max(E3, exponentOf(coef[c + 3 * H], kexp[k + 3 * H]));
      if (coef[c + 4 * H] !== 0) E4 = Math.max(E4, exponentOf(coef[c + 4 * H], kexp[k + 4 * H]));
    }
  }
  const E = [E0, E1, E2, E3, E4].map((e) => (e === -Infinity ? 0 : e));
  for (let b = 0; b < K; b++) exps[eOff + b] = E[b];
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < K; b++) {
      const at = n * K * H + b * H;
      for (let j = 0; j < H; j++) coef[kOff + at + j] = ldexp(coef[kOff + at + j], kexp[at + j] - E[b]);
    }
  }
  return zSum;
}

/** The powers of two a GRU cell step's results carry. */
export interface GruExponents {
  /** dL/dAx = da · 2^ea and dL/dAh = daH · 2^ea (one exponent, the larger of the two). */
  ea: number;
  /** The direct path dh · z = keep · 2^eKeep. */
  eKeep: number;
}

/**
 * From dh = dL/dh_k · 2^-eh: da = dL/dAx_k (N × 3H: r, z, n), daH = dL/dAh_k (N × 3H: the same r
 * and z blocks, and r ⊙ dL/da_n), both at one exponent with their largest entry in [1, 2) (or all
 * zero), and keep = dh ⊙ z, the direct path to h_{k-1}. Each block is formed at its own exponent
 * (dh's and its coefficient block's) and then brought to the largest.
 */
export function gruCellBackward(
  coef: Float64Array,
  kOff: number,
  exps: Int32Array,
  eOff: number,
  dh: Float64Array,
  eh: number,
  da: Float64Array,
  daH: Float64Array,
  keep: Float64Array,
  N: number,
  H: number,
  out: GruExponents,
): void {
  const G = 3 * H;
  const K = GRU_COEFFICIENTS;
  // Output blocks: da_r (coefficient 2), da_z (1), da_n (0), daH_n (3).
  const sources = [2, 1, 0, 3];
  const blockMax = [0, 0, 0, 0];
  let keepMax = 0;
  for (let n = 0; n < N; n++) {
    const c = kOff + n * K * H;
    for (let j = 0; j < H; j++) {
      const s = n * H + j;
      const d = n * G + j;
      const g = dh[s];
      da[d] = g * coef[c + 2 * H + j];
      da[d + H] = g * coef[c + H + j];
      da[d + 2 * H] = g * coef[c + j];
      daH[d + 2 * H] = g * coef[c + 3 * H + j];
      keep[s] = g * coef[c + 4 * H + j];
      blockMax[0] = Math.max(blockMax[0], Math.abs(da[d]));
      blockMax[1] = Math.max(blockMax[1], Math.abs(da[d + H]));
      blockMax[2] = Math.max(blockMax[2], Math.abs(da[d + 2 * H]));
      blockMax[3] = Math.max(blockMax[3], Math.abs(daH[d + 2 * H]));
      keepMax = Math.max(keepMax, Math.abs(keep[s]));
    }
  }
  const blockExp = sources.map((b) => eh + exps[eOff + b]);
  let top = -Infinity;
  for (let b = 0; b < 4; b++) if (blockMax[b] > 0) top = Math.max(top, blockExp[b] + binaryExponent(blockMax[b]));
  if (top === -Infinity) top = eh;
  for (let b = 0; b < 4; b++) {
    const shift = blockExp[b] - top;
    const target = b === 3 ? daH : da;
    const off = b === 3 ? 2 * H : b * H;
    if (shift === 0 || blockMax[b] === 0) continue;
    // A power of two in range multiplies exactly as ldexp would.
    const factor = shift >= -1000 ? 2 ** shift : 0;
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < H; j++) {
        const i = n * G + off + j;
        target[i] = factor !== 0 ? target[i] * factor : ldexp(target[i], shift);
      }
    }
  }
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < 2 * H; j++) daH[n * G + j] = da[n * G + j];
  }
  out.ea = top;
  out.eKeep = keepMax === 0 ? top : eh + exps[eOff + 4];
}

/**
 * dL/dh_{k-1} = daH_k Wh^T + dh_k ⊙ z_k into dh, the two parts summed at the larger of their
 * exponents and the result normalized (largest entry in [1, 2)); returns its exponent.
 */
export function gruCarry(
  kernels: Kernels,
  /** Wh^T (3H x H) as the carry reads it (ForwardTrace.recurrentT). */
  WhT: StepWeights,
  daH: Float64Array,
  keep: Float64Array,
  e: GruExponents,
  dh: Float64Array,
  N: number,
  H: number,
): number {
  const NH = N * H;
  kernels.gemmPaired(false, dh, 0, daH, 0, WhT, N);
  const mh = kernels.maxAbs(dh, 0, NH);
  const mk = kernels.maxAbs(keep, 0, NH);
  const topH = mh === 0 ? -Infinity : e.ea + binaryExponent(mh);
  const topK = mk === 0 ? -Infinity : e.eKeep + binaryExponent(mk);
  const top = Math.max(topH, topK);
  if (top === -Infinity) return e.ea;
  scaleByPowerOfTwo(dh, 0, NH, e.ea - top, kernels);
  scaleByPowerOfTwo(keep, 0, NH, e.eKeep - top, kernels);
  for (let i = 0; i < NH; i++) dh[i] += keep[i];
  const m = kernels.maxAbs(dh, 0, NH);
  if (m === 0) return top;
  const p = binaryExponent(m);
  scaleByPowerOfTwo(dh, 0, NH, -p, kernels);
  return top + p;
}
