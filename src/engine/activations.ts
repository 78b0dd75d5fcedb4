// Activations and their derivatives computed from the pre-activation, not from the activation:
// 1 - tanh(a)^2 and s(1-s) lose all relative accuracy once a unit saturates, and the vanishing
// tails SeqLab reports are made of exactly those factors.

/** tanh(a) and tanh'(a) = sech^2(a), both to a few ulps for every finite a. */
export function tanhAndSlope(a: number, out: Float64Array, i: number, slope: Float64Array, j: number): void {
  const m = Math.expm1(-2 * Math.abs(a)); // e^{-2|a|} - 1, in (-1, 0]
  const d = 2 + m; // 1 + e^{-2|a|}
  const t = -m / d;
  out[i] = a < 0 ? -t : t;
  slope[j] = (4 * (1 + m)) / (d * d);
}

export function tanhSlope(a: number): number {
  const e = Math.exp(-2 * Math.abs(a));
  const d = 1 + e;
  return (4 * e) / (d * d);
}

export function tanhExact(a: number): number {
  const m = Math.expm1(-2 * Math.abs(a));
  const t = -m / (2 + m);
  return a < 0 ? -t : t;
}

/** sigmoid(a). */
export function sigmoid(a: number): number {
  if (a >= 0) return 1 / (1 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1 + e);
}

/** sigmoid'(a) = s(1-s) = e^{-|a|} / (1 + e^{-|a|})^2. */
export function sigmoidSlope(a: number): number {
  const e = Math.exp(-Math.abs(a));
  const d = 1 + e;
  return e / (d * d);
}
