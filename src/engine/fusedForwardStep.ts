// A forward pass's common steps in one native call each (native/forwardStep.h), where the native
// module has the call: the recurrent product, the activations and, on the first pass, the sums
// of squares and the forget gates' products, which the JS step made as four calls into the
// module. The same kernels in the same order, so the same bits as the JS step with every product
// native (fusedForwardStep.test.ts); the JS step keeps its checks and bookkeeping around it.
import type { Arch } from './probeConfig';
import type { FusedStepKernels, Kernels, StepWeights } from './linalg';
import type { ForgetLogSums } from './theory';

/** The plan's slots (enum forward_slot of native/binding.c lists the same, in this order). */
const enum Slot {
  N,
  H,
  G,
  Lstm,
  Route,
  HasPrev,
  Sums,
  A,
  HPrev,
  WeightsB,
  WeightsBt,
  WeightsPacked,
  Slope,
  Hs,
  C,
  Coef,
  /** The step's sums: of h_t's squares, of the RNN's slopes' squares, of the LSTM's forget gates. */
  Out,
}
export const FORWARD_STEP_SLOTS = Slot.Out + 3;

/** What of a trace the fused forward step reads and writes. */
export interface ForwardStepBuffers {
  kernels: Kernels;
  arch: Arch;
  N: number;
  H: number;
  G: number;
  /** Wh as the forward product h_{t-1} Wh reads it. */
  recurrent: StepWeights;
  /** The window's hidden states, and its RNN slopes or LSTM coefficients. */
  Hs: Float64Array;
  slope: Float64Array;
  coef: Float64Array;
  /** The LSTM's gate slopes (N x 4H) and cells (N x H). */
  stepSlope: Float64Array;
  C: Float64Array;
}

const EMPTY = new Float64Array(0);

export class FusedForwardStep {
  private readonly plan = new Float64Array(FORWARD_STEP_SLOTS);
  private readonly arena: Float64Array;
  private readonly lstm: boolean;

  /** The fused steps of a trace, or null where they cannot run (no native step, a GRU, buffers outside one arena). */
  static create(b: ForwardStepBuffers): FusedForwardStep | null {
    const kernel = b.kernels.fusedSteps;
    if (!kernel || b.arch === 'gru') return null;
    const W = b.recurrent;
    const buffers = [b.Hs, b.slope, b.coef, b.stepSlope, b.C, W.B, W.Bt, ...(W.packed ? [W.packed] : [])];
    const buffer = b.Hs.buffer;
    if (!buffers.every((a) => a.length === 0 || a.buffer === buffer)) return null;
    return new FusedForwardStep(b, kernel);
  }

  private constructor(
    private readonly b: ForwardStepBuffers,
    private readonly kernel: FusedStepKernels,
  ) {
    const { N, H, G, recurrent: W } = b;
    const p = this.plan;
    this.arena = new Float64Array(b.Hs.buffer);
    this.lstm = b.arch === 'lstm';
    const at = (a: Float64Array) => a.byteOffset / 8;
    p.set([N, H, G, this.lstm ? 1 : 0, kernel.route(W, N)], Slot.N);
    p.set([at(W.B), at(W.Bt), W.packed ? at(W.packed) : 0], Slot.WeightsB);
    if (this.lstm) p.set([at(b.C), at(b.coef)], Slot.C);
  }

  /** The last step's sums (0 where it took none). */
  get hSquares(): number {
    return this.plan[Slot.Out];
  }
  get slopeSquares(): number {
    return this.plan[Slot.Out + 1];
  }
  get forgetSum(): number {
    return this.plan[Slot.Out + 2];
  }

  /**
   * Step t: A (x_t Wx + b, a view of the arena) gets h_{t-1} Wh (hPrev from hOff: a view of the
   * arena) and is activated; h_t goes to Hs at `hidden`, the slopes (RNN) to `slope` at sOff or
   * the coefficients (LSTM) to `coef` at sOff; with `logForget`, the first pass's sums are taken
   * (the forget gates' into its products and events). Returns false, having done nothing, where
   * the views are not in the arena.
   */
  step(
    A: Float64Array,
    hPrev: Float64Array,
    hOff: number,
    hidden: number,
    sOff: number,
    t: number,
    logForget: ForgetLogSums | null,
  ): boolean {
    const { arena, plan: p, b } = this;
    if (A.buffer !== arena.buffer || hPrev.buffer !== arena.buffer) return false;
    p[Slot.HasPrev] = t > 0 ? 1 : 0;
    p[Slot.Sums] = logForget ? 1 : 0;
    p[Slot.A] = A.byteOffset / 8;
    p[Slot.HPrev] = hPrev.byteOffset / 8 + hOff;
    p[Slot.Hs] = b.Hs.byteOffset / 8 + hidden;
    p[Slot.Slope] = this.lstm ? b.stepSlope.byteOffset / 8 : b.slope.byteOffset / 8 + sOff;
    if (this.lstm) p[Slot.Coef] = b.coef.byteOffset / 8 + sOff;
    this.kernel.forwardStep(arena, p, logForget?.products ?? EMPTY, logForget?.events ?? EMPTY);
    return true;
  }
}
