// Builds a probe's inputs from its seed, in the draw order of the article's numpy recipe.
import { NumpyRandomState } from './rng/numpyRandomState';
import { gateWidth, type ProbeConfig } from './probeConfig';

/** Arrays in numpy's C order, exactly as drawn (x is (N,T,D), dout is (N,T,H)). */
export interface ProbeInputs {
  x: Float64Array;
  h0: Float64Array;
  Wx: Float64Array;
  Wh: Float64Array;
  /** The input bias (GRU: b_i, the one the forget-bias axis moves). */
  b: Float64Array;
  dout: Float64Array;
}

/** The GRU's second bias: b_h (G), drawn after b; absent for the RNN and the LSTM. */
export interface RecurrentBias {
  bh?: Float64Array;
}

/** A probe's inputs with the GRU's recurrent bias when it has one. */
export type ModelInputs = ProbeInputs & RecurrentBias;

/**
 * Draws the inputs. With `doutStep`, only dout[:, doutStep, :] is evaluated (the rest of dout is
 * skipped in the stream and left 0): all a single-loss probe reads, at a fraction of the cost.
 */
export function buildInputs(config: ProbeConfig, doutStep?: number): ProbeInputs {
  return buildModelInputs(config, doutStep);
}

/** buildInputs, typed with the GRU's recurrent bias bh (drawn after b). */
export function buildModelInputs(config: ProbeConfig, doutStep?: number): ModelInputs {
  const { N, T, D, H, arch } = config;
  const G = gateWidth(arch, H);
  const rs = new NumpyRandomState(config.seed);
  const x = rs.fillGauss(new Float64Array(N * T * D));
  const h0 = rs.fillGauss(new Float64Array(N * H));
  const Wx = rs.fillGauss(new Float64Array(D * G));
  const Wh = rs.fillGauss(new Float64Array(H * G));
  const b = rs.fillGauss(new Float64Array(G));
  const bh = arch === 'gru' ? rs.fillGauss(new Float64Array(G)) : undefined;
  const dout = new Float64Array(N * T * H);
  if (doutStep === undefined) rs.fillGauss(dout);
  else {
    for (let n = 0; n < N; n++) {
      rs.skipGauss(doutStep * H);
      rs.fillGaussRange(dout, (n * T + doutStep) * H, H);
      rs.skipGauss((T - 1 - doutStep) * H);
    }
  }
  const parameters: ProbeParameters = bh ? { h0, Wx, Wh, b, bh } : { h0, Wx, Wh, b };
  scaleParameters(config, parameters);
  return { x, ...parameters, dout };
}

/** A probe's inputs other than the sequences x and dout. */
export type ProbeParameters = Pick<ProbeInputs, 'h0' | 'Wx' | 'Wh' | 'b'> & RecurrentBias;

/**
 * Draws the inputs as buildInputs does, but x straight into X as (T, N, D) and dout into `dout`
 * as (T, N, H) (with `doutStep`, only that step's (N, H)): the values copyTimeMajor would give,
 * without holding the (N, T, F) arrays as well.
 */
export function drawTimeMajor(config: ProbeConfig, X: Float64Array, dout: Float64Array, doutStep?: number): ProbeParameters {
  const { N, T, D, H, arch } = config;
  const G = gateWidth(arch, H);
  const rs = new NumpyRandomState(config.seed);
  drawRowsTimeMajor(rs, X, N, T, D);
  const h0 = rs.fillGauss(new Float64Array(N * H));
  const Wx = rs.fillGauss(new Float64Array(D * G));
  const Wh = rs.fillGauss(new Float64Array(H * G));
  const b = rs.fillGauss(new Float64Array(G));
  const bh = arch === 'gru' ? rs.fillGauss(new Float64Array(G)) : undefined;
  if (doutStep === undefined) drawRowsTimeMajor(rs, dout, N, T, H);
  else {
    for (let n = 0; n < N; n++) {
      rs.skipGauss(doutStep * H);
      rs.fillGaussRange(dout, n * H, H);
      rs.skipGauss((T - 1 - doutStep) * H);
    }
  }
  const parameters: ProbeParameters = bh ? { h0, Wx, Wh, b, bh } : { h0, Wx, Wh, b };
  scaleParameters(config, parameters);
  return parameters;
}

/** Doubles of the buffer drawRowsTimeMajor draws through. */
export const DRAW_CHUNK_DOUBLES = 1 << 16;

/** numpy's (N, T, F) draws, row after row, each step's F values put at out[(t * N + n) * F]. */
function drawRowsTimeMajor(rs: NumpyRandomState, out: Float64Array, N: number, T: number, F: number): void {
  const chunkSteps = Math.max(1, Math.min(T, Math.floor(DRAW_CHUNK_DOUBLES / Math.max(F, 1))));
  const chunk = new Float64Array(chunkSteps * F);
  for (let n = 0; n < N; n++) {
    for (let t0 = 0; t0 < T; t0 += chunkSteps) {
      const steps = Math.min(chunkSteps, T - t0);
      rs.fillGaussRange(chunk, 0, steps * F);
      for (let i = 0; i < steps; i++) {
        const dst = ((t0 + i) * N + n) * F;
        for (let f = 0; f < F; f++) out[dst + f] = chunk[i * F + f];
      }
    }
  }
}

/** The init scheme's scaling and the forget-gate bias (GRU: the update gate z's input bias), in place. */
function scaleParameters(config: ProbeConfig, { h0, Wx, Wh, b, bh }: ProbeParameters): void {
  const { D, H, arch } = config;
  if (config.init === 'scaled') {
    scale(Wx, 1 / Math.sqrt(D));
    scale(Wh, config.whGain / Math.sqrt(H));
    scale(h0, config.h0Scale);
    scale(b, config.bScale);
    if (bh) scale(bh, config.bScale);
  }
  if (arch === 'lstm' || arch === 'gru') {
    for (let j = H; j < 2 * H; j++) b[j] += config.forgetBias;
  }
}

function scale(a: Float64Array, s: number): void {
  if (s === 1) return;
  for (let i = 0; i < a.length; i++) a[i] *= s;
}
