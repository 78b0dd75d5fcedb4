// Bit-exact port of glibc 2.36's log() as it runs on x86_64 with FMA+AVX2.
//
// Why: numpy's legacy Gaussian (RandomState.standard_normal, Marsaglia polar method)
// computes f = sqrt(-2.0 * log(r2) / r2) with the C library's log(). To reproduce
// numpy streams bit-for-bit we need the *same* log: V8's Math.log (fdlibm-derived)
// differs from glibc in the last bit for ~7% of inputs.
//
// What: glibc 2.36 log() is ARM optimized-routines' sysdeps/ieee754/dbl-64/e_log.c
// (+ e_log_data.c). On x86_64 the libm ifunc selects __log_fma (built with
// -mfma -mavx2, GCC default -ffp-contract=fast), so several a*b+c expressions are
// fused. The sequence below was transcribed instruction by instruction from
// `objdump -d` of this machine's /lib/x86_64-linux-gnu/libm.so.6 (Debian
// 2.36-9+deb12u14; ifunc for log at 0x2ad10 resolves to the code at 0x6eda0), and
// every constant was read from that file's .rodata (__log_data at 0xab3a0:
// ln2hi, ln2lo, poly[5], poly1[11], tab[128] at 0xab430). Each fused instruction
// (vfmadd*/vfnmadd*) is an exactly emulated fma() call in glibcLogExact, except where
// its product is exact (noted inline) and one plain rounding is provably identical;
// every other operation is a plain IEEE double op, as in the machine code.
//
// Speed: emulating each fma exactly costs ~20 ns, so glibcLog runs a fast path first
// (~15 ns per call vs ~160 ns for glibcLogExact alone) and falls back to the full
// emulation only when it cannot prove its result equal (~0.1% of inputs in (0,1)):
//  - r = fma(z, invc, -1) is reproduced exactly with a Dekker product (see
//    logTableFast); every other value glibc's last addition depends on, except the
//    small correction y, comes from plain IEEE operations we repeat verbatim;
//  - y is evaluated with plain operations, and a rigorous bound E on its deviation
//    from glibc's fused y decides whether the final rounding is certain (Ziv's
//    rounding test; E is derived under "Rounding-test bounds" below).
// Verified against CPython's math.log (same glibc) on 7.7M inputs (6.05M in (0,1):
// uniform, log-uniform down to 1e-300, the near-1 path, numpy polar r2 values; 1M in
// (1, 1e300); 0.76M edge cases incl. subnormals): 0 mismatches for glibcLog and for
// glibcLogExact.

import { LOG_TABLE, LOG_TABLE_N } from './glibcLogTable';

// __log_data.ln2hi / ln2lo (0x1.62e42fefa3800p-1, 0x1.ef35793c76730p-45)
const LN2HI = 0.6931471805598903;
const LN2LO = 5.497923018708371e-14;
// __log_data.poly (A[0..4]) for the table path:
// -0x1.0000000000001p-1, 0x1.555555551305bp-2, -0x1.fffffffeb4590p-3,
// 0x1.999b324f10111p-3, -0x1.55575e506c89fp-3
const A0 = -0.5000000000000001;
const A1 = 0.33333333331825593;
const A2 = -0.2499999999622955;
const A3 = 0.20000304511814496;
const A4 = -0.16667054827627667;
// __log_data.poly1 (B[0..10]) for the near-1 path:
// -0x1p-1, 0x1.5555555555577p-2, -0x1.ffffffffffdcbp-3, 0x1.999999995dd0cp-3,
// -0x1.55555556745a7p-3, 0x1.24924a344de30p-3, -0x1.fffffa4423d65p-4,
// 0x1.c7184282ad6cap-4, -0x1.999eb43b068ffp-4, 0x1.78182f7afd085p-4,
// -0x1.5521375d145cdp-4
const B0 = -0.5;
const B1 = 0.3333333333333352;
const B2 = -0.24999999999998432;
const B3 = 0.19999999999320328;
const B4 = -0.16666666669929706;
const B5 = 0.14285715076560868;
const B6 = -0.12499997863982555;
const B7 = 0.11110712032936046;
const B8 = -0.10000486757818193;
const B9 = 0.09181994006195467;
const B10 = -0.08328363062289341;

const TWO27 = 134217728; // 0x1p27, splitting constant used by the near-1 path
const TWO52 = 4503599627370496; // 0x1p52, subnormal normalisation

