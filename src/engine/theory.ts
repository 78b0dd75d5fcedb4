// Forward-pass statistics behind the charts' theory overlays: the RNN's per-step factor
// g * sqrt(E[tanh'(a)^2]), the Pascanu-Mikolov-Bengio bound sigma_max(Wh), and the LSTM's mean
// forget gate (the GRU's mean update gate z, its keep gate); and the rates they predict
// (ProbeTheory.rates): the RNN's with the realized gain ||Wh||_F / sqrt(H) rather than the spec's
// whGain (which the article init ignores), the LSTM's cell path from its slowest-forgetting unit.
import type { Dims, ForwardSums, ForwardTrace } from './forward';
import type { Workspace } from './workspace';
import { jsKernels, type Kernels } from './linalg';

export interface ProbeTheory {
  whSpectralNorm: number;
  /** RNN: sqrt(mean tanh'(a)^2) over all steps, rows and units. LSTM: mean forget gate. GRU: mean update gate z. */
  meanSlope: number;
  /** RNN: the realized gain g_eff = ||Wh||_F / sqrt(H) (whGain for the scaled init, about sqrt(H) for the article's); else null. */
  realizedGain: number | null;
  /**
   * The rates these predict, decades per step (log10 of the per-step factor; -Infinity for an
   * exact zero), null where they do not apply:
   * RNN, the large-H mean-field factor g_eff sqrt(E[tanh'(a)^2]), E over every step, row and unit;
   * LSTM, the cell path alone: the time-mean of log10 f of the slowest-forgetting unit (max over rows and units);
   * RNN, the Pascanu-Mikolov-Bengio upper bound gamma sigma_max(Wh), gamma = 1 (tanh' <= 1).
   */
  rates: { meanField: number | null; cellPath: number | null; pmbBound: number | null };
}

/**
 * LSTM, one step: adds log2 f of every row and unit to sums (N, H). f is the coefficient block 5
 * of the step (coef at kOff, rows of 6H), relative to 2^exponent (saturatedSteps.ts), so a forget
 * gate below 1e-308 still adds its exact log.
 */
export function addLogForget(sums: Float64Array, coef: Float64Array, kOff: number, exponent: number, N: number, H: number): void {
  for (let n = 0; n < N; n++) {
    const row = kOff + n * 6 * H + 5 * H;
    for (let u = 0; u < H; u++) sums[n * H + u] += Math.log2(coef[row + u]) + exponent;
  }
}

export function theoryDoubles(d: Dims): number {
  return d.H * d.H + 2 * d.H;
}

export function probeTheory(f: ForwardTrace, sums: ForwardSums, ws: Workspace): ProbeTheory {
  const { T, N, H } = f;
  const count = T * N * H;
  const whSpectralNorm = spectralNormOf(f, ws.take(H * H), ws.take(2 * H));
  if (f.arch === 'rnn') {
    const meanSlope = Math.sqrt(sums.slopeSquares / count);
    const realizedGain = Math.sqrt(f.kernels.sumSquares(f.Wh, 0, H * H, 1) / H);
    return {
      whSpectralNorm,
      meanSlope,
      realizedGain,
      rates: { meanField: Math.log10(realizedGain * meanSlope), cellPath: null, pmbBound: Math.log10(whSpectralNorm) },
    };
  }
  const rates = { meanField: null, cellPath: f.arch === 'lstm' ? slowestForgetting(sums.logForget, T) : null, pmbBound: null };
  return { whSpectralNorm, meanSlope: sums.forgetSum / count, realizedGain: null, rates };
}

/** The largest time-mean of log10 f over rows and units, from their sums of log2 f over T steps. */
function slowestForgetting(logForget: Float64Array, T: number): number {
  let max = -Infinity;
  for (let i = 0; i < logForget.length; i++) max = Math.max(max, logForget[i]);
  return (max / T) * Math.log10(2);
}

/** The power iteration's most products with the gram matrix (what the cost model, probeCost.ts, counts). */
export const SPECTRAL_ITERATIONS = 300;

/** sigma_max(Wh) = sqrt(lambda_max(Wh Wh^T)): power iteration on the small H x H gram matrix. */
function spectralNormOf(f: ForwardTrace, gram: Float64Array, vectors: Float64Array): number {
  const { H, G } = f;
  f.kernels.gramUpper(gram, f.Wh, 0, H, G);
  for (let i = 0; i < H; i++) for (let j = 0; j < i; j++) gram[i * H + j] = gram[j * H + i];
  return Math.sqrt(largestEigenvalue(gram, H, SPECTRAL_ITERATIONS, f.kernels, vectors));
}

/**
 * Largest eigenvalue of a symmetric positive semi-definite n x n matrix, by power iteration. S
 * must be exactly symmetric. With kernels other than the JS ones, S and `vectors` (2n doubles:
 * the iteration's two vectors) must be views into those kernels' arena.
 */
export function largestEigenvalue(
  S: Float64Array,
  n: number,
  iterations = 300,
  kernels: Kernels = jsKernels,
  vectors: Float64Array = new Float64Array(2 * n),
): number {
  let v = vectors.subarray(0, n).fill(1 / Math.sqrt(n));
  let next = vectors.subarray(n, 2 * n);
  let lambda = 0;
  for (let it = 0; it < iterations; it++) {
    kernels.symv(S, n, v, next);
    let norm = 0;
    for (let i = 0; i < n; i++) norm += next[i] * next[i];
    norm = Math.sqrt(norm);
    if (norm === 0) return 0;
    for (let i = 0; i < n; i++) next[i] /= norm;
    [v, next] = [next, v];
    // A chart overlay: nine digits are plenty.
    if (Math.abs(norm - lambda) <= 1e-9 * norm) return norm;
    lambda = norm;
  }
  return lambda;
}
