// The forward pass of a vanilla RNN or an LSTM, keeping what backprop needs of each step: h_t,
// and the RNN's slopes (taken from the pre-activations, exact when saturated) or the LSTM's
// backward coefficients. These are kept for a window of steps: the whole sequence (a stored
// trace), or one segment of it (a checkpointed trace: the state at every segment's start is
// kept, and backprop has a segment recomputed from it when it gets there; see tracePlan.ts).
// A recomputed segment is the same to the bit: same inputs, same kernels, same decisions.
import { gateWidth, type Arch, type ProbeConfig } from './probeConfig';
import { DRAW_CHUNK_DOUBLES, drawTimeMajor, type ModelInputs, type ProbeParameters } from './inputs';
import type { Workspace } from './workspace';
import { packedDoubles, packsWeights, type Kernels, type StepWeights } from './linalg';
import { LSTM_COEFFICIENTS, sigmoidInPlace, storeCoefficients, tanhInto } from './elementwise';
import { ldexp } from './scaledNumber';
import { ForgetLogSums } from './theory';
import { FusedForwardStep } from './fusedForwardStep';
import { GRU_COEFFICIENTS, gruForwardStep } from './gruCell';
import {
  LSTM_SATURATION,
  RNN_SATURATION,
  StepScaling,
  exponentsPerStep,
  lstmSaturatedStep,
  rescaleCellCoefficients,
  rescaleRnnSlopes,
} from './saturatedSteps';

export interface Dims {
  arch: Arch;
  T: number;
  N: number;
  D: number;
  H: number;
  /** Gate width: H for the RNN, 4H for the LSTM (gates i, f, o, g), 3H for the GRU (gates r, z, n). */
  G: number;
}

/** How a trace is kept. */
export interface TraceLayout {
  /** Steps per segment (the window's length): T keeps the whole trace. */
  segment: number;
  /** Keep every step's dout (total loss, full gradients, loss table); else only the loss step's. */
  allDout: boolean;
  /**
   * Keep h_t only until step t + 1 has read it (the window holds two steps of h, in turn): for a
   * probe no pass of which reads h back (no dWh norm, no full gradients; see tracePlan.ts). An
   * RNN's trace is then half as large. Default false: every step's h is kept.
   */
  transientHidden?: boolean;
}

/** The steps of the trace at hand: first .. first + count - 1. */
export interface StepWindow {
  first: number;
  count: number;
  /** (count, N, H) hidden states, step j's at hiddenOffset(j); with transientHidden, two steps' in turn. */
  Hs: Float64Array;
  /** The layout's transientHidden: h_t is overwritten at step t + 2. */
  transientHidden: boolean;
  /** RNN: (count, N, H) slopes tanh'(a_t), each step's relative to exponents (see saturatedSteps.ts); LSTM: empty. */
  slope: Float64Array;
  /** LSTM: (count, N, 6H) backward coefficients (see LSTM_COEFFICIENTS); GRU: (count, N, 5H) (GRU_COEFFICIENTS); each block relative to its exponent; RNN: empty. */
  coef: Float64Array;
  /** h_{first-1}, (N, H): h0 when first = 0. */
  hBefore: Float64Array;
  /** Per step held, exponentsPerStep() powers of two its slopes (coefficient blocks) were divided by; 0 unless saturated. */
  exponents: Int32Array;
}

