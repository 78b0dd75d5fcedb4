// e^x and e^x - 1 for x <= 0, the one exponential behind every activation and slope. Written
// without a division (fdlibm's exp and expm1, behind Math.exp / Math.expm1, each divide once) so
// that the WebAssembly SIMD kernels can run it at a few cycles per element; this file is the
// reference semantics those kernels follow operation for operation (kernels.wat, $expTerms).
//
// x is clamped to -746 (e^-746 rounds to 0; NaN stays NaN). k = round(x / ln2) by the 1.5 * 2^52
// shifter, r = (x - k ln2hi) - k ln2lo (ln2hi has 32 bits, so k ln2hi and x - k ln2hi are
// exact), and p = e^r - 1 by its Taylor series to r^13, |r| <= ln2/2: the first term left out is
// below 0.1 ulp. Then e^x = (2^(k+1000) + 2^(k+1000) p) 2^-1000 (k + 1000 >= -77: a normal
// power of two; the last scaling is exact but for a subnormal result, which it rounds once), and
// e^x - 1 = p when k = 0 (r = x exactly), else
// e^x - 1 (exact or within an ulp there, since e^x <= 0.71). Both are within 2 ulps of the true
// values (elementwiseKernels.test.ts measures the worst case against Math.exp and Math.expm1).

const EXP_MIN_X = -746;
const INV_LN2 = 1.4426950408889634;
const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const SHIFTER = 6755399441055744; // 1.5 * 2^52
/** 1/n! for n = 2..13 (each rounded to the nearest double). */
const TAYLOR = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13].map((n) => {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return 1 / f;
});
const [C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, C12, C13] = TAYLOR;

/** POW2[j] = 2^(j - 77) for j in [0, 1077]: 2^(k+1000) for k in [-1077, 0], built exactly. */
const POW2 = (() => {
  const t = new Float64Array(1078);
  t[77] = 1;
  for (let j = 78; j < t.length; j++) t[j] = t[j - 1] * 2;
  for (let j = 76; j >= 0; j--) t[j] = t[j + 1] / 2;
  return t;
})();
const TWO_M1000 = 2 ** -1000;

/** e^x, and e^x - 1, of the last call to expTerms. */
export const expOut = { e: 0, m: 0 };

/** Sets expOut.e = e^x and expOut.m = e^x - 1 for x <= 0 (as described above). */
export function expTerms(x0: number): void {
  const x = x0 < EXP_MIN_X ? EXP_MIN_X : x0;
  if (Number.isNaN(x)) {
    expOut.e = NaN;
    expOut.m = NaN;
    return;
  }
  const kd = x * INV_LN2 + SHIFTER - SHIFTER;
  const r = x - kd * LN2_HI - kd * LN2_LO;
  const r2 = r * r;
  const r4 = r2 * r2;
  // Estrin's scheme (the order the SIMD kernels use: its dependency chains are short).
  const q =
    C2 + r * C3 + r2 * (C4 + r * C5) + r4 * (C6 + r * C7 + r2 * (C8 + r * C9) + r4 * (C10 + r * C11 + r2 * (C12 + r * C13)));
  const p = r + r2 * q;
  const s = POW2[kd + 1077];
  const e = (s + s * p) * TWO_M1000;
  expOut.e = e;
  expOut.m = kd === 0 ? p : e - 1;
}
