// Saturated steps: slopes formed relative to their step's largest, with the exponent carried.
//
// tanh'(a) = 4 e^{-2|a|} / (1 + e^{-2|a|})^2 leaves float64's normal range past |a| ≈ 354 and
// sigmoid'(a) past 708, and an LSTM coefficient (a product of two such factors) sooner. A slope
// that underflows to 0 cuts the gradient through its unit, so every norm upstream of it came out
// as an exact 0. On a step where that can happen, each slope (RNN) or each block of LSTM
// coefficients is divided by a power of two 2^E, E the exponent of the block's largest entry at
// that step, and E is kept beside the step (see ForwardTrace.window.exponents): the backward pass
// multiplies it back into the exponent of its state, as it already does for the state's own
// scale. An entry then underflows only if it is more than 2^-1074 below the largest of its block
// at its step, where it cannot change any norm at 1e-12.
//
// Steps that cannot saturate take the kernels' path unchanged; these functions run (in plain JS)
// only on the steps that can, which the forward pass detects and records (scaledSteps).
//
// What stays plain float64: the forward values themselves (gates, c, h). A hidden state that is
// below 1e-308 as a whole (every output gate of a step saturated past e^-708) is 0, as in any
// float64 framework, and so is the next step's dWh norm, which is made of it.
import { expOut, expTerms } from './expTerms';
import { binaryExponent, ldexp } from './scaledNumber';
import { LSTM_COEFFICIENTS, tanhInto } from './elementwise';

/** RNN: a step with some |a| beyond this has its slopes rescaled (below it tanh' > 4e-304, normal). */
export const RNN_SATURATION = 350;
/**
 * LSTM: a step with some gate |a|, or some |c|, beyond this is rescaled. Below it every factor of
 * a coefficient (gate, sigmoid', tanh') exceeds 1e-148, so products of two stay normal.
 */
export const LSTM_SATURATION = 170;

/** Per step, how its slopes were formed (ForwardTrace.scaledSteps). */
export const StepScaling = {
  /** By the kernels, as plain doubles (exponents 0). */
  plain: 0,
  /** RNN: slopes relative to the step's largest. LSTM: by the kernels, then coefficient block 0 (o tanh'(c)) relative. */
  rescaled: 1,
  /** LSTM: the whole step here (lstmSaturatedStep), every coefficient block relative to its largest. */
  saturated: 2,
} as const;

/** Exponents kept per step: one for the RNN's slopes, one per LSTM coefficient block. */
export function exponentsPerStep(lstm: boolean): number {
  return lstm ? LSTM_COEFFICIENTS : 1;
}

// ln 2 in three parts for the argument reduction: LN2_A has 20 significant bits and LN2_B 12
// (together fdlibm's 32-bit ln2_hi), so k * LN2_A and k * LN2_B are exact for |k| < 2^33.
const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const LN2_A = Math.floor(LN2_HI * 2 ** 20) / 2 ** 20;
const LN2_B = LN2_HI - LN2_A;

/** A number mantissa * 2^exponent, as a reusable out-parameter. */
interface Split {
  m: number;
  k: number;
}

/** e^x = out.m * 2^out.k for any finite x <= 0, to about an ulp; out.m in [0.7, 1.42]. */
export function expSplit(x: number, out: Split): void {
  const k = Math.round(x / Math.LN2);
  // x - k * LN2_A is exact (the two are within a factor of 2 of each other).
  const r = x - k * LN2_A - k * LN2_B - k * LN2_LO;
  out.m = Math.exp(r);
  out.k = k;
}

/**
 * e^x for x <= 0 as out.m * 2^out.k, out.m in [0.7, 2): from the kernels' exponential
 * (expTerms) where e^x is normal, so that unsaturated units keep the kernels' values to the bit
 * (scaling by a power of two commutes with rounding), and from expSplit beyond.
 */
function expScaled(x: number, out: Split): void {
  if (x >= -700) {
    expTerms(x);
    const p = binaryExponent(expOut.e);
    out.m = ldexp(expOut.e, -p);
    out.k = p;
  } else {
    expSplit(x, out);
  }
}

const split = { m: 0, k: 0 };

/** The binary exponent of m * 2^k (m nonzero): k + binaryExponent(|m|). */
function exponentOf(m: number, k: number): number {
  return k + binaryExponent(Math.abs(m));
}