export interface ForwardTrace extends Dims {
  /** The kernels of the workspace the trace lives in. */
  readonly kernels: Kernels;
  /** (T, N, D), time-major. */
  readonly X: Float64Array;
  /** dout, (T, N, H) time-major, or only the loss step's (N, H) (see doutOffset). */
  readonly dout: Float64Array;
  readonly h0: Float64Array;
  readonly Wx: Float64Array;
  readonly Wh: Float64Array;
  /** Wh^T, (G, H): the backward matmul reads it row by row. */
  readonly WhT: Float64Array;
  /** Wx^T, (G, D). */
  readonly WxT: Float64Array;
  /** Wh (H x G) as the forward pass's h_{t-1} Wh reads it, and Wh^T (G x H) as the backward carry's da Wh^T does. */
  readonly recurrent: StepWeights;
  readonly recurrentT: StepWeights;
  readonly b: Float64Array;
  /** GRU: the recurrent bias b_h (G); empty otherwise. */
  readonly bh: Float64Array;
  readonly window: StepWindow;
  /** Per step, a StepScaling: how its slopes were formed (nonzero: window.exponents may be nonzero). */
  readonly scaledSteps: Uint8Array;
  /** Where step t's dout starts in `dout`. */
  doutOffset(t: number): number;
  /** Brings step k into the window (recomputing its segment from its checkpoint if need be). */
  load(k: number): void;
}

/** What the forward pass sums over every step on its way (for the summary and the theory overlay). */
export interface ForwardSums {
  /** L = sum_t sum(dout_t * h_t), in step order; null when only the loss step's dout is kept. */
  loss: number | null;
  /** sum_t ||h_t||^2. */
  hSquares: number;
  /** h at the last step, (N, H). */
  hLast: Float64Array;
  /** LSTM: the forget gates summed over every step, row and unit; GRU: the update gates z; RNN: 0. */
  forgetSum: number;
  /** RNN: tanh'(a)^2 summed over every step, row and unit (true scale); LSTM: 0. */
  slopeSquares: number;
  /** LSTM: per row and unit (N, H), log2 f summed over every step, exact however small f is (read by its totals(), theory.ts); else empty. */
  logForget: ForgetLogSums;
}

/** Where step j of a window (window.first + j) holds its h in window.Hs: j * NH, or (j mod 2) * NH for transient h. */
export function hiddenOffset(w: StepWindow, j: number, NH: number): number {
  return (w.transientHidden ? j & 1 : j) * NH;
}

/** The segments a layout cuts T steps into. */
export function segmentCount(d: Dims, layout: TraceLayout): number {
  return Math.ceil(d.T / layout.segment);
}

/** Doubles the forward trace takes in a workspace. */
export function forwardDoubles(d: Dims, layout: TraceLayout): number {
  const { T, N, D, H, G } = d;
  const NH = N * H;
  const lstm = d.arch === 'lstm';
  const segments = segmentCount(d, layout);
  // Per step held: h (unless transient: two steps' of it) and the slopes (RNN) or the coefficients (LSTM, GRU).
  const perStep = unitStepDoubles(d.arch, Boolean(layout.transientHidden)) * NH;
  const transient = layout.transientHidden ? 2 * NH : 0;
  // At each segment's start: h_{t0-1}, and c_{t0-1} for the LSTM.
  const checkpoints = segments > 1 ? segments * NH * (lstm ? 2 : 1) : 0;
  // X, dout; h0; the weights, their transposes and b (and Wh and Wh^T packed for the native
  // kernels, counted whichever kernels run: the check is the same everywhere); one step's a_t and
  // slopes, the input projection's block; the LSTM's c.
  const packed = packsWeights(N, H, G) ? packedDoubles(H, G) + packedDoubles(G, H) : 0;
  const inputs =
    T * N * D + (layout.allDout ? T * NH : NH) + NH + 2 * D * G + 2 * H * G + packed + (d.arch === 'gru' ? 2 * G : G);
  const projection = inputProjectionSteps(d);
  const step = 2 * N * G + (projection > 1 ? projection * N * G : 0) + (lstm ? NH : 0);
  return inputs + step + layout.segment * perStep + transient + checkpoints;
}

/** Doubles of input projection computed in one product: 512 KiB, about what a core's L2 holds. */
const INPUT_PROJECTION_DOUBLES = 65_536;

/**
 * Steps whose input part x_t Wx + b is computed in one product: as many as fit in
 * INPUT_PROJECTION_DOUBLES (one, the step alone, for a batch as wide as that). One product
 * and one bias pass for many steps instead of two calls per step: 6% of the standard sweep
 * (0.817 against 0.866 s, passes with and without it interleaved).
 */