// The near-1 path is taken for x in [1 - 0x1p-4, 1 + 0x1.09p-4), i.e. when
// (ix - 0x3fee000000000000) < 0x0003090000000000 as unsigned 64-bit. Both bounds
// have a zero low word, so this is a comparison of high words.
const NEAR1_LO_HI = 0x3fee0000;
const NEAR1_RANGE_HI = 0x00030900;
// OFF = 0x3fe6000000000000: log(x) = k*ln2 + log(c) + log(z/c), z in [OFF, 2*OFF).
const OFF_HI = 0x3fe60000;

// Scratch buffer for reinterpreting doubles as two 32-bit words.
// Int32Array rather than Uint32Array keeps every word a small integer for V8.
const f64 = new Float64Array(1);
const i32 = new Int32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

const SPLIT = 134217729; // 2^27 + 1, Veltkamp splitter

// Table for the fast path, 4 doubles per entry: [invc, ch, cl, logc] with invc = ch + cl
// its Veltkamp split (26 + 26 bits), so that z*invc can be formed exactly (Dekker).
const TAB = new Float64Array(4 * LOG_TABLE_N);
for (let j = 0; j < LOG_TABLE_N; j++) {
  const invc = LOG_TABLE[2 * j];
  const t = SPLIT * invc;
  const ch = t - (t - invc);
  TAB[4 * j] = invc;
  TAB[4 * j + 1] = ch;
  TAB[4 * j + 2] = invc - ch;
  TAB[4 * j + 3] = LOG_TABLE[2 * j + 1];
}
// POW2_NEG[k + POW2_NEG_BIAS] = 2^-k for the exponents k in [-1022, 1024] of positive
// normal x, so z = x * 2^-k exactly (2^-1024 and 2^-1023 are subnormal but exact).
const POW2_NEG_BIAS = 1022;
const POW2_NEG = new Float64Array(2047);
for (let j = 0, v = 1; j <= 1022; j++, v *= 2) POW2_NEG[POW2_NEG_BIAS - j] = v; // k = -j
for (let j = 1, v = 0.5; j <= 1024; j++, v *= 0.5) POW2_NEG[POW2_NEG_BIAS + j] = v;

// Rounding-test bounds of the fast path. y is what glibc adds to hiPart last; ours is
// computed with plain operations, glibc's with fused ones. u = 2^-53. We need a
// computed E with E - u*|y -/+ E| >= |y_ours - y_glibc| (so that RN(y -/+ E) still
// brackets y_glibc); the constants below exceed the derived bounds by a factor >= 2.
// (Empirically, over the 7.7M verification inputs, |y_ours - y_glibc| < E/4.)
//
// Table path (|r| < 2^-8.0 over all 128 bins, |k| <= 1024 for normal x,
// |lo0| <= ulp(hiPart)/2 <= 2^-43.5, so |lo1| = |lo0 + k*ln2lo| < 2^-33.9). Per step,
// |ours - glibc| is at most (each side within half an ulp of its exact operation):
//   q1 = A1 + r*A2 ~ 1/3:       2^-54 (+ u|r*A2|)
//   qa = A3 + r*A4 ~ 0.2:       2^-55 (+ tiny)
//   q  = q1 + r2*qa:            dq1 + r2*dqa + 2*2^-55 <= 2^-53 (+ tiny)
//   lo1 = lo0 + k*ln2lo:        u*2^-34 + 2u*2^-33.9 <= 2^-85.3
//   lo2 = lo1 + r2*A0:          dlo1 + u*r2/2 + 2u*(r2/2 + 2^-33.9) <= 2^-52.4*r2 + 2^-84.6
//   y   = lo2 + r3*q:           dlo2 + |r3|*dq + u|r3*q| + 2u|y|, |y| <= 0.503*r2 + 2^-33.9
// total <= 2^-51.6*r2 + 2^-84, and E = 2^-50*r2 + 2^-82.
//
// Near-1 path (r = x - 1, |r| <= 0x1.09p-4 < 2^-3.9). glibc's p ~ 1/3 takes 9 fused
// steps, ours 9 plain adds plus products; at the three magnitude levels (~0.11, ~0.17,
// ~1/3: 3 roundings each side of 2^-57, 2^-56, 2^-55) this gives |p_ours - p_glibc|
// <= 2^-52.37. Then y = lo1 + p*r3, lo1 = lo0 + ab with |lo0| <= 2^-53*1.04*|r| and
// ab = B0*rlo*(rhi + r), |rlo| <= 2^-25*|r| (rhi is r rounded to 26 bits), |ab| <= 2^-25*r^2:
//   |r3|*dp + u|p*r3| + 2u*0.35*|r3|               <= 2^-51.5*|r3|
//   dlo1 + 2u|lo1| <= u|ab| + 4u|lo1| <= 5u|ab| + 4u|lo0| <= 2^-75.6*r^2 + 2^-103.9*|r|
// total <= |r| * (2^-51.5*r2 + 2^-79.4)   (r^2 <= 2^-3.9*|r|), and
// E = |r| * (2^-50*r2 + 2^-78).
// (The fast paths spell these and the polynomial constants as literals, see there.)