/**
 * RNN: rescales one step's slopes (len of them at sOff, just computed by the kernel from the
 * pre-activations A at aOff) relative to the largest, returning its exponent E: slope[i] becomes
 * tanh'(a_i) * 2^-E. Units with |a| <= RNN_SATURATION keep the kernel's value (scaled); beyond,
 * tanh'(a) = 4 e^{-2|a|} exactly in float64 (1 + e^{-2|a|} rounds to 1 there).
 */
export function rescaleRnnSlopes(A: Float64Array, aOff: number, slope: Float64Array, sOff: number, len: number): number {
  // The largest slope is the one of the smallest |a|.
  let iMin = 0;
  for (let i = 1; i < len; i++) if (Math.abs(A[aOff + i]) < Math.abs(A[aOff + iMin])) iMin = i;
  const E = len === 0 ? 0 : rnnSlopeExponent(Math.abs(A[aOff + iMin]), slope[sOff + iMin]);
  for (let i = 0; i < len; i++) {
    const a = Math.abs(A[aOff + i]);
    if (a <= RNN_SATURATION) {
      slope[sOff + i] = ldexp(slope[sOff + i], -E);
    } else {
      expSplit(-2 * a, split);
      slope[sOff + i] = ldexp(4 * split.m, split.k - E);
    }
  }
  return E;
}

function rnnSlopeExponent(a: number, kernelSlope: number): number {
  if (a <= RNN_SATURATION) return binaryExponent(kernelSlope);
  expSplit(-2 * a, split);
  return exponentOf(4 * split.m, split.k);
}

/**
 * LSTM, a step whose gates did not saturate but some cells c_t did (|c| > LSTM_SATURATION): the
 * kernel's coefficient block 0, o tanh'(c), underflows there. Recomputes it for those units as
 * o * 4 e^{-2|c|} (exact in float64 there) and rescales the block relative to its largest,
 * returning the block's exponent. A holds the step's activations, C its cells (N x H), coef
 * the step's coefficients at kOff.
 */
export function rescaleCellCoefficients(
  A: Float64Array,
  C: Float64Array,
  coef: Float64Array,
  kOff: number,
  N: number,
  H: number,
): number {
  const G = 4 * H;
  const m = new Float64Array(N * H);
  const k = new Int32Array(N * H);
  let E = -Infinity;
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const s = n * H + j;
      const c = Math.abs(C[s]);
      if (c > LSTM_SATURATION) {
        expSplit(-2 * c, split);
        m[s] = A[n * G + 2 * H + j] * 4 * split.m;
        k[s] = split.k;
      } else {
        m[s] = coef[kOff + n * LSTM_COEFFICIENTS * H + j];
        k[s] = 0;
      }
      if (m[s] !== 0) E = Math.max(E, exponentOf(m[s], k[s]));
    }
  }
  if (E === -Infinity) E = 0;
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const s = n * H + j;
      coef[kOff + n * LSTM_COEFFICIENTS * H + j] = ldexp(m[s], k[s] - E);
    }
  }
  return E;
}

/**
 * LSTM, a step whose gates saturated (some |a| > LSTM_SATURATION): the whole step in JS. Same
 * arguments and results as lstmForwardStep in elementwise.ts (A: the pre-activations, replaced
 * by the activations; C: c_{t-1}, replaced by c_t; Hs; coef), except that the slopes are not
 * stored and each coefficient block b is stored relative to its largest, its exponent going to
 * exps[eOff + b]. Each gate value and slope is carried as a mantissa and an exponent, so a
 * coefficient is exact however saturated its unit; the forward values (gates, c, h) are plain
 * doubles, as everywhere. Unsaturated units get the kernels' values to the bit (same formulas,
 * same exponential, scaled by powers of two). `cellHook` nudges c_t (finite-difference tests).
 */