export function inputProjectionSteps(d: Dims): number {
  return Math.max(1, Math.min(d.T, Math.floor(INPUT_PROJECTION_DOUBLES / (d.N * d.G))));
}

/** Bytes the forward pass keeps outside its workspace: per-step flags, the window's exponents, the draw buffer, h_last (GRU: its coefficients' exponents of a step). */
export function forwardHeapBytes(d: Dims, layout: TraceLayout): number {
  const gruScratch = d.arch === 'gru' ? 4 * GRU_COEFFICIENTS * d.N * d.H : 0;
  return d.T + 4 * layout.segment * exponentsOf(d.arch) + 8 * (DRAW_CHUNK_DOUBLES + d.N * d.H) + gruScratch;
}

/** Doubles a trace holds per unit and step: h (unless it is transient) and coefficientsPerUnit. */
export function unitStepDoubles(arch: Arch, transientHidden: boolean): number {
  return (transientHidden ? 0 : 1) + coefficientsPerUnit(arch);
}

/** Doubles held per unit and step besides h: the RNN's slope, the LSTM's or the GRU's coefficients. */
export function coefficientsPerUnit(arch: Arch): number {
  return arch === 'lstm' ? LSTM_COEFFICIENTS : arch === 'gru' ? GRU_COEFFICIENTS : 1;
}

/** Exponents kept per step: one per coefficient block (LSTM, GRU), one for the RNN's slopes. */
function exponentsOf(arch: Arch): number {
  return arch === 'gru' ? GRU_COEFFICIENTS : exponentsPerStep(arch === 'lstm');
}

export function dimsOf(arch: Arch, T: number, N: number, D: number, H: number): Dims {
  return { arch, T, N, D, H, G: gateWidth(arch, H) };
}

/**
 * Test hooks that nudge the forward pass at one step (finite-difference checks of the per-step
 * derivatives). Each receives the step and the buffer with the offset of that step's batch.
 * A checkpointed trace calls them again when it recomputes a segment.
 */
export interface ForwardHooks {
  /** After a_t is computed, before the activations (GRU: its input part x_t Wx + b_i). */
  preActivation?: (t: number, A: Float64Array, offset: number) => void;
  /** GRU: after the recurrent part h_{t-1} Wh + b_h is computed, before the gates. */
  recurrent?: (t: number, Ah: Float64Array, offset: number) => void;
  /** LSTM: after c_t is computed, before h_t = o * tanh(c_t). */
  cell?: (t: number, C: Float64Array, offset: number) => void;
  /** After h_t is computed. */
  hidden?: (t: number, Hs: Float64Array, offset: number) => void;
}

/** Where a probe's inputs come from: drawn from its seed, or given (C order, as buildInputs gives them). */
export type TraceInputs = { draw: ProbeConfig } | { given: ModelInputs };

/**
 * Runs the forward pass over every step, summing what the summary needs on the way.
 * `doutStep`: only that step of dout is kept (layout.allDout false).
 */
export function runForward(
  d: Dims,
  layout: TraceLayout,
  inputs: TraceInputs,
  ws: Workspace,
  hooks?: ForwardHooks,
  doutStep?: number,
  /** false: every step's kernels called one at a time from JS (BackwardOptions.fusedSteps). */
  fusedSteps = true,
): { trace: ForwardTrace; sums: ForwardSums } {
  const trace = new SteppedTrace(d, layout, inputs, ws, hooks, doutStep, fusedSteps);
  const sums: ForwardSums = {
    loss: layout.allDout ? 0 : null,
    hSquares: 0,
    hLast: new Float64Array(d.N * d.H),
    forgetSum: 0,
    slopeSquares: 0,
    logForget: new ForgetLogSums(d.arch === 'lstm' ? d.N * d.H : 0),
  };
  for (let s = 0; s < trace.segments; s++) trace.runSegment(s, sums);
  return { trace, sums };
}

