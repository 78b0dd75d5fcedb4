// The inputs of one probe: everything needed to rebuild its weights and data from a seed.
export type Arch = 'rnn' | 'lstm' | 'gru';
export type InitScheme = 'article' | 'scaled';

export interface ProbeConfig {
  arch: Arch;
  /** Sequence length. */
  T: number;
  /** Batch size. */
  N: number;
  /** Input size. */
  D: number;
  /** Hidden size. */
  H: number;
  seed: number;
  rng: 'numpy';
  init: InitScheme;
  /** Added to b[H:2H]: the LSTM's forget gate, the GRU's update gate z (its keep gate); ignored by the RNN. */
  forgetBias: number;
  /** `scaled` init only: Wh is multiplied by whGain / sqrt(H). */
  whGain: number;
  /** `scaled` init only: h0 is multiplied by this. */
  h0Scale: number;
  /** `scaled` init only: b is multiplied by this (before the forget bias is added). */
  bScale: number;
  /** The step t whose loss L_t is differentiated, 0-based. */
  lossStep: number;
}

export type ProbeConfigInput = Partial<ProbeConfig> & Pick<ProbeConfig, 'arch' | 'T' | 'N' | 'D' | 'H' | 'seed'>;

/** Fills the defaults: scaled init, forget bias 0, whGain 1, h0Scale 0, bScale 0, loss at the last step. */
export function withDefaults(input: ProbeConfigInput): ProbeConfig {
  return {
    arch: input.arch,
    T: input.T,
    N: input.N,
    D: input.D,
    H: input.H,
    seed: input.seed,
    rng: input.rng ?? 'numpy',
    init: input.init ?? 'scaled',
    forgetBias: input.forgetBias ?? 0,
    whGain: input.whGain ?? 1,
    h0Scale: input.h0Scale ?? 0,
    bScale: input.bScale ?? 0,
    lossStep: input.lossStep ?? input.T - 1,
  };
}

/** H for the RNN, 4H for the LSTM (gates i, f, o, g), 3H for the GRU (gates r, z, n). */
export function gateWidth(arch: Arch, H: number): number {
  return arch === 'lstm' ? 4 * H : arch === 'gru' ? 3 * H : H;
}
