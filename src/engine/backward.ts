// Backprop through time for the loss at one step t, reporting per-step gradient norms as exact
// base-10 logarithms. The backward state is renormalized by powers of two every step and its
// exponent carried, so a norm of 1e-3500 comes out as -3500, not as 0.
import { carryToPreviousStep, cellBackward, cellExponents, transposeTimes } from './cellBackward';
import { gruCarry } from './gruCell';
import { binaryExponent, log10Scaled } from './scaledNumber';
import { log10Norm, normalize, scaleByPowerOfTwo, squaresSafely } from './norms';
import { hiddenOffset, type ForwardTrace, type Dims } from './forward';
import { FusedLossStep } from './fusedLossStep';
import type { Kernels } from './linalg';
import type { Workspace } from './workspace';
import type { SpectralRider } from './spectralRider';

/** The per-step norms a backward pass can report. */
export type StepNormName = 'dh' | 'dc' | 'dWx' | 'dWh' | 'db';
export const STEP_NORM_NAMES: readonly StepNormName[] = ['dh', 'dc', 'dWx', 'dWh', 'db'];

/** The norms a pass computed when it was asked for some: each present only if asked (dc: LSTM only). */
export type ChosenStepNorms = Partial<Record<StepNormName, Float64Array>>;

/** Per-step log10 norms for k = 0..t; -Infinity marks an exact zero. */
export interface StepNormsLog {
  dh: Float64Array;
  dWx: Float64Array;
  dWh: Float64Array;
  /** GRU: of both biases, b_i and b_h. */
  db: Float64Array;
  /** LSTM only. */
  dc?: Float64Array;
}

export interface BackwardOptions {
  /** Called with x_k^T dL_t/da_k (D x G) at true scale; for tests of the article's matrices. */
  onStepWeightGradient?: (k: number, dWx: Float64Array) => void;
  /**
   * false: every step from JS, one kernel call at a time, where the native module would run it in
   * one call (fusedLossStep.ts; in a probe, the forward pass's too: fusedForwardStep.ts). The same
   * bits either way with every product native; for the tests that hold the two to it, and for
   * measuring what fusing saves.
   */
  fusedSteps?: boolean;
}

/**
 * When the gram route's cancellation estimate exceeds this, the per-step weight-gradient norm is
 * recomputed directly. At 64 the estimated relative error stays near 1e-13.
 */
const GRAM_CANCELLATION_LIMIT = 64;

export function backwardDoubles(d: Dims): number {
  const { N, D, H, G } = d;
  // dh, dcFuture, dct; da, and a scaled copy of A's rows for the gram route; three gram matrices;
  // the direct product; column sums. The GRU: da of the recurrent part, its gram matrix and its
  // column sums.
  // The gram matrices only on the gram route: at large N they would be the largest buffers.
  const grams = prefersGram(d) ? (d.arch === 'gru' ? 4 : 3) * N * N : 0;
  const gru = d.arch === 'gru' ? N * G + G : 0;
  return 3 * N * H + N * G + N * Math.max(D, H) + grams + G * Math.max(D, H) + G + gru;
}

/**
 * Whether ||A^T da||_F is cheaper from N x N gram matrices than from the product itself. (The
 * GRU's dWx and dWh are of two different da, so it takes two gram matrices of them.)
 */
export function prefersGram(d: Dims): boolean {
  const { N, D, H, G } = d;
  const daGrams = d.arch === 'gru' ? 2 * G : G;
  return ((N * (N + 1)) / 2) * (daGrams + D + H) < N * G * (D + H);
}

/**
 * The backward pass for the loss at step t, one step at a time from k = t down to 0 (step(k),
 * with step k in the trace's window), so that it can share a checkpointed trace's recomputed
 * segments with other passes.
 */
export class LossStepBackward {
  /** Every asked norm's array (all five, dc for the LSTM only, unless constructed with `norms`). */
  readonly norms: ChosenStepNorms;
  private readonly wants: Record<StepNormName, boolean>;
  private readonly dh: Float64Array;
  private readonly dcFuture: Float64Array;
  private readonly dct: Float64Array;
  private readonly da: Float64Array;
  /** dL_t/da_k of the recurrent part: the GRU's own, else da itself. */
  private readonly daH: Float64Array;
  private readonly rows: Float64Array;
  private readonly gDa: Float64Array;
  /** The gram matrix of daH: the GRU's own, else gDa. */
  private readonly gDaH: Float64Array;
  private readonly gX: Float64Array;
  private readonly gH: Float64Array;
  private readonly product: Float64Array;
  private readonly colSum: Float64Array;
  private readonly useGram: boolean;
  private readonly fused: FusedLossStep | null;
  private readonly cell = cellExponents();
  /** The backward state is dh * 2^eh and dcFuture * 2^ec (see cellBackward). */
  private eh = 0;
  private ec = 0;

