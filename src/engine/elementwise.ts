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
 * One LSTM step over N rows of H units. A[aOff ..] holds the step's gate pre-activations
 * (N x 4H: i, f, o, g), replaced in place by the activations i, f, o = sigmoid, g = tanh, with
 * their slopes at the same offsets of `slope`; then c = f * cPrev + i * g (cPrev = C at hOff - N*H
 * when hasPrev, else 0), tanh(c) and tanh'(c) into tanhC and slopeC, and h = o * tanh(c) into
 * Hs, all (N x H) at hOff.
 */
export function lstmForwardStep(
  A: Float64Array, aOff: number, slope: Float64Array,
  C: Float64Array, tanhC: Float64Array, slopeC: Float64Array, Hs: Float64Array, hOff: number,
  N: number, H: number, hasPrev: boolean,
): void {
  const G = 4 * H;
  const NH = N * H;
  for (let n = 0; n < N; n++) {
    const a = aOff + n * G;
    const h = hOff + n * H;
    for (let j = 0; j < H; j++) {
      const ai = a + j;
      sigmoidInPlace(A, slope, ai);
      sigmoidInPlace(A, slope, ai + H);
      sigmoidInPlace(A, slope, ai + 2 * H);
      tanhInto(A[ai + 3 * H], A, slope, ai + 3 * H);
      const cPrev = hasPrev ? C[h - NH + j] : 0;
      const c = A[ai + H] * cPrev + A[ai] * A[ai + 3 * H];
      C[h + j] = c;
      tanhInto(c, tanhC, slopeC, h + j);
      Hs[h + j] = A[ai + 2 * H] * tanhC[h + j];
    }
  }
}

/** RNN step: A[aOff + i] := tanh(A[aOff + i]), slope[aOff + i] := tanh', Hs[hOff + i] := A[aOff + i], i < len. */
export function tanhForward(A: Float64Array, aOff: number, slope: Float64Array, Hs: Float64Array, hOff: number, len: number): void {
  for (let i = 0; i < len; i++) {
    tanhInto(A[aOff + i], A, slope, aOff + i);
    Hs[hOff + i] = A[aOff + i];
  }
}

/** RNN cell backward: da[i] = dh[i] * slope[sOff + i], i < len. */
export function rnnCellBackward(dh: Float64Array, slope: Float64Array, sOff: number, da: Float64Array, len: number): void {
  for (let i = 0; i < len; i++) da[i] = dh[i] * slope[sOff + i];
}

/**
 * LSTM cell backward at one step: act and slope at aOff (N x 4H), C, tanhC, slopeC at cOff
 * (N x H; cPrev = C at cOff - N*H when hasPrev, else 0), dh and dcFuture (N x H) in; writes
 * dct = dcFuture + dh * o * tanh'(c) (N x H) and da (N x 4H).
 */
export function lstmCellBackward(
  act: Float64Array, slope: Float64Array, aOff: number,
  C: Float64Array, tanhC: Float64Array, slopeC: Float64Array, cOff: number,
  dh: Float64Array, dcFuture: Float64Array, dct: Float64Array, da: Float64Array,
  N: number, H: number, hasPrev: boolean,
): void {
  const G = 4 * H;
  const NH = N * H;
  for (let n = 0; n < N; n++) {
    const a = aOff + n * G;
    const d = n * G;
    for (let j = 0; j < H; j++) {
      const s = n * H + j;
      const cPrev = hasPrev ? C[cOff - NH + s] : 0;
      const total = dcFuture[s] + dh[s] * act[a + 2 * H + j] * slopeC[cOff + s];
      dct[s] = total;
      da[d + j] = total * act[a + 3 * H + j] * slope[a + j];
      da[d + H + j] = total * cPrev * slope[a + H + j];
      da[d + 2 * H + j] = dh[s] * tanhC[cOff + s] * slope[a + 2 * H + j];
      da[d + 3 * H + j] = total * act[a + j] * slope[a + 3 * H + j];
    }
  }
}

/** The LSTM cell path to the previous step: dcFuture[n*H + j] = dct[n*H + j] * f, f = act[aOff + n*4H + H + j]. */
export function lstmCarry(dct: Float64Array, act: Float64Array, aOff: number, dcFuture: Float64Array, N: number, H: number): void {
  const G = 4 * H;
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) dcFuture[n * H + j] = dct[n * H + j] * act[aOff + n * G + H + j];
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