/**
 * Correctly rounded fma(a, b, c) = RN(a*b + c), for finite arguments where nothing
 * overflows and the product's rounding error is not subnormal. That holds for every
 * call glibcLogExact makes on 0 < x < 1: operands are bounded by ~2^11 and the smallest
 * nonzero ones are ~2^-320, far from the subnormal range (2^-1022).
 *
 * Boldo & Melquiond, "Emulation of a FMA and correctly-rounded sums: proved
 * algorithms using rounding to odd", IEEE Trans. Computers 57(4), 2008:
 *   (ph, pl) = ExactMult(a, b)     Dekker/Veltkamp: ph + pl == a*b exactly
 *   (th, tl) = ExactAdd(c, ph)     Knuth TwoSum:    th + tl == c + ph exactly
 *   v        = RO(tl + pl)         rounded to odd
 *   result   = RN(th + v)
 * The round-to-odd step is split out (it only runs when tl + pl is inexact) to
 * keep this function's bytecode small for V8's inliner.
 */
export function fma(a: number, b: number, c: number): number {
  const ph = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const pl = ah * bh - ph + ah * bl + al * bh + al * bl;
  const th = c + ph;
  let z = th - c;
  const tl = c - (th - z) + (ph - z);
  const s = tl + pl; // RN(tl + pl), with exact error e:
  z = s - tl;
  const e = tl - (s - z) + (pl - z);
  return th + (e === 0 ? s : roundToOdd(s, e));
}

/**
 * RO(s + e) where s = RN(s + e) and e != 0 is the (exact) rounding error: keep s
 * if its significand is odd, else step one ulp towards e (onto the odd
 * neighbour). s != 0 here: a nonzero exact sum only rounds to 0 by underflow.
 */
function roundToOdd(s: number, e: number): number {
  f64[0] = s;
  const lo = i32[LO];
  if ((lo & 1) !== 0) return s;
  if (s > 0 === e > 0) {
    i32[LO] = lo + 1; // magnitude up; the low bit was 0, so no carry
  } else {
    i32[LO] = lo - 1; // magnitude down (typed-array stores wrap modulo 2^32)
    if (lo === 0) i32[HI] = i32[HI] - 1; // borrow
  }
  return f64[0];
}

/**
 * log(x) bit-identical to glibc 2.36 __log_fma (x86_64). Exact for every finite
 * x > 0 (normal and subnormal) and the special values; used with 0 < x < 1.
 * Kept tiny so that V8 inlines it and then the (~360-byte) table path.
 */
export function glibcLog(x: number): number {
  f64[0] = x;
  const hi = i32[HI];
  // Near-1 path: x in [1 - 0x1p-4, 1 + 0x1.09p-4) (NEAR1_LO_HI, NEAR1_RANGE_HI).
  if ((hi - 0x3fee0000) >>> 0 < 0x00030900) return logNear1Fast(x);
  // Positive normal x: biased exponent field (hi >>> 20, sign included) in [1, 0x7fe].
  if (((hi >>> 20) - 1) >>> 0 >= 0x7fe) return glibcLogExact(x);
  return logTableFast(x, hi);
}

// The fast paths below write glibc's constants as numeric literals (names in the
// comments) so that V8 embeds them in optimized code instead of loading and
// TDZ-checking module bindings; this also keeps their bytecode under V8's inlining
// limit. Evaluation order follows glibc's where the result must be identical.

/**
 * Fast table path for positive normal x outside the near-1 range (hi = high word of
 * x): log(x) = k*ln2 + log(c) + log1p(z/c - 1), x = 2^k * z. glibc's result is
 * RN(hiPart + y); hiPart is reproduced exactly, y approximately (within E, see
 * "Rounding-test bounds" above). If hiPart + (y - E) and hiPart + (y + E) round to the same
 * double, RN(hiPart + .) being monotone, that double is glibc's result.
 */
