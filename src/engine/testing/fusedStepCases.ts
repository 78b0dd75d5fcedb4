// The probes the fused steps are held to their JS twins on (fusedLossStep.test.ts,
// fusedForwardStep.test.ts): every route of their products, and the cases where the JS steps
// rescale, fall back, or take a step over themselves.
import type { ProbeConfigInput } from '../probeConfig';

export const FUSED_STEP_CASES: readonly ProbeConfigInput[] = [
  // The standard sweep's shape: the gram route, weights packed (N 5..63).
  { arch: 'rnn', T: 40, N: 16, D: 16, H: 64, seed: 1 },
  { arch: 'lstm', T: 40, N: 16, D: 16, H: 64, seed: 2, forgetBias: 2 },
  // Batches of 1 to 4: the products read the weights row by row or their transpose as dot products.
  { arch: 'lstm', T: 30, N: 3, D: 5, H: 7, seed: 3 },
  { arch: 'rnn', T: 30, N: 1, D: 3, H: 5, seed: 4 },
  { arch: 'lstm', T: 12, N: 2, D: 40, H: 30, seed: 6 },
  // 64 rows or more: unpacked through the blocked product; the direct route (no gram).
  { arch: 'lstm', T: 20, N: 70, D: 4, H: 9, seed: 5 },
  { arch: 'rnn', T: 20, N: 80, D: 2, H: 3, seed: 7 },
  // The exactness cases of issue 9: tiny h (the gram rows rescaled), saturated units, overflow.
  { arch: 'rnn', T: 3, N: 1, D: 3, H: 2, seed: 1, h0Scale: 1e-170 },
  { arch: 'lstm', T: 30, N: 1, D: 1, H: 1, seed: 25, bScale: 100 },
  { arch: 'rnn', T: 10, N: 1, D: 1, H: 1, seed: 1, whGain: 100, h0Scale: 100, bScale: 100 },
  { arch: 'rnn', T: 400, N: 2, D: 3, H: 64, seed: 10, whGain: 3, h0Scale: 1 },
  // Saturation checks every step (large weights), saturated LSTM steps, cells past the rescale bound.
  { arch: 'lstm', T: 50, N: 2, D: 3, H: 20, seed: 11, whGain: 5, bScale: 20 },
  { arch: 'lstm', T: 400, N: 2, D: 3, H: 8, seed: 12, forgetBias: 40 },
];