  constructor(
    private readonly f: ForwardTrace,
    readonly t: number,
    ws: Workspace,
    private readonly options: BackwardOptions = {},
    norms: readonly StepNormName[] = STEP_NORM_NAMES,
    /** sigma_max(Wh)'s Lanczos products, riding on the carries (spectralRider.ts), or none. */
    private readonly rider: SpectralRider | null = null,
  ) {
    const { N, D, H, G } = f;
    const NH = N * H;
    const lstm = f.arch === 'lstm';
    const wants = (name: StepNormName) => norms.includes(name) && (name !== 'dc' || lstm);
    this.wants = { dh: wants('dh'), dc: wants('dc'), dWx: wants('dWx'), dWh: wants('dWh'), db: wants('db') };
    if (this.wants.dWh && f.window.transientHidden)
      throw new Error("the dWh norms read every step's h: plan the trace with the norms asked (ProbeNeeds.norms)");
    this.norms = {};
    for (const name of STEP_NORM_NAMES) if (this.wants[name]) this.norms[name] = new Float64Array(t + 1);
    this.dh = ws.take(NH);
    this.dcFuture = ws.take(NH);
    this.dct = ws.take(NH);
    this.da = ws.take(N * G);
    this.daH = f.arch === 'gru' ? ws.take(N * G) : this.da;
    this.rows = ws.take(N * Math.max(D, H));
    this.useGram = prefersGram(f);
    const gram = this.useGram ? N * N : 0;
    this.gDa = ws.take(gram);
    this.gDaH = f.arch === 'gru' ? ws.take(gram) : this.gDa;
    this.gX = ws.take(gram);
    this.gH = ws.take(gram);
    this.product = ws.take(G * Math.max(D, H));
    this.colSum = ws.take(f.arch === 'gru' ? 2 * G : G);
    const dOff = f.doutOffset(t);
    this.dh.set(f.dout.subarray(dOff, dOff + NH));
    this.dcFuture.fill(0);
    const { dh, dcFuture, dct, da, rows, gDa, gX, gH, product, colSum } = this;
    this.fused =
      options.fusedSteps === false || options.onStepWeightGradient
        ? null
        : FusedLossStep.create(f, { dh, dcFuture, dct, da, rows, gDa, gX, gH, product, colSum }, this.norms, this.useGram, rider);
  }

  step(k: number): void {
    const rider = k > 0 ? this.rider : null;
    if (this.fused?.step(k, this.eh, this.ec)) {
      this.eh = this.fused.eh;
      this.ec = this.fused.ec;
      rider?.advance();
      return;
    }
    const { f, dh, dcFuture, dct, da, daH, product, norms: out, cell, wants } = this;
    const { N, D, H, G, kernels } = f;
    const NH = N * H;
    const lstm = f.arch === 'lstm';
    const gru = f.arch === 'gru';
    const w = f.window;
    const j = k - w.first;
    const hPrev = j === 0 ? w.hBefore : w.Hs;
    const hPrevOff = j === 0 ? 0 : hiddenOffset(w, j - 1, NH);
    if (wants.dh) out.dh![k] = log10Norm(dh, 0, NH, this.eh, kernels);

    cellBackward(f, k, dh, this.eh, dcFuture, this.ec, dct, da, cell, daH);
    if (wants.dc) out.dc![k] = log10Norm(dct, 0, NH, cell.ect, kernels);

    // da may be far smaller than the state (saturated units): give it its own exponent. (The
    // GRU's two da come normalized together.)
    const ea = gru ? cell.ea : cell.ea + normalize(da, 0, N * G, kernels);

    // The weight-gradient norms are most of a step's work at large N: only the asked ones run.
    // (Each is computed by the same route whichever others are asked, so its values do not
    // depend on the choice.)
    if (wants.db) {
      kernels.columnSums(da, N, G, this.colSum);
      if (gru) kernels.columnSums(daH, N, G, this.colSum.subarray(G));
      out.db![k] = log10Norm(this.colSum, 0, gru ? 2 * G : G, ea, kernels);
    }

    if (this.useGram) {
      if (wants.dWx || (wants.dWh && !gru)) kernels.gramUpper(this.gDa, da, 0, N, G);
      if (wants.dWx) {
        const px = this.gramOfRows(f.X, k * N * D, D, this.gX);
        out.dWx![k] =
          gramNormLog(this.gX, this.gDa, N, ea + px) ?? directNormLog(f.X, k * N * D, D, da, N, G, product, ea, kernels);
      }
      if (wants.dWh) {
        if (gru) kernels.gramUpper(this.gDaH, daH, 0, N, G);
        const ph = this.gramOfRows(hPrev, hPrevOff, H, this.gH);
        out.dWh![k] =
          gramNormLog(this.gH, this.gDaH, N, ea + ph) ?? directNormLog(hPrev, hPrevOff, H, daH, N, G, product, ea, kernels);
      }
    } else {
      if (wants.dWx) out.dWx![k] = directNormLog(f.X, k * N * D, D, da, N, G, product, ea, kernels);
      if (wants.dWh) out.dWh![k] = directNormLog(hPrev, hPrevOff, H, daH, N, G, product, ea, kernels);
    }
    if (this.options.onStepWeightGradient) {
      transposeTimes(f.X, k * N * D, D, da, N, G, product);
      const m = product.slice(0, D * G);
      scaleByPowerOfTwo(m, 0, m.length, ea);
      this.options.onStepWeightGradient(k, m);
    }

    if (k === 0) return;
    if (gru) {
      this.eh = gruCarry(kernels, f.recurrentT, daH, dct, cell, dh, N, H);
      this.ec = this.eh;
      return;
    }
    // dL_t/dh_{k-1} = da_k Wh^T carries da's exponent; the cell path dct * f carries cell.carry.
    carryToPreviousStep(f, k, da, dct, dh, dcFuture, rider);
    rider?.advance();
    // Each part keeps its own exponent: the cell path may be far below dh, and still be what
    // reaches the early steps. An all-zero part takes the other's (see cellBackward).
    const mh = kernels.maxAbs(dh, 0, NH);
    const eh = ea + normalize(dh, 0, NH, kernels, mh);
    const mc = lstm ? kernels.maxAbs(dcFuture, 0, NH) : 0;
    const ec = lstm ? cell.carry + normalize(dcFuture, 0, NH, kernels, mc) : eh;
    this.eh = mh === 0 ? ec : eh;
    this.ec = mc === 0 ? this.eh : ec;
  }