class SteppedTrace implements ForwardTrace {
  readonly arch: Arch;
  readonly T: number;
  readonly N: number;
  readonly D: number;
  readonly H: number;
  readonly G: number;
  readonly kernels: Kernels;
  readonly X: Float64Array;
  readonly dout: Float64Array;
  readonly h0: Float64Array;
  readonly Wx: Float64Array;
  readonly Wh: Float64Array;
  readonly WhT: Float64Array;
  readonly WxT: Float64Array;
  readonly recurrent: StepWeights;
  readonly recurrentT: StepWeights;
  readonly b: Float64Array;
  readonly bh: Float64Array;
  readonly window: StepWindow;
  readonly scaledSteps: Uint8Array;
  readonly segments: number;
  private readonly segment: number;
  private readonly allDout: boolean;
  private readonly hooks: ForwardHooks | undefined;
  /** One step's a_t (replaced by the activations, for the LSTM) and the LSTM's gate slopes (GRU: h_{t-1} Wh + b_h). */
  private readonly A: Float64Array;
  private readonly stepSlope: Float64Array;
  /**
   * x_t Wx + b for `projection.steps` steps from `projection.first` (`count` of them), one
   * product and one bias pass for them all; each step's a_t is its slot (inputProjectionSteps),
   * which the step then changes in place: the slots from `next` on are still unused.
   */
  private readonly projection: { steps: number; buffer: Float64Array; first: number; count: number; next: number };
  /** LSTM: c_{t-1}, overwritten with c_t by each step. */
  private readonly C: Float64Array;
  /** h_{t0-1} and c_{t0-1} of every segment (slot 0 unused: h0, and no cell before step 0). */
  private readonly checkpointH: Float64Array;
  private readonly checkpointC: Float64Array;
  /** GRU: one step's coefficient exponents before they are made relative to their blocks'. */
  private readonly gruExponents: Int32Array;
  /** No step t >= 1 can saturate (see preActivationBound): the per-step checks are skipped. */
  private readonly cannotSaturate: boolean;
  /** LSTM, first pass: a bound on max |c_{t-1}| (it grows by at most 1 per step). */
  private cellBound = 0;
  /** The segment in the window; -1 none. */
  private loaded = -1;
  /** The common steps in one native call each, where the native module has it. */
  private readonly fused: FusedForwardStep | null;