function logTableFast(x: number, hi: number): number {
  // tmp = ix - OFF; i = (tmp >> 45) % N (times 4: TAB stride); k = (int64)tmp >> 52.
  const tmpHi = (hi - 0x3fe60000) | 0; // OFF_HI
  const i = (tmpHi >>> 11) & 0x1fc;
  const k = tmpHi >> 20;
  const z = x * POW2_NEG[k + 1022]; // x / 2^k, exact; POW2_NEG_BIAS = 1022
  const invc = TAB[i];
  // r = fma(z, invc, -1): Dekker's exact product z*invc = ph + pl (invc pre-split into
  // ch + cl, z split here with 2^27 + 1); ph is in [0.5, 2], so ph - 1 is exact
  // (Sterbenz) and one rounding of (ph - 1) + pl is the correctly rounded z*invc - 1.
  const ph = z * invc;
  const t = z * 134217729;
  const zh = t - (t - z);
  const zl = z - zh;
  const ch = TAB[i + 1];
  const cl = TAB[i + 2];
  const r = ph - 1.0 + (zh * ch - ph + zh * cl + zl * ch + zl * cl);
  // w = k*LN2HI + logc: as in logTable (exact product, one rounding).
  const w = k * 0.6931471805598903 + TAB[i + 3];
  const hiPart = r + w;
  const r2 = r * r;
  const r3 = r * r2;
  // lo0 = w - hiPart + r, exactly as glibc; then glibc computes, fused,
  //   y = fma(r3, fma(fma(r, A4, A3), r2, fma(r, A2, A1)), fma(r2, A0, fma(k, LN2LO, lo0)))
  // LN2LO = 5.497923018708371e-14, A0 = -0.5000000000000001, A1 = 0.33333333331825593,
  // A2 = -0.2499999999622955, A3 = 0.20000304511814496, A4 = -0.16667054827627667.
  const y =
    w -
    hiPart +
    r +
    k * 5.497923018708371e-14 +
    r2 * -0.5000000000000001 +
    r3 * (0.33333333331825593 + r * -0.2499999999622955 + r2 * (0.20000304511814496 + r * -0.16667054827627667));
  const e = r2 * 8.881784197001252e-16 + 2.0679515313825692e-25; // E = 2^-50*r2 + 2^-82
  if (hiPart + (y - e) === hiPart + (y + e)) return hiPart + y;
  return glibcLogExact(x);
}

/**
 * Fast near-1 path, x in [1 - 0x1p-4, 1 + 0x1.09p-4): glibc's result is RN(hiPart + y)
 * with the same rounding test as logTableFast (E: "Rounding-test bounds" above). r = x - 1 is
 * exact (Sterbenz); x == 1 gives +0 throughout, like glibc's explicit return 0.
 */
function logNear1Fast(x: number): number {
  const r = x - 1.0;
  const r2 = r * r;
  const r3 = r * r2;
  // glibc (fused, see logNear1):
  //   p = B1 + r*B2 + r2*B3 + r3*(B4 + r*B5 + r2*B6 + r3*(B7 + r*B8 + r2*B9 + r3*B10))
  // B1 = 0.3333333333333352, B2 = -0.24999999999998432, B3 = 0.19999999999320328,
  // B4 = -0.16666666669929706, B5 = 0.14285715076560868, B6 = -0.12499997863982555,
  // B7 = 0.11110712032936046, B8 = -0.10000486757818193, B9 = 0.09181994006195467,
  // B10 = -0.08328363062289341.
  const p =
    0.3333333333333352 +
    r * -0.24999999999998432 +
    r2 * 0.19999999999320328 +
    (-0.16666666669929706 +
      r * 0.14285715076560868 +
      r2 * -0.12499997863982555 +
      (0.11110712032936046 + r * -0.10000486757818193 + r2 * 0.09181994006195467 + r3 * -0.08328363062289341) * r3) *
      r3;
  // Exactly as glibc (its fused products here are exact, see logNear1); B0 = -0.5,
  // TWO27 = 134217728.
  const w = r * 134217728;
  const rhi = r + w - w;
  const rlo = r - rhi;
  const rr = rhi * rhi * -0.5;
  const hiPart = r + rr;
  // lo0 = r - hiPart + rr exactly as glibc, then glibc: lo1 = fma(B0*rlo, rhi + r, lo0),
  // y = fma(p, r3, lo1).
  const y = r - hiPart + rr + -0.5 * rlo * (rhi + r) + p * r3;
  // E = |r| * (2^-50*r2 + 2^-78)
  const e = (r < 0 ? -r : r) * (r2 * 8.881784197001252e-16 + 3.308722450212111e-24);
  if (hiPart + (y - e) === hiPart + (y + e)) return hiPart + y;
  return logNear1(x);
}

/**
 * The complete emulation of __log_fma, every fused operation emulated exactly.
 * Exported for tests; glibcLog uses it for special inputs, subnormals and the rare
 * inputs whose fast-path rounding test is inconclusive.
 */
