// Norms that neither underflow nor overflow when squaring, returned as mantissa * 2^exponent.
import { binaryExponent, ldexp, log10Scaled } from './scaledNumber';
import { jsKernels, type Kernels } from './linalg';

const SAFE_LOW = 2 ** -400;
const SAFE_HIGH = 2 ** 400;

// Each function takes the kernels to run on (a workspace's, whose views v must then be; plain
// JS by default, for any Float64Array).

/** log10 of (2^exponent * ||v[off .. off+len)||_2), exact far below float64's range. */
export function log10Norm(v: Float64Array, off: number, len: number, exponent: number, kernels: Kernels = jsKernels): number {
  const m = kernels.maxAbs(v, off, len);
  if (m === 0) return -Infinity;
  if (m >= SAFE_LOW && m <= SAFE_HIGH) {
    return log10Scaled(Math.sqrt(kernels.sumSquares(v, off, len, 1)), exponent);
  }
  const p = binaryExponent(m);
  return log10Scaled(Math.sqrt(kernels.sumSquares(v, off, len, ldexp(1, -p))), exponent + p);
}

/** Multiplies v by 2^k exactly (parts that fall below float64's range become 0). */
export function scaleByPowerOfTwo(v: Float64Array, off: number, len: number, k: number, kernels: Kernels = jsKernels): void {
  let rest = k;
  while (rest !== 0) {
    const step = Math.max(-1000, Math.min(1000, rest));
    kernels.scale(v, off, len, 2 ** step);
    rest -= step;
  }
}

/**
 * Rescales v so that its largest magnitude lies in [1, 2); returns the power of two taken out
 * (0 for an all-zero v).
 */
export function normalize(
  v: Float64Array, off: number, len: number, kernels: Kernels = jsKernels,
  /** maxAbs(v, off, len), when the caller already has it. */
  m = kernels.maxAbs(v, off, len),
): number {
  if (m === 0) return 0;
  const p = binaryExponent(m);
  scaleByPowerOfTwo(v, off, len, -p, kernels);
  return p;
}
