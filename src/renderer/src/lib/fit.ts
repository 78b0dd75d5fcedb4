// Decay-rate fits on log10 norms.

// The slope and the horizon are the shared ones (zeros are -Infinity there): the Summary view and
// `seqlab summary` read curves the same way.
export { fitSlope, horizon, HORIZON_DECADES } from '../../../contract/decaySummary';