export function glibcLogExact(x: number): number {
  f64[0] = x;
  const hi = i32[HI];
  const lo = i32[LO];
  // Near-1 path: x in [1 - 0x1p-4, 1 + 0x1.09p-4).
  if ((hi - NEAR1_LO_HI) >>> 0 < NEAR1_RANGE_HI) return x === 1 ? 0 : logNear1(x);
  // top = ix >> 48; special inputs: top - 0x0010 >= 0x7ff0 - 0x0010.
  const top = hi >>> 16;
  if ((top - 0x0010) >>> 0 <= 0x7fdf) return logTable(hi, lo);
  if (x === 0) return -Infinity; // +-0 (glibc also raises divide-by-zero)
  if (x === Infinity) return Infinity;
  if (x !== x || (top & 0x8000) !== 0) return NaN; // NaN or negative (invalid)
  // Subnormal: normalise with x * 2^52 (exact), then ix -= 52 << 52. The resulting
  // bit pattern is only consumed through the integer arithmetic in logTable.
  f64[0] = x * TWO52;
  return logTable((i32[HI] - 0x03400000) | 0, i32[LO]);
}

/**
 * Table path: log(x) = k*ln2 + log(c) + log1p(z/c - 1) with x = 2^k * z, where the
 * bit pattern of x is (hi:lo); hi may have wrapped (subnormal inputs).
 * Machine code at libm 0x6eddb..0x6ee97.
 */
function logTable(hi: number, lo: number): number {
  // tmp = ix - OFF; i = (tmp >> 45) % N; k = (int64)tmp >> 52;
  // iz = ix - (tmp & 0xfff << 52). OFF has a zero low word, so only hi changes.
  const tmpHi = (hi - OFF_HI) | 0;
  const i = (tmpHi >>> 13) & (LOG_TABLE_N - 1);
  const k = tmpHi >> 20;
  i32[HI] = hi - (tmpHi & 0xfff00000);
  i32[LO] = lo;
  const z = f64[0];
  const invc = LOG_TABLE[2 * i];
  const logc = LOG_TABLE[2 * i + 1];

  // w = k*ln2hi + logc is a vfmadd in the binary, but k*ln2hi is exact (|k| < 2^11,
  // ln2hi has 42 significant bits), so one plain rounding gives the same result.
  const w = k * LN2HI + logc;
  const r = fma(z, invc, -1.0); // z/c - 1, the reason glibc needs FMA here
  const q1 = fma(r, A2, A1); // A1 + r*A2
  const hiPart = r + w;
  const r2 = r * r;
  let loPart = w - hiPart + r;
  loPart = fma(k, LN2LO, loPart); // lo = w - hi + r + k*ln2lo
  const r3 = r * r2;
  let q = fma(r, A4, A3); // A3 + r*A4
  loPart = fma(r2, A0, loPart); // lo + r2*A0
  q = fma(q, r2, q1); // A1 + r*A2 + r2*(A3 + r*A4)
  const y = fma(r3, q, loPart); // lo + r2*A0 + r3*q
  return y + hiPart;
}

/** Near-1 path, x in [1 - 0x1p-4, 1 + 0x1.09p-4), x != 1. Machine code at 0x6eeb3..0x6ef72. */
function logNear1(x: number): number {
  const r = x - 1.0;
  const r2 = r * r;
  let p2 = fma(r, B2, B1);
  let p5 = fma(r, B5, B4);
  const p8 = fma(r, B8, B7);
  p2 = fma(r2, B3, p2); // B1 + r*B2 + r2*B3
  p5 = fma(r2, B6, p5); // B4 + r*B5 + r2*B6
  const r3 = r * r2;
  let p = fma(r2, B9, p8); // B7 + r*B8 + r2*B9
  p = fma(r3, B10, p);
  p = fma(p, r3, p5);
  p = fma(p, r3, p2); // y = r3 * p
  // The binary fuses the next three expressions too, but each product is exact
  // (a multiplication by 2^27 or by B0 = -0.5), so plain operations are identical:
  //   rhi = fma(-2^27, r, fma(r, 2^27, r)) == r + w - w with w = r*2^27
  //   hi  = fma(rhi*rhi, B0, r)            == r + rhi*rhi*B0
  //   lo  = fma(rhi*rhi, B0, r - hi)       == r - hi + rhi*rhi*B0
  const w = r * TWO27;
  const rhi = r + w - w;
  const rlo = r - rhi;
  const rr = rhi * rhi * B0;
  const hiPart = r + rr;
  let loPart = r - hiPart + rr;
  loPart = fma(B0 * rlo, rhi + r, loPart); // lo += B0*rlo*(rhi + r)
  const y = fma(p, r3, loPart); // y = r3*p + lo
  return hiPart + y;
}
