// The elementwise kernels of a probe in plain JS: the activations of the forward pass (values
// and slopes taken from the pre-activation, exact when saturated) and the elementwise parts of
// backprop. These are the reference semantics of the WebAssembly SIMD versions in wasm/, which
// compute the same formulas in the same order (the exponential of expTerms.ts included), so they
// agree with these bit for bit in every test so far (the tests allow 4 ulps); only sumSquares
// adds in another order.
import { expOut, expTerms } from './expTerms';

/** A[aOff + r*G + j] += b[j] for r < rows, j < G: the bias of every step's pre-activations. */
export function addBias(A: Float64Array, aOff: number, rows: number, G: number, b: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const o = aOff + r * G;
    for (let j = 0; j < G; j++) A[o + j] += b[j];
  }
}

/**
 * v[i] := sigmoid(v[i]) and slope[i] := sigmoid'(v[i]): with e = e^{-|a|} and q = 1 / (1 + e),
 * sigmoid = (a >= 0 ? q : e q) and sigmoid' = e q^2.
 */
export function sigmoidInPlace(v: Float64Array, slope: Float64Array, i: number): void {
  const a = v[i];
  expTerms(-Math.abs(a));
  const e = expOut.e;
  const q = 1 / (1 + e);
  v[i] = a >= 0 ? q : e * q;
  slope[i] = e * q * q;
}

// With e = e^{-2|a|}, m = e - 1 (exact near 0, where 1 - e would cancel) and q = 1 / (1 + e):
// tanh(|a|) = -m q and tanh'(a) = 4e / (1 + e)^2 = e q q 4 (exact when saturated); tanh takes
// the sign bit of a (tanh(-0) = -0).
/** value[i] := tanh(a) and slope[i] := tanh'(a). */
export function tanhInto(a: number, value: Float64Array, slope: Float64Array, i: number): void {
  expTerms(-2 * Math.abs(a));
  const { e, m } = expOut;
  const q = 1 / (1 + e);
  const t = Math.abs(m * q);
  value[i] = a < 0 || Object.is(a, -0) ? -t : t;
  slope[i] = e * q * q * 4;
}

/**
 * The LSTM's backward coefficients per unit, laid out per row of the batch as six blocks of H:
 * o tanh'(c), g i', cPrev f', tanh(c) o', i g', f. They are the only part of a step that
 * backprop reads (besides h), so the forward pass keeps these 6 doubles per unit instead of the
 * 11 of activations, slopes, c, tanh(c) and tanh'(c).
 */
export const LSTM_COEFFICIENTS = 6;

const tanhValue = new Float64Array(1);
const tanhSlope = new Float64Array(1);

/**
 * One LSTM step over N rows of H units. A (N x 4H at aOff) holds the gate pre-activations i, f,
 * o, g, replaced in place by the activations (sigmoid, sigmoid, sigmoid, tanh), with their slopes
 * into `slope` at the same offsets. C (N x H at cOff) holds c_{t-1} (read only when hasPrev, else
 * 0) and is overwritten with c_t = f cPrev + i g; h_t = o tanh(c_t) goes to Hs (N x H at hOff),
 * and the step's backward coefficients to coef (N x 6H at kOff).
 */
export function lstmForwardStep(
  A: Float64Array,
  aOff: number,
  slope: Float64Array,
  C: Float64Array,
  cOff: number,
  Hs: Float64Array,
  hOff: number,
  coef: Float64Array,
  kOff: number,
  N: number,
  H: number,
  hasPrev: boolean,
): void {
  const G = 4 * H;
  for (let n = 0; n < N; n++) {
    const a = aOff + n * G;
    for (let j = 0; j < H; j++) {
      const ai = a + j;
      sigmoidInPlace(A, slope, ai);
      sigmoidInPlace(A, slope, ai + H);
      sigmoidInPlace(A, slope, ai + 2 * H);
      tanhInto(A[ai + 3 * H], A, slope, ai + 3 * H);
      const s = n * H + j;
      const cPrev = hasPrev ? C[cOff + s] : 0;
      const c = A[ai + H] * cPrev + A[ai] * A[ai + 3 * H];
      C[cOff + s] = c;
      tanhInto(c, tanhValue, tanhSlope, 0);
      Hs[hOff + s] = A[ai + 2 * H] * tanhValue[0];
      storeCoefficients(A, slope, ai, cPrev, tanhValue[0], tanhSlope[0], coef, kOff + n * LSTM_COEFFICIENTS * H + j, H);
    }
  }
}

/** One unit's backward coefficients (see LSTM_COEFFICIENTS) at coef[k + b*H], b = 0..5. */
export function storeCoefficients(
  act: Float64Array,
  slope: Float64Array,
  ai: number,
  cPrev: number,
  tanhC: number,
  slopeC: number,
  coef: Float64Array,
  k: number,
  H: number,
): void {
  coef[k] = act[ai + 2 * H] * slopeC;
  coef[k + H] = act[ai + 3 * H] * slope[ai];
  coef[k + 2 * H] = cPrev * slope[ai + H];
  coef[k + 3 * H] = tanhC * slope[ai + 2 * H];
  coef[k + 4 * H] = act[ai] * slope[ai + 3 * H];
  coef[k + 5 * H] = act[ai + H];
}

