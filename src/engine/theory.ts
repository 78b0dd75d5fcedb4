// Forward-pass statistics behind the charts' theory overlays: the RNN's per-step factor
// g * sqrt(E[tanh'(a)^2]), the Pascanu-Mikolov-Bengio bound sigma_max(Wh), and the LSTM's mean
// forget gate.
import type { Dims, ForwardTrace } from './forward';
import type { Workspace } from './workspace';
import { jsKernels, type Kernels } from './linalg';

export interface ProbeTheory {
  whSpectralNorm: number;
  /** RNN: sqrt(mean tanh'(a)^2) over all steps, rows and units. LSTM: mean forget gate. */
  meanSlope: number;
}

export function theoryDoubles(d: Dims): number {
  return d.H * d.H + 2 * d.H;
}

export function probeTheory(f: ForwardTrace, ws: Workspace): ProbeTheory {
  const { T, N, H, kernels } = f;
  const count = T * N * H;
  const whSpectralNorm = spectralNormOf(f, ws.take(H * H), ws.take(2 * H));
  if (f.arch === 'rnn') {
    return { whSpectralNorm, meanSlope: Math.sqrt(kernels.sumSquares(f.slope, 0, count, 1) / count) };
  }
  return { whSpectralNorm, meanSlope: f.forgetSum / count };
}

/** sigma_max(Wh) = sqrt(lambda_max(Wh Wh^T)): power iteration on the small H x H gram matrix. */
function spectralNormOf(f: ForwardTrace, gram: Float64Array, vectors: Float64Array): number {
  const { H, G } = f;
  f.kernels.gramUpper(gram, f.Wh, 0, H, G);
  for (let i = 0; i < H; i++) for (let j = 0; j < i; j++) gram[i * H + j] = gram[j * H + i];
  return Math.sqrt(largestEigenvalue(gram, H, 300, f.kernels, vectors));
}

/**
 * Largest eigenvalue of a symmetric positive semi-definite n x n matrix, by power iteration. S
 * must be exactly symmetric. With kernels other than the JS ones, S and `vectors` (2n doubles:
 * the iteration's two vectors) must be views into those kernels' arena.
 */
export function largestEigenvalue(
  S: Float64Array, n: number, iterations = 300, kernels: Kernels = jsKernels, vectors: Float64Array = new Float64Array(2 * n),
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