  constructor(
    d: Dims,
    layout: TraceLayout,
    inputs: TraceInputs,
    ws: Workspace,
    hooks: ForwardHooks | undefined,
    doutStep?: number,
    fusedSteps = true,
  ) {
    const { T, N, D, H, G } = d;
    const NH = N * H;
    const lstm = d.arch === 'lstm';
    const gru = d.arch === 'gru';
    this.arch = d.arch;
    this.T = T;
    this.N = N;
    this.D = D;
    this.H = H;
    this.G = G;
    this.kernels = ws.kernels;
    this.segment = layout.segment;
    this.segments = segmentCount(d, layout);
    this.allDout = layout.allDout;
    this.hooks = hooks;
    this.X = ws.take(T * N * D);
    this.dout = ws.take(layout.allDout ? T * NH : NH);
    const onlyStep = layout.allDout ? undefined : doutStep;
    let p: ProbeParameters;
    if ('given' in inputs) {
      const given = inputs.given;
      ws.kernels.copyTimeMajor(given.x, this.X, N, T, D);
      if (onlyStep === undefined) ws.kernels.copyTimeMajor(given.dout, this.dout, N, T, H);
      else
        for (let n = 0; n < N; n++) this.dout.set(given.dout.subarray((n * T + onlyStep) * H, (n * T + onlyStep + 1) * H), n * H);
      p = given;
    } else {
      p = drawTimeMajor(inputs.draw, this.X, this.dout, onlyStep);
    }
    this.h0 = ws.take(NH);
    this.h0.set(p.h0);
    this.Wx = ws.take(D * G);
    this.Wx.set(p.Wx);
    this.Wh = ws.take(H * G);
    this.Wh.set(p.Wh);
    this.b = ws.take(G);
    this.b.set(p.b);
    this.bh = gru ? ws.take(G) : new Float64Array(0);
    if (gru) {
      if (!p.bh || p.bh.length !== G) throw new Error(`a GRU needs its recurrent bias bh of ${G} values`);
      this.bh.set(p.bh);
    }
    this.WhT = ws.take(G * H);
    this.WxT = ws.take(G * D);
    ws.kernels.transposeInto(this.WhT, this.Wh, H, G);
    ws.kernels.transposeInto(this.WxT, this.Wx, D, G);
    // The packed copies live in the arena, which a worker reuses from probe to probe: fresh arrays
    // of their own were first touched by every probe (64 MiB of them at H = 1024, N = 16).
    const packs = packsWeights(N, H, G);
    this.recurrent = ws.kernels.prepareWeights(this.Wh, this.WhT, H, G, N, packs ? ws.take(packedDoubles(H, G)) : undefined);
    this.recurrentT = ws.kernels.prepareWeights(this.WhT, this.Wh, G, H, N, packs ? ws.take(packedDoubles(G, H)) : undefined);
    this.A = ws.take(N * G);
    const steps = inputProjectionSteps(d);
    this.projection = { steps, buffer: steps > 1 ? ws.take(steps * N * G) : this.A, first: 0, count: 0, next: 0 };
    this.stepSlope = ws.take(N * G);
    this.C = lstm ? ws.take(NH) : new Float64Array(0);
    const L = layout.segment;
    this.window = {
      first: 0,
      count: 0,
      Hs: ws.take((layout.transientHidden ? Math.min(2, L) : L) * NH),
      transientHidden: Boolean(layout.transientHidden),
      slope: d.arch === 'rnn' ? ws.take(L * NH) : new Float64Array(0),
      coef: d.arch === 'rnn' ? new Float64Array(0) : ws.take(coefficientsPerUnit(d.arch) * L * NH),
      hBefore: this.h0,
      exponents: new Int32Array(L * exponentsOf(d.arch)),
    };
    this.gruExponents = new Int32Array(gru ? GRU_COEFFICIENTS * NH : 0);
    const checkpoints = this.segments > 1 ? this.segments * NH : 0;
    this.checkpointH = checkpoints > 0 ? ws.take(checkpoints) : new Float64Array(0);
    this.checkpointC = checkpoints > 0 && lstm ? ws.take(checkpoints) : new Float64Array(0);
    this.scaledSteps = new Uint8Array(T);
    const limit = lstm ? LSTM_SATURATION : RNN_SATURATION;
    // The GRU forms every step's coefficients relative to their blocks: no check to skip.
    this.cannotSaturate = !gru && preActivationBound(this) * (1 + 1e-9) <= limit;
    const { window: w, recurrent, stepSlope, C } = this;
    this.fused = fusedSteps
      ? FusedForwardStep.create({
          kernels: ws.kernels,
          arch: d.arch,
          N,
          H,
          G,
          recurrent,
          Hs: w.Hs,
          slope: w.slope,
          coef: w.coef,
          stepSlope,
          C,
        })
      : null;
  }

  doutOffset(t: number): number {
    return this.allDout ? t * this.N * this.H : 0;
  }

  load(k: number): void {
    const s = Math.floor(k / this.segment);
    if (s !== this.loaded) this.runSegment(s, null);
  }

