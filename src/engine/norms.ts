// Norms that neither underflow nor overflow when squaring, returned as mantissa * 2^exponent.
import { binaryExponent, ldexp, log10Scaled } from './scaledNumber';
import { maxAbs } from './linalg';

const SAFE_LOW = 2 ** -400;
const SAFE_HIGH = 2 ** 400;

/** log10 of (2^exponent * ||v[off .. off+len)||_2), exact far below float64's range. */
export function log10Norm(v: Float64Array, off: number, len: number, exponent: number): number {
  const m = maxAbs(v, off, len);
  if (m === 0) return -Infinity;
  if (m >= SAFE_LOW && m <= SAFE_HIGH) {
    let s = 0;
    for (let i = off; i < off + len; i++) s += v[i] * v[i];
    return log10Scaled(Math.sqrt(s), exponent);
  }
  const p = binaryExponent(m);
  const k = ldexp(1, -p);
  let s = 0;
  for (let i = off; i < off + len; i++) {
    const x = v[i] * k;
    s += x * x;
  }
  return log10Scaled(Math.sqrt(s), exponent + p);
}

/** Multiplies v by 2^k exactly (parts that fall below float64's range become 0). */
export function scaleByPowerOfTwo(v: Float64Array, off: number, len: number, k: number): void {
  if (k === 0) return;
  let rest = k;
  while (rest !== 0) {
    const step = Math.max(-1000, Math.min(1000, rest));
    const f = 2 ** step;
    for (let i = off; i < off + len; i++) v[i] *= f;
    rest -= step;
  }
}

/**
 * Rescales v so that its largest magnitude lies in [1, 2); returns the power of two taken out
 * (0 for an all-zero v).
 */
export function normalize(v: Float64Array, off: number, len: number): number {
  const m = maxAbs(v, off, len);
  if (m === 0) return 0;
  const p = binaryExponent(m);
  scaleByPowerOfTwo(v, off, len, -p);
  return p;
}
