// A loss-step backward pass's steps in one native call each (native/lossStep.h), where the
// native module has the call: the JS step (LossStepBackward.step) made some 20 calls into the
// module a step, which at N = 16, H = 64 cost about a third of an RNN step. The native step
// runs the kernels the JS step runs on the native path, in its order, so the two give the same
// bits (fusedLossStep.test.ts holds them to it); the LSTM's saturated or far-apart steps, and
// every GRU step, stay in JS.
import { ALIGN_LIMIT } from './cellBackward';
import { LSTM_COEFFICIENTS } from './elementwise';
import { hiddenOffset, type ForwardTrace } from './forward';
import type { FusedStepKernels } from './linalg';
import { StepScaling } from './saturatedSteps';
import { log10Scaled } from './scaledNumber';
import type { ChosenStepNorms, StepNormName } from './backward';
import type { SpectralRider } from './spectralRider';

/** The plan's slots (enum plan_slot of native/binding.c lists the same, in this order). */
const enum Slot {
  N,
  D,
  H,
  G,
  Lstm,
  Flags,
  Route,
  Dh,
  DcFuture,
  Dct,
  Da,
  Rows,
  GramDa,
  GramX,
  GramH,
  Product,
  ColSum,
  WeightsB,
  WeightsBt,
  WeightsPacked,
  X,
  HPrev,
  Coef,
  Eh,
  Ec,
  ScaledSlopes,
  SlopeExponent,
  Carry,
  /** The half of a Lanczos product riding on the carry (0: none; spectralRider.ts), and its x, y and w. */
  RiderHalf,
  RiderX,
  RiderY,
  RiderW,
  /** 5 norms (dh, dc, dWx, dWh, db) as mantissa and exponent, then eh and ec. */
  Out,
}
export const LOSS_STEP_SLOTS = Slot.Out + 12;

/** seq_loss_step_flag of native/lossStep.h. */
const Flag = { dh: 1, dc: 2, dWx: 4, dWh: 8, db: 16, gram: 32 } as const;
/** The norms in the order of the plan's results. */
const OUT_NORMS: readonly StepNormName[] = ['dh', 'dc', 'dWx', 'dWh', 'db'];

/** The buffers of a LossStepBackward that the native step reads and writes. */
export interface LossStepBuffers {
  dh: Float64Array;
  dcFuture: Float64Array;
  dct: Float64Array;
  da: Float64Array;
  rows: Float64Array;
  gDa: Float64Array;
  gX: Float64Array;
  gH: Float64Array;
  product: Float64Array;
  colSum: Float64Array;
}

export class FusedLossStep {
  private readonly plan = new Float64Array(LOSS_STEP_SLOTS);
  private readonly arena: Float64Array;
  private readonly xOff: number;
  private readonly hsOff: number;
  private readonly coefOff: number;
  /** The asked norms' arrays, in the order of the plan's results (null: not asked). */
  private readonly outputs: (Float64Array | null)[];

  /** The fused steps of a pass over f with these buffers, or null where they cannot run (no native step, a GRU, another arena). */
  static create(
    f: ForwardTrace,
    buffers: LossStepBuffers,
    /** The pass's asked norms' arrays (LossStepBackward.norms). */
    norms: ChosenStepNorms,
    useGram: boolean,
    /** sigma_max's products riding on the pass's carries, or none. */
    rider: SpectralRider | null = null,
  ): FusedLossStep | null {
    const kernel = f.kernels.fusedSteps;
    if (!kernel || f.arch === 'gru') return null;
    const w = f.window;
    const fixed = [f.X, w.Hs, f.arch === 'lstm' ? w.coef : w.slope, f.recurrentT.B, f.recurrentT.Bt, ...Object.values(buffers)];
    if (f.recurrentT.packed) fixed.push(f.recurrentT.packed);
    if (rider) fixed.push(rider.x, rider.y, rider.w);
    const buffer = f.X.buffer;
    if (!fixed.every((a) => a.buffer === buffer)) return null;
    return new FusedLossStep(f, kernel, buffers, norms, useGram, rider);
  }

  private constructor(
    private readonly f: ForwardTrace,
    private readonly kernel: FusedStepKernels,
    buffers: LossStepBuffers,
    norms: ChosenStepNorms,
    useGram: boolean,
    private readonly rider: SpectralRider | null,
  ) {
    const { N, D, H, G } = f;
    const p = this.plan;
    this.arena = new Float64Array(f.X.buffer);
    const at = (a: Float64Array) => a.byteOffset / 8;
    const route = kernel.route(f.recurrentT, N);
    let flags = useGram ? Flag.gram : 0;
    for (const name of OUT_NORMS) if (norms[name]) flags |= Flag[name];
    this.outputs = OUT_NORMS.map((name) => norms[name] ?? null);
    p.set([N, D, H, G, f.arch === 'lstm' ? 1 : 0, flags, route], Slot.N);
    const b = buffers;
    p.set([b.dh, b.dcFuture, b.dct, b.da, b.rows, b.gDa, b.gX, b.gH, b.product, b.colSum].map(at), Slot.Dh);
    const W = f.recurrentT;
    p.set([at(W.B), at(W.Bt), W.packed ? at(W.packed) : 0], Slot.WeightsB);
    if (rider) p.set([at(rider.x), at(rider.y), at(rider.w)], Slot.RiderX);
    this.xOff = at(f.X);
    this.hsOff = at(f.window.Hs);
    this.coefOff = at(f.arch === 'lstm' ? f.window.coef : f.window.slope);
  }

  /** The state's exponents after the last step run here (eh, then ec). */
  get eh(): number {
    return this.plan[Slot.Out + 10];
  }
  get ec(): number {
    return this.plan[Slot.Out + 11];
  }

  /**
   * Step k of the pass (in the trace's window) with the state at 2^eh and 2^ec, the asked norms
   * into their arrays at k, the next exponents into this.eh and this.ec; returns false, having
   * changed nothing, where the step must run in JS.
   */
  step(k: number, eh: number, ec: number): boolean {
    const { f, plan: p } = this;
    const { N, D, H } = f;
    const NH = N * H;
    const w = f.window;
    const j = k - w.first;
    const scaled = f.scaledSteps[k] !== StepScaling.plain;
    const lstm = f.arch === 'lstm';
    if (lstm && (scaled || Math.abs(eh - ec) > ALIGN_LIMIT)) return false;
    const hBefore = w.hBefore;
    if (j === 0 && hBefore.buffer !== this.arena.buffer) return false;
    p[Slot.X] = this.xOff + k * N * D;
    p[Slot.HPrev] = j === 0 ? hBefore.byteOffset / 8 : this.hsOff + hiddenOffset(w, j - 1, NH);
    p[Slot.Coef] = this.coefOff + (lstm ? LSTM_COEFFICIENTS : 1) * j * NH;
    p[Slot.Eh] = eh;
    p[Slot.Ec] = ec;
    p[Slot.ScaledSlopes] = scaled ? 1 : 0;
    p[Slot.SlopeExponent] = scaled ? w.exponents[j] : 0;
    p[Slot.Carry] = k > 0 ? 1 : 0;
    p[Slot.RiderHalf] = k > 0 && this.rider ? this.rider.half : 0;
    this.kernel.lossStep(this.arena, p);
    const outputs = this.outputs;
    for (let i = 0; i < outputs.length; i++) {
      const out = outputs[i];
      if (out !== null) out[k] = log10Scaled(p[Slot.Out + 2 * i], p[Slot.Out + 2 * i + 1]);
    }
    return true;
  }
}
