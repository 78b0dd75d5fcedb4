// Numbers far below float64's range, kept as mantissa * 2^exponent. Backprop through a fixed
// forward pass is linear in the upstream gradient, so the backward state can be renormalized by
// powers of two (exactly) and the exponent carried on the side.

// log10(2) split so that exponent * LOG10_2_HI is exact for |exponent| < 2^21.
const LOG10_2_HI = 0.3010299955494702; // 32 significant bits
const LOG10_2_LO = 1.1451100898021838e-10;

/** log10(mantissa * 2^exponent) to within about one rounding of the result. */
export function log10Scaled(mantissa: number, exponent: number): number {
  if (mantissa === 0) return -Infinity;
  return exponent * LOG10_2_HI + (Math.log10(mantissa) + exponent * LOG10_2_LO);
}

/** mantissa * 2^exponent as a plain double (0 when it underflows, Infinity when it overflows). */
export function ldexp(mantissa: number, exponent: number): number {
  let m = mantissa;
  let e = exponent;
  // 2^e itself may be out of range while the product is not: apply it in safe chunks.
  while (e > 1000) {
    m *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    m *= 2 ** -1000;
    e += 1000;
    if (m === 0) return 0;
  }
  return m * 2 ** e;
}

/** The plain double for an exact log10 value (0 for -Infinity or below float64's range, Infinity above it). */
export function fromLog10(log10: number): number {
  return log10 === -Infinity ? 0 : 10 ** log10;
}

/** Exponent p such that max * 2^-p lies in [1, 2). */
export function binaryExponent(max: number): number {
  let p = Math.floor(Math.log2(max));
  // Math.log2 can be off by one next to powers of two.
  const m = ldexp(max, -p);
  if (m >= 2) p += 1;
  else if (m < 1) p -= 1;
  return p;
}