  /**
   * Computes segment s into the window from its checkpoint. `sums` non-null: the first pass,
   * which decides each step's scaling, sums on the way and writes the next segment's checkpoint;
   * null: a recomputation, which replays the first pass's decisions.
   */
  runSegment(s: number, sums: ForwardSums | null): void {
    const NH = this.N * this.H;
    const w = this.window;
    const t0 = s * this.segment;
    const t1 = Math.min(this.T, t0 + this.segment);
    w.first = t0;
    w.count = t1 - t0;
    w.hBefore = s === 0 ? this.h0 : this.checkpointH.subarray(s * NH, (s + 1) * NH);
    if (this.arch === 'lstm' && s > 0) this.C.set(this.checkpointC.subarray(s * NH, (s + 1) * NH));
    for (let t = t0; t < t1; t++) this.step(t, t - t0, sums);
    if (sums && s + 1 < this.segments) {
      const last = hiddenOffset(w, w.count - 1, NH);
      this.checkpointH.set(w.Hs.subarray(last, last + NH), (s + 1) * NH);
      if (this.arch === 'lstm') this.checkpointC.set(this.C, (s + 1) * NH);
    }
    this.loaded = s;
  }

  /**
   * a_t's buffer, holding x_t Wx + b: its slot of the input projection, computed for the block
   * of projection.steps steps t lies in unless that block is held with slot t still unused (a
   * recomputed segment may start in a block whose slots a step has used). The blocks are fixed
   * (from step 0), so a step is computed by the same product, of the same rows, in the first pass
   * and in every recomputation of a checkpointed segment, and comes out the same to the bit.
   */
  private inputPart(t: number): Float64Array {
    const { N, D, G, kernels: kr } = this;
    const p = this.projection;
    if (t < p.next || t >= p.first + p.count) {
      p.first = t - (t % p.steps);
      p.count = Math.min(p.steps, this.T - p.first);
      kr.gemm(p.buffer, 0, this.X, p.first * N * D, this.Wx, 0, p.count * N, D, G);
      kr.addBias(p.buffer, 0, p.count * N, G, this.b);
    }
    p.next = t + 1;
    if (p.steps === 1) return p.buffer;
    const off = (t - p.first) * N * G;
    return p.buffer.subarray(off, off + N * G);
  }