  /**
   * The upper gram matrix of N rows of K at aOff, of the rows divided by 2^p, returning p: 0 when
   * their squares are safe as they are, else the exponent of their largest entry, so that tiny
   * hidden states (h0 * 1e-170, a saturated output gate) do not square to 0.
   */
  private gramOfRows(A: Float64Array, aOff: number, K: number, gram: Float64Array): number {
    const { N, kernels } = this.f;
    const m = kernels.maxAbs(A, aOff, N * K);
    if (m === 0 || squaresSafely(m)) {
      kernels.gramUpper(gram, A, aOff, N, K);
      return 0;
    }
    const p = binaryExponent(m);
    this.rows.set(A.subarray(aOff, aOff + N * K));
    scaleByPowerOfTwo(this.rows, 0, N * K, -p, kernels);
    kernels.gramUpper(gram, this.rows, 0, N, K);
    return p;
  }
}

/** Runs the backward pass for the loss at step t over the whole trace (loading each step). */
export function backwardFromLossStep(f: ForwardTrace, t: number, ws: Workspace, options: BackwardOptions = {}): StepNormsLog {
  const pass = new LossStepBackward(f, t, ws, options);
  for (let k = t; k >= 0; k--) {
    f.load(k);
    pass.step(k);
  }
  return pass.norms as StepNormsLog;
}

/**
 * log10 ||A^T B||_F from the gram matrices of A and B: sum_nm GA[n,m] GB[n,m]. Returns null when
 * cancellation could cost accuracy, so the caller computes the product directly.
 */
function gramNormLog(gA: Float64Array, gB: Float64Array, N: number, exponent: number): number | null {
  let diag = 0;
  let off = 0;
  let bound = 0;
  for (let n = 0; n < N; n++) {
    const dn = gA[n * N + n] * gB[n * N + n];
    diag += dn;
    bound += Math.sqrt(dn);
    for (let m = n + 1; m < N; m++) off += gA[n * N + m] * gB[n * N + m];
  }
  const r = diag + 2 * off;
  if (bound === 0) return -Infinity;
  if (!(r > 0) || (bound * bound) / r > GRAM_CANCELLATION_LIMIT) return null;
  return log10Scaled(Math.sqrt(r), exponent);
}

function directNormLog(
  A: Float64Array,
  aOff: number,
  K: number,
  da: Float64Array,
  N: number,
  G: number,
  scratch: Float64Array,
  exponent: number,
  kernels: Kernels,
): number {
  transposeTimes(A, aOff, K, da, N, G, scratch, kernels);
  return log10Norm(scratch, 0, K * G, exponent, kernels);
}