/** RNN step: Hs[hOff + i] := tanh(A[aOff + i]), slope[sOff + i] := tanh'(A[aOff + i]), i < len (A is left as it is). */
export function rnnForwardStep(
  A: Float64Array,
  aOff: number,
  slope: Float64Array,
  sOff: number,
  Hs: Float64Array,
  hOff: number,
  len: number,
): void {
  for (let i = 0; i < len; i++) {
    tanhInto(A[aOff + i], tanhValue, tanhSlope, 0);
    Hs[hOff + i] = tanhValue[0];
    slope[sOff + i] = tanhSlope[0];
  }
}

/** Forget gates outside [2^-100, 2^100] (exact zeros among them) add their log2 directly (forgetStep). */
export const FORGET_FACTOR_MIN = 2 ** -100;
export const FORGET_FACTOR_MAX = 2 ** 100;
/** A running product leaving [2^-900, 2^900] is folded into the log sum: times a factor it stays normal. */
export const FORGET_PRODUCT_MIN = 2 ** -900;
export const FORGET_PRODUCT_MAX = 2 ** 900;

/**
 * One step of the LSTM's forget-gate log sums (ForgetLogSums in theory.ts) but for the log2
 * calls: for each row and unit i (N x H) of the forget gates f (coef rows of 6H from kOff, block
 * 5), products[i] *= f, and where that leaves [FORGET_PRODUCT_MIN, FORGET_PRODUCT_MAX] (or f
 * lies outside [FORGET_FACTOR_MIN, FORGET_FACTOR_MAX]) the value whose log2 the sum takes (the
 * product, products[i] then reset to 1; or f, products[i] kept) is listed instead: events[0] =
 * how many, events[1 + e] = the index i of event e, events[1 + NH + e] = the value (events holds
 * 1 + 2 N H doubles). Returns the sum of the gates in row-major order.
 */
export function forgetStep(
  coef: Float64Array,
  kOff: number,
  N: number,
  H: number,
  products: Float64Array,
  events: Float64Array,
): number {
  const NH = N * H;
  let sum = 0;
  let count = 0;
  for (let n = 0; n < N; n++) {
    const row = kOff + n * LSTM_COEFFICIENTS * H + 5 * H;
    for (let u = 0; u < H; u++) {
      const f = coef[row + u];
      sum += f;
      const i = n * H + u;
      if (f >= FORGET_FACTOR_MIN && f <= FORGET_FACTOR_MAX) {
        const p = products[i] * f;
        if (p < FORGET_PRODUCT_MIN || p > FORGET_PRODUCT_MAX) {
          events[1 + count] = i;
          events[1 + NH + count++] = p;
          products[i] = 1;
        } else {
          products[i] = p;
        }
      } else {
        events[1 + count] = i;
        events[1 + NH + count++] = f;
      }
    }
  }
  events[0] = count;
  return sum;
}

/** RNN cell backward: da[i] = dh[i] * slope[sOff + i], i < len. */
export function rnnCellBackward(dh: Float64Array, slope: Float64Array, sOff: number, da: Float64Array, len: number): void {
  for (let i = 0; i < len; i++) da[i] = dh[i] * slope[sOff + i];
}

/**
 * LSTM cell backward at one step from its coefficients (N x 6H at kOff), dh and dcFuture (N x H):
 * dct = dcFuture + dh o tanh'(c) (N x H) and da = (dct g i', dct cPrev f', dh tanh(c) o', dct i g')
 * (N x 4H).
 */
export function lstmCellBackward(
  coef: Float64Array,
  kOff: number,
  dh: Float64Array,
  dcFuture: Float64Array,
  dct: Float64Array,
  da: Float64Array,
  N: number,
  H: number,
): void {
  const G = 4 * H;
  for (let n = 0; n < N; n++) {
    const k = kOff + n * LSTM_COEFFICIENTS * H;
    const d = n * G;
    for (let j = 0; j < H; j++) {
      const s = n * H + j;
      const total = dcFuture[s] + dh[s] * coef[k + j];
      dct[s] = total;
      da[d + j] = total * coef[k + H + j];
      da[d + H + j] = total * coef[k + 2 * H + j];
      da[d + 2 * H + j] = dh[s] * coef[k + 3 * H + j];
      da[d + 3 * H + j] = total * coef[k + 4 * H + j];
    }
  }
}

/** The LSTM cell path to the previous step: dcFuture[n*H + j] = dct[n*H + j] * f, f from the coefficients at kOff. */
export function lstmCarry(
  dct: Float64Array,
  coef: Float64Array,
  kOff: number,
  dcFuture: Float64Array,
  N: number,
  H: number,
): void {
  for (let n = 0; n < N; n++) {
    const f = kOff + n * LSTM_COEFFICIENTS * H + 5 * H;
    for (let j = 0; j < H; j++) dcFuture[n * H + j] = dct[n * H + j] * coef[f + j];
  }
}

/** v[i] *= factor for i in [off, off + len). */
export function scale(v: Float64Array, off: number, len: number, factor: number): void {
  for (let i = off; i < off + len; i++) v[i] *= factor;
}

/** The sum of (v[i] * factor)^2 for i in [off, off + len) (factor 1 for the plain sum of squares). */
export function sumSquares(v: Float64Array, off: number, len: number, factor: number): number {
  let s = 0;
  for (let i = off; i < off + len; i++) {
    const x = v[i] * factor;
    s += x * x;
  }
  return s;
}

/** out[j] = sum_n da[n*G + j] for j < G, over the rows n < N in order. */
export function columnSums(da: Float64Array, N: number, G: number, out: Float64Array): void {
  out.fill(0, 0, G);
  for (let n = 0; n < N; n++) {
    const r = n * G;
    for (let j = 0; j < G; j++) out[j] += da[r + j];
  }
}