  /** Step t into window slot j. */
  private step(t: number, j: number, sums: ForwardSums | null): void {
    const { N, H, G, kernels: kr, hooks } = this;
    const NH = N * H;
    const w = this.window;
    // Step j's slopes or coefficients at (multiples of) hOff, its h at hidden.
    const hOff = j * NH;
    const hidden = hiddenOffset(w, j, NH);
    // The input part, then the recurrent part: x_t Wx + b, then + h_{t-1} Wh in k order.
    const A = this.inputPart(t);
    if (this.arch === 'gru') {
      this.gruStep(A, t, j, sums);
      return;
    }
    const first = sums !== null;
    // Only the first pass looks for saturation (at step 0, h0 may be large); a recomputation replays it.
    const check = first && (t === 0 || !this.cannotSaturate);
    let scaling: number = first ? StepScaling.plain : this.scaledSteps[t];
    const hPrev = j === 0 ? w.hBefore : w.Hs;
    const pOff = j === 0 ? 0 : hiddenOffset(w, j - 1, NH);
    const kOff = LSTM_COEFFICIENTS * hOff;
    // A step with no check due, not saturated and no hooks: the product, the activations and the
    // first pass's sums in one native call (fusedForwardStep.ts), the same bits as these calls.
    const fused =
      this.fused !== null &&
      hooks === undefined &&
      !check &&
      scaling !== StepScaling.saturated &&
      this.fused.step(A, hPrev, pOff, hidden, this.arch === 'lstm' ? kOff : hOff, t, sums ? sums.logForget : null);
    if (!fused) {
      kr.gemmPaired(true, A, 0, hPrev, pOff, this.recurrent, N);
      hooks?.preActivation?.(t, A, 0);
    }
    if (this.arch === 'rnn') {
      if (!fused) kr.rnnForwardStep(A, 0, w.slope, hOff, w.Hs, hidden, NH);
      if (check && kr.maxAbs(A, 0, NH) > RNN_SATURATION) scaling = StepScaling.rescaled;
      w.exponents[j] = scaling === StepScaling.rescaled ? rescaleRnnSlopes(A, 0, w.slope, hOff, NH) : 0;
    } else {
      const eOff = LSTM_COEFFICIENTS * j;
      if (check && kr.maxAbs(A, 0, N * G) > LSTM_SATURATION) scaling = StepScaling.saturated;
      if (scaling === StepScaling.saturated) {
        const cellHook = hooks?.cell ? (C: Float64Array) => hooks.cell!(t, C, 0) : undefined;
        lstmSaturatedStep(A, this.C, t > 0, w.Hs, hidden, w.coef, kOff, w.exponents, eOff, N, H, cellHook);
        if (first) this.cellBound = kr.maxAbs(this.C, 0, NH);
      } else {
        // (A fused step has run natively.)
        if (!fused && hooks?.cell)
          lstmStepWithCellHook(A, this.stepSlope, this.C, w.Hs, hidden, w.coef, kOff, N, H, t, hooks.cell);
        else if (!fused) kr.lstmForwardStep(A, 0, this.stepSlope, this.C, 0, w.Hs, hidden, w.coef, kOff, N, H, t > 0);
        w.exponents.fill(0, eOff, eOff + LSTM_COEFFICIENTS);
        if (first) {
          // |c_t| <= |c_{t-1}| + 1 (f, |i g| <= 1), so the cells need looking at only now and then.
          this.cellBound = (t === 0 ? 0 : this.cellBound) * (1 + 1e-12) + 1;
          if (this.cellBound > LSTM_SATURATION) {
            this.cellBound = kr.maxAbs(this.C, 0, NH);
            if (this.cellBound > LSTM_SATURATION) scaling = StepScaling.rescaled;
          }
        }
        if (scaling === StepScaling.rescaled) w.exponents[eOff] = rescaleCellCoefficients(A, this.C, w.coef, kOff, N, H);
      }
      if (first) {
        // The forget gates' sum (the mean forget gate) comes with their logs, in one pass over them.
        const exponent = w.exponents[eOff + LSTM_COEFFICIENTS - 1];
        sums.forgetSum += fused
          ? sums.logForget.afterStep(this.fused.forgetSum, exponent, NH)
          : sums.logForget.addStep(kr, w.coef, kOff, exponent, N, H);
      }
    }
    hooks?.hidden?.(t, w.Hs, hidden);
    if (!first) return;
    this.scaledSteps[t] = scaling;
    this.addToSums(t, j, sums, fused ? this.fused : null);
  }

  /**
   * GRU step t into window slot j, A holding x_t Wx + b_i: the recurrent part h_{t-1} Wh + b_h
   * into stepSlope, then the gates and coefficients (gruCell.ts), every step in the same way.
   */
  private gruStep(A: Float64Array, t: number, j: number, sums: ForwardSums | null): void {
    const { N, H, G, kernels: kr, hooks } = this;
    const NH = N * H;
    const w = this.window;
    const hOff = j * NH;
    const hidden = hiddenOffset(w, j, NH);
    const Ah = this.stepSlope;
    const hPrev = j === 0 ? w.hBefore : w.Hs;
    const pOff = j === 0 ? 0 : hiddenOffset(w, j - 1, NH);
    hooks?.preActivation?.(t, A, 0);
    kr.gemmPaired(false, Ah, 0, hPrev, pOff, this.recurrent, N);
    kr.addBias(Ah, 0, N, G, this.bh);
    hooks?.recurrent?.(t, Ah, 0);
    const eOff = GRU_COEFFICIENTS * j;
    const zSum = gruForwardStep(
      A,
      Ah,
      hPrev,
      pOff,
      w.Hs,
      hidden,
      w.coef,
      GRU_COEFFICIENTS * hOff,
      w.exponents,
      eOff,
      this.gruExponents,
      N,
      H,
    );
    hooks?.hidden?.(t, w.Hs, hidden);
    if (!sums) return;
    this.scaledSteps[t] = StepScaling.saturated;
    sums.forgetSum += zSum;
    this.addToSums(t, j, sums);
  }

