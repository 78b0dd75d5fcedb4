// Decay-rate fits on log10 norms.

// The slope and the horizon are the shared ones (zeros are -Infinity there): the Summary view and
// `seqlab summary` read curves the same way.
export { fitSlope, horizon, HORIZON_DECADES } from '../../../contract/decaySummary';

/** log10(sigmoid(b)), stable for large |b|. */
export function log10Sigmoid(b: number): number {
  // log sigmoid(b) = -log(1 + e^-b) = -softplus(-b)
  const softplus = (z: number): number => (z > 30 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
  return -softplus(-b) / Math.LN10;
}
