// A probe's inputs when the weights or the sequences come from outside (a trained PyTorch layer,
// the user's own data), already read into float64 arrays by the caller: the engine does no I/O.
// The numpy stream draws only what is not given, in the recipe's order: x (N, T, D) unless given,
// then h0 (N, H), and (without given weights) Wx, Wh, b and the GRU's bh with the init scheme's
// scaling, then dout (N, T, H). Given weights are used as they are, h0 is multiplied by h0Scale,
// and the forget bias is an offset added to the trained forget (LSTM) or update (GRU) gate bias.
import { NumpyRandomState } from './rng/numpyRandomState';
import { gateWidth, type Arch, type ProbeConfig } from './probeConfig';
import { ProbeConfigError } from './probeLimits';
import type { ModelInputs } from './inputs';

/** A layer's weights in the engine's layout: Wx (D, G), Wh (H, G), b (G), the GRU's bh (G). */
export interface ImportedWeights {
  arch: Arch;
  D: number;
  H: number;
  Wx: Float64Array;
  Wh: Float64Array;
  b: Float64Array;
  bh?: Float64Array;
}

/** What the caller gives: the weights, the sequences x (N, T, D in C order), or both. */
export interface GivenModel {
  weights?: ImportedWeights;
  x?: Float64Array;
}

export function modelInputs(config: ProbeConfig, given: GivenModel): ModelInputs {
  const { N, T, D, H, arch } = config;
  const G = gateWidth(arch, H);
  const w = given.weights;
  if (w) {
    if (w.arch !== arch)
      throw new ProbeConfigError('arch', `arch is ${arch}, but the weights are of a ${w.arch.toUpperCase()} layer`);
    if (w.D !== D) throw new ProbeConfigError('D', `D must be the weights' input size ${w.D}, got ${D}`);
    if (w.H !== H) throw new ProbeConfigError('H', `H must be the weights' hidden size ${w.H}, got ${H}`);
  }
  if (given.x && given.x.length !== N * T * D) {
    throw new ProbeConfigError('T', `the given sequences hold ${given.x.length} values, not N*T*D = ${N}*${T}*${D}`);
  }
  const rs = new NumpyRandomState(config.seed);
  const x = given.x ? given.x.slice() : rs.fillGauss(new Float64Array(N * T * D));
  const h0 = rs.fillGauss(new Float64Array(N * H));
  let Wx: Float64Array, Wh: Float64Array, b: Float64Array, bh: Float64Array | undefined;
  if (w) {
    ({ Wx, Wh, b } = { Wx: w.Wx.slice(), Wh: w.Wh.slice(), b: w.b.slice() });
    bh = w.bh?.slice();
    scale(h0, config.h0Scale);
  } else {
    Wx = rs.fillGauss(new Float64Array(D * G));
    Wh = rs.fillGauss(new Float64Array(H * G));
    b = rs.fillGauss(new Float64Array(G));
    bh = arch === 'gru' ? rs.fillGauss(new Float64Array(G)) : undefined;
    if (config.init === 'scaled') {
      scale(Wx, 1 / Math.sqrt(D));
      scale(Wh, config.whGain / Math.sqrt(H));
      scale(h0, config.h0Scale);
      scale(b, config.bScale);
      if (bh) scale(bh, config.bScale);
    }
  }
  if (arch === 'lstm' || arch === 'gru') for (let j = H; j < 2 * H; j++) b[j] += config.forgetBias;
  const dout = rs.fillGauss(new Float64Array(N * T * H));
  return { x, h0, Wx, Wh, b, ...(bh ? { bh } : {}), dout };
}

function scale(a: Float64Array, s: number): void {
  if (s === 1) return;
  for (let i = 0; i < a.length; i++) a[i] *= s;
}