  /** The first pass's sums of step t (in window slot j); `fused`: the step's kernel sums are its. */
  private addToSums(t: number, j: number, sums: ForwardSums, fused: FusedForwardStep | null = null): void {
    const { N, H, kernels: kr } = this;
    const NH = N * H;
    const w = this.window;
    const hOff = j * NH;
    const hidden = hiddenOffset(w, j, NH);
    if (sums.loss !== null) {
      let loss = sums.loss;
      const dOff = t * NH;
      for (let i = 0; i < NH; i++) loss += this.dout[dOff + i] * w.Hs[hidden + i];
      sums.loss = loss;
    }
    sums.hSquares += fused ? fused.hSquares : kr.sumSquares(w.Hs, hidden, NH, 1);
    if (this.arch === 'rnn')
      sums.slopeSquares += ldexp(fused ? fused.slopeSquares : kr.sumSquares(w.slope, hOff, NH, 1), 2 * w.exponents[j]);
    if (t === this.T - 1) sums.hLast.set(w.Hs.subarray(hidden, hidden + NH));
  }
}

/**
 * A bound on |a_t| for every step t >= 1, where |h_{t-1}| <= 1 (tanh, or o tanh(c)):
 * max_j |b_j| + max|x| sum_d |Wx_dj| + sum_i |Wh_ij|. When it is below the saturation limit,
 * no step after the first needs looking at.
 */
function preActivationBound(f: SteppedTrace): number {
  const { D, H, G } = f;
  const xMax = f.kernels.maxAbs(f.X, 0, f.X.length);
  const wx = new Float64Array(G);
  const wh = new Float64Array(G);
  f.kernels.absColumnSums(f.Wx, D, G, wx);
  f.kernels.absColumnSums(f.Wh, H, G, wh);
  let bound = 0;
  for (let j = 0; j < G; j++) bound = Math.max(bound, Math.abs(f.b[j]) + xMax * wx[j] + wh[j]);
  return bound;
}

/**
 * lstmForwardStep in JS, in passes, so that the hook can nudge c_t between computing it and
 * h_t = o tanh(c_t) (finite-difference tests).
 */
function lstmStepWithCellHook(
  A: Float64Array,
  slope: Float64Array,
  C: Float64Array,
  Hs: Float64Array,
  hOff: number,
  coef: Float64Array,
  kOff: number,
  N: number,
  H: number,
  t: number,
  hook: NonNullable<ForwardHooks['cell']>,
): void {
  const G = 4 * H;
  const NH = N * H;
  for (let i = 0; i < N * G; i += G) {
    for (let j = i; j < i + 3 * H; j++) sigmoidInPlace(A, slope, j);
    for (let j = i + 3 * H; j < i + G; j++) tanhInto(A[j], A, slope, j);
  }
  const cPrev = t === 0 ? new Float64Array(NH) : C.slice(0, NH);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) C[n * H + j] = A[n * G + H + j] * cPrev[n * H + j] + A[n * G + j] * A[n * G + 3 * H + j];
  }
  hook(t, C, 0);
  const tc = new Float64Array(1);
  const sc = new Float64Array(1);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const s = n * H + j;
      tanhInto(C[s], tc, sc, 0);
      Hs[hOff + s] = A[n * G + 2 * H + j] * tc[0];
      storeCoefficients(A, slope, n * G + j, cPrev[s], tc[0], sc[0], coef, kOff + n * LSTM_COEFFICIENTS * H + j, H);
    }
  }
}

export interface ForwardSummary {
  /** L = sum_t sum(dout_t * h_t); null when only the loss step's dout was drawn. */
  loss: number | null;
  /** ||h||_F over all steps. */
  hFro: number;
  /** h at the last step, (N, H). */
  hLast: Float64Array;
}

export function summarizeForward(sums: ForwardSums): ForwardSummary {
  return { loss: sums.loss, hFro: Math.sqrt(sums.hSquares), hLast: sums.hLast };
}