export function lstmSaturatedStep(
  A: Float64Array,
  C: Float64Array,
  hasPrev: boolean,
  Hs: Float64Array,
  hOff: number,
  coef: Float64Array,
  kOff: number,
  exps: Int32Array,
  eOff: number,
  N: number,
  H: number,
  cellHook?: (C: Float64Array) => void,
): void {
  const G = 4 * H;
  const NH = N * H;
  const K = LSTM_COEFFICIENTS;
  // First every c_t (the cell hook sees them all at once), from the gates' plain values.
  const cPrev = new Float64Array(NH);
  const act = new Float64Array(N * G);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const s = n * H + j;
      const ai = n * G + j;
      for (let b = 0; b < 3; b++) {
        sigmoidParts(A[ai + b * H], gi);
        act[ai + b * H] = ldexp(gi.vm, gi.vk);
      }
      tanhInto(A[ai + 3 * H], act, scratchSlope, ai + 3 * H);
      cPrev[s] = hasPrev ? C[s] : 0;
      C[s] = act[ai + H] * cPrev[s] + act[ai] * act[ai + 3 * H];
    }
  }
  cellHook?.(C);
  // Then the coefficients: mantissas into coef, exponents into kexp, each block's largest in E.
  const kexp = new Int32Array(K * NH);
  const E = new Array<number>(K).fill(-Infinity);
  const put = (n: number, j: number, b: number, m: number, k: number): void => {
    const at = n * K * H + b * H + j;
    coef[kOff + at] = m;
    kexp[at] = k;
    if (m !== 0) E[b] = Math.max(E[b], exponentOf(m, k));
  };
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const s = n * H + j;
      const ai = n * G + j;
      sigmoidParts(A[ai], gi);
      sigmoidParts(A[ai + H], gf);
      sigmoidParts(A[ai + 2 * H], go);
      tanhSlopeParts(A[ai + 3 * H], sg);
      const g = act[ai + 3 * H];
      tanhInto(C[s], scratchValue, scratchSlope, 0);
      const tanhC = scratchValue[0];
      tanhSlopeParts(C[s], sc);
      Hs[hOff + s] = act[ai + 2 * H] * tanhC;
      put(n, j, 0, go.vm * sc.sm, go.vk + sc.sk); // o tanh'(c)
      put(n, j, 1, g * gi.sm, gi.sk); // g i'
      put(n, j, 2, cPrev[s] * gf.sm, gf.sk); // cPrev f'
      put(n, j, 3, tanhC * go.sm, go.sk); // tanh(c) o'
      put(n, j, 4, gi.vm * sg.sm, gi.vk + sg.sk); // i g'
      put(n, j, 5, gf.vm, gf.vk); // f
    }
  }
  for (let b = 0; b < K; b++) exps[eOff + b] = E[b] === -Infinity ? 0 : E[b];
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < K; b++) {
      for (let j = 0; j < H; j++) {
        const at = n * K * H + b * H + j;
        coef[kOff + at] = ldexp(coef[kOff + at], kexp[at] - exps[eOff + b]);
      }
    }
  }
  A.set(act);
}

/** A gate's value vm 2^vk and slope sm 2^sk (tanh: the slope only). */
interface GateParts {
  vm: number;
  vk: number;
  sm: number;
  sk: number;
}
const gi: GateParts = { vm: 0, vk: 0, sm: 0, sk: 0 };
const gf: GateParts = { vm: 0, vk: 0, sm: 0, sk: 0 };
const go: GateParts = { vm: 0, vk: 0, sm: 0, sk: 0 };
const sg: GateParts = { vm: 0, vk: 0, sm: 0, sk: 0 };
const sc: GateParts = { vm: 0, vk: 0, sm: 0, sk: 0 };
const scratchValue = new Float64Array(1);
const scratchSlope = new Float64Array(1);

/** With e = e^{-|a|} and q = 1 / (1 + e), as the kernels: sigmoid = (a >= 0 ? q : e q), sigmoid' = e q q. */
function sigmoidParts(a: number, out: GateParts): void {
  expScaled(-Math.abs(a), split);
  const q = 1 / (1 + ldexp(split.m, split.k));
  out.vm = a >= 0 ? q : split.m * q;
  out.vk = a >= 0 ? 0 : split.k;
  out.sm = split.m * q * q;
  out.sk = split.k;
}

/** With e = e^{-2|a|} and q = 1 / (1 + e), as the kernels: tanh' = 4 e q q (e q q 4). */
function tanhSlopeParts(a: number, out: GateParts): void {
  expScaled(-2 * Math.abs(a), split);
  const q = 1 / (1 + ldexp(split.m, split.k));
  out.sm = split.m * q * q * 4;
  out.sk = split.k;
}
