// Forward-pass statistics behind the charts' theory overlays: the RNN's per-step factor
// g * sqrt(E[tanh'(a)^2]), the Pascanu-Mikolov-Bengio bound sigma_max(Wh), and the LSTM's mean
// forget gate.
import type { ForwardTrace } from './forward';

export interface ProbeTheory {
  whSpectralNorm: number;
  /** RNN: sqrt(mean tanh'(a)^2) over all steps, rows and units. LSTM: mean forget gate. */
  meanSlope: number;
}

export function probeTheory(f: ForwardTrace): ProbeTheory {
  const { T, N, H, G } = f;
  let sum = 0;
  if (f.arch === 'rnn') {
    for (let i = 0; i < T * N * H; i++) sum += f.slope[i] * f.slope[i];
    return { whSpectralNorm: spectralNorm(f.Wh, H, G), meanSlope: Math.sqrt(sum / (T * N * H)) };
  }
  for (let r = 0; r < T * N; r++) for (let j = 0; j < H; j++) sum += f.act[r * G + H + j];
  return { whSpectralNorm: spectralNorm(f.Wh, H, G), meanSlope: sum / (T * N * H) };
}

/** Largest singular value of W (rows x cols) by power iteration on W^T W. */
export function spectralNorm(W: Float64Array, rows: number, cols: number, iterations = 100): number {
  let v = new Float64Array(cols).fill(1 / Math.sqrt(cols));
  const u = new Float64Array(rows);
  let sigma = 0;
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += W[i * cols + j] * v[j];
      u[i] = s;
    }
    const next = new Float64Array(cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) next[j] += W[i * cols + j] * u[i];
    let norm = 0;
    for (let j = 0; j < cols; j++) norm += next[j] * next[j];
    norm = Math.sqrt(norm);
    if (norm === 0) return 0;
    const estimate = Math.sqrt(norm);
    for (let j = 0; j < cols; j++) next[j] /= norm;
    v = next;
    // A chart overlay: nine digits are plenty.
    if (Math.abs(estimate - sigma) <= 1e-9 * estimate) return estimate;
    sigma = estimate;
  }
  return sigma;
}
