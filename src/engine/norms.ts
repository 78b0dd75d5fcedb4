// Norms that neither underflow nor overflow when squaring, returned as mantissa * 2^exponent.
import { binaryExponent, ldexp, log10Scaled } from './scaledNumber';
import { jsKernels, type Kernels } from './linalg';

const SAFE_LOW = 2 ** -400;
const SAFE_HIGH = 2 ** 400;

/** Whether values of largest magnitude m (nonzero) can be squared and summed as they are. */
export function squaresSafely(m: number): boolean {
  return m >= SAFE_LOW && m <= SAFE_HIGH;
}

// Each function takes the kernels to run on (a workspace's, whose views v must then be; plain
// JS by default, for any Float64Array).

/** ||v[off .. off+len)||_2 = out.m * 2^out.k, out.m = 0 for an all-zero v. */
export function normSplit(
  v: Float64Array,
  off: number,
  len: number,
  out: { m: number; k: number },
  kernels: Kernels = jsKernels,
): void {
  const m = kernels.maxAbs(v, off, len);
  if (m === 0 || squaresSafely(m)) {
    out.m = m === 0 ? 0 : Math.sqrt(kernels.sumSquares(v, off, len, 1));
    out.k = 0;
    return;
  }
  const p = binaryExponent(m);
  out.m = Math.sqrt(kernels.sumSquares(v, off, len, ldexp(1, -p)));
  out.k = p;
}

const norm = { m: 0, k: 0 };

/** log10 of (2^exponent * ||v[off .. off+len)||_2), exact far below float64's range. */
export function log10Norm(v: Float64Array, off: number, len: number, exponent: number, kernels: Kernels = jsKernels): number {
  normSplit(v, off, len, norm, kernels);
  return log10Scaled(norm.m, exponent + norm.k);
}

/** A norm as a plain double (0 below float64's range, Infinity above it) and as its exact log10. */
export interface NormValue {
  plain: number;
  log10: number;
}

/** 2^exponent * ||v[off .. off+len)||_2 as a NormValue. */
export function normValue(v: Float64Array, off: number, len: number, exponent: number, kernels: Kernels = jsKernels): NormValue {
  normSplit(v, off, len, norm, kernels);
  return { plain: ldexp(norm.m, exponent + norm.k), log10: log10Scaled(norm.m, exponent + norm.k) };
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
  v: Float64Array,
  off: number,
  len: number,
  kernels: Kernels = jsKernels,
  /** maxAbs(v, off, len), when the caller already has it. */
  m = kernels.maxAbs(v, off, len),
): number {
  if (m === 0) return 0;
  const p = binaryExponent(m);
  scaleByPowerOfTwo(v, off, len, -p, kernels);
  return p;
}
