// Builds a probe's inputs from its seed, in the draw order of the article's numpy recipe.
import { NumpyRandomState } from './rng/numpyRandomState';
import { gateWidth, type ProbeConfig } from './probeConfig';

/** Arrays in numpy's C order, exactly as drawn (x is (N,T,D), dout is (N,T,H)). */
export interface ProbeInputs {
  x: Float64Array;
  h0: Float64Array;
  Wx: Float64Array;
  Wh: Float64Array;
  b: Float64Array;
  dout: Float64Array;
}

/**
 * Draws the inputs. With `doutStep`, only dout[:, doutStep, :] is evaluated (the rest of dout is
 * skipped in the stream and left 0): all a single-loss probe reads, at a fraction of the cost.
 */
export function buildInputs(config: ProbeConfig, doutStep?: number): ProbeInputs {
  const { N, T, D, H, arch } = config;
  const G = gateWidth(arch, H);
  const rs = new NumpyRandomState(config.seed);
  const x = rs.fillGauss(new Float64Array(N * T * D));
  const h0 = rs.fillGauss(new Float64Array(N * H));
  const Wx = rs.fillGauss(new Float64Array(D * G));
  const Wh = rs.fillGauss(new Float64Array(H * G));
  const b = rs.fillGauss(new Float64Array(G));
  const dout = new Float64Array(N * T * H);
  if (doutStep === undefined) rs.fillGauss(dout);
  else {
    for (let n = 0; n < N; n++) {
      rs.skipGauss(doutStep * H);
      rs.fillGaussRange(dout, (n * T + doutStep) * H, H);
      rs.skipGauss((T - 1 - doutStep) * H);
    }
  }
  if (config.init === 'scaled') {
    scale(Wx, 1 / Math.sqrt(D));
    scale(Wh, config.whGain / Math.sqrt(H));
    scale(h0, config.h0Scale);
    scale(b, config.bScale);
  }
  if (arch === 'lstm') {
    for (let j = H; j < 2 * H; j++) b[j] += config.forgetBias;
  }
  return { x, h0, Wx, Wh, b, dout };
}

function scale(a: Float64Array, s: number): void {
  if (s === 1) return;
  for (let i = 0; i < a.length; i++) a[i] *= s;
}

/**
 * Copies (N, T, F) into (T, N, F), so that one step's batch is contiguous; with `onlyStep`, just
 * that step's rows (the rest of `out` is left as it is).
 */
export function copyTimeMajor(a: Float64Array, out: Float64Array, N: number, T: number, F: number, onlyStep?: number): void {
  const from = onlyStep ?? 0;
  const to = onlyStep === undefined ? T : onlyStep + 1;
  for (let n = 0; n < N; n++) {
    for (let t = from; t < to; t++) {
      // An element loop: rows are short (F = D or H), where subarray + set would allocate per row.
      const src = (n * T + t) * F;
      const dst = (t * N + n) * F;
      for (let f = 0; f < F; f++) out[dst + f] = a[src + f];
    }
  }
}
