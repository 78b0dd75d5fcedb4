// Frobenius norms of the full gradients of L = sum_t L_t, as a framework's autograd would give
// them; used to check the engine against independent references.
//
// In the same scaled arithmetic as the per-loss-step pass: the backward state is renormalized
// by powers of two every step, each part with its exponent, and the accumulated gradients are
// kept at an exponent of their own that moves up when a step's terms outgrow it. Scaling by a
// power of two is exact and commutes with rounding, so wherever plain float64 would neither
// underflow nor overflow this computes the same doubles, only scaled; and where it would, every
// norm still comes out, far outside float64's range, as an exact log10.
import { carryToPreviousStep, cellBackward, cellExponents } from './cellBackward';
import { gruCarry } from './gruCell';
import { hiddenOffset, type ForwardTrace, type Dims } from './forward';
import { normValue, normalize, scaleByPowerOfTwo, type NormValue } from './norms';
import { ldexp, log10Scaled } from './scaledNumber';
import type { Workspace } from './workspace';

const NAMES = ['dWx', 'dWh', 'db', 'dh0', 'dx'] as const;
type GradName = (typeof NAMES)[number];

/**
 * Plain values: 0 below float64's range, Infinity above it (null in JSON); log10: exact
 * (-Infinity for an exact 0, null in JSON).
 */
export type FullGradNorms = Record<GradName, number> & { log10: Record<GradName, number> };

/**
 * How far a step's terms may rise above the accumulators' exponent before that moves up: the
 * accumulated values stay below 2^HEADROOM times the number of terms, far from overflow.
 */
const HEADROOM = 512;

export function fullGradientDoubles(d: Dims): number {
  const { N, D, H, G } = d;
  // dh, dcFuture, dct; da and its copy at the accumulators' exponent; dWx, dWh, db; dx. The GRU:
  // the recurrent part's da and its copy, and the recurrent bias's gradient.
  const gru = d.arch === 'gru' ? 2 * N * G + G : 0;
  return 3 * N * H + 2 * N * G + D * G + H * G + G + N * D + gru;
}

/** The full-gradient backward pass, one step at a time from k = T-1 down to 0 (see LossStepBackward). */
export class FullGradientBackward {
  private readonly dh: Float64Array;
  private readonly dcFuture: Float64Array;
  private readonly dct: Float64Array;
  private readonly da: Float64Array;
  private readonly daScaled: Float64Array;
  /** GRU: dL/dAh (the recurrent part's pre-activations) and its copy; else da and daScaled. */
  private readonly daH: Float64Array;
  private readonly daHScaled: Float64Array;
  /** GRU: the recurrent bias's gradient, norm'd with db (one bias vector of 2G); else empty. */
  private readonly dbH: Float64Array;
  private readonly dWx: Float64Array;
  private readonly dWh: Float64Array;
  private readonly db: Float64Array;
  private readonly dx: Float64Array;
  private readonly cell = cellExponents();
  /** The state is dh * 2^eh and dcFuture * 2^ec. */
  private eh = 0;
  private ec = 0;
  /** dWx, dWh and db are * 2^ew; null until a nonzero term arrives. */
  private ew: number | null = null;
  /** sum_k ||dx_k||^2 = dxSquares * 2^(2 ex); null until a nonzero term arrives. */
  private dxSquares = 0;
  private ex: number | null = null;

  constructor(
    private readonly f: ForwardTrace,
    ws: Workspace,
  ) {
    const { N, D, H, G } = f;
    const NH = N * H;
    if (f.window.transientHidden) throw new Error("the full gradients read every step's h: plan the trace with fullGradients");
    this.dh = ws.take(NH).fill(0);
    this.dcFuture = ws.take(NH).fill(0);
    this.dct = ws.take(NH);
    this.da = ws.take(N * G);
    this.daScaled = ws.take(N * G);
    const gru = f.arch === 'gru';
    this.daH = gru ? ws.take(N * G) : this.da;
    this.daHScaled = gru ? ws.take(N * G) : this.daScaled;
    this.dbH = gru ? ws.take(G).fill(0) : new Float64Array(0);
    this.dWx = ws.take(D * G).fill(0);
    this.dWh = ws.take(H * G).fill(0);
    this.db = ws.take(G).fill(0);
    this.dx = ws.take(N * D);
  }

  step(k: number): void {
    const { f, dh, dcFuture, dct, da, daH, cell } = this;
    const { N, D, H, G, kernels } = f;
    const NH = N * H;
    const w = f.window;
    const j = k - w.first;
    this.addDout(k);
    const gru = f.arch === 'gru';
    cellBackward(f, k, dh, this.eh, dcFuture, this.ec, dct, da, cell, daH);
    const mDa = Math.max(kernels.maxAbs(da, 0, N * G), gru ? kernels.maxAbs(daH, 0, N * G) : 0);
    if (mDa > 0) {
      const use = this.atWeightsExponent(cell.ea);
      const useH = gru ? this.atExponentCopy(daH, this.daHScaled, cell.ea) : use;
      kernels.transposeTimesAcc(f.X, k * N * D, D, use, N, G, this.dWx);
      if (j === 0) kernels.transposeTimesAcc(w.hBefore, 0, H, useH, N, G, this.dWh);
      else kernels.transposeTimesAcc(w.Hs, hiddenOffset(w, j - 1, NH), H, useH, N, G, this.dWh);
      const db = this.db;
      for (let n = 0; n < N; n++) for (let u = 0; u < G; u++) db[u] += use[n * G + u];
      if (gru) for (let n = 0; n < N; n++) for (let u = 0; u < G; u++) this.dbH[u] += useH[n * G + u];
      this.addDxSquares(cell.ea);
    }
    if (gru) {
      this.eh = gruCarry(kernels, f.recurrentT, daH, dct, cell, dh, N, H);
      this.ec = this.eh;
      return;
    }
    carryToPreviousStep(f, k, da, dct, dh, dcFuture);
    const mh = kernels.maxAbs(dh, 0, NH);
    const eh = cell.ea + normalize(dh, 0, NH, kernels, mh);
    const lstm = f.arch === 'lstm';
    const mc = lstm ? kernels.maxAbs(dcFuture, 0, NH) : 0;
    const ec = lstm ? cell.carry + normalize(dcFuture, 0, NH, kernels, mc) : eh;
    this.eh = mh === 0 ? ec : eh;
    this.ec = mc === 0 ? this.eh : ec;
  }

  /** After step 0: the norms. dh then holds dL/dh0. */
  norms(): FullGradNorms {
    const { N, D, H, G, kernels } = this.f;
    const ew = this.ew ?? 0;
    const values: Record<GradName, NormValue> = {
      dWx: normValue(this.dWx, 0, D * G, ew, kernels),
      dWh: normValue(this.dWh, 0, H * G, ew, kernels),
      db: this.dbH.length > 0 ? normOfTwo(this.db, this.dbH, ew) : normValue(this.db, 0, G, ew, kernels),
      dh0: normValue(this.dh, 0, N * H, this.eh, kernels),
      dx: this.dxSquares === 0 ? { plain: 0, log10: -Infinity } : scaledRoot(this.dxSquares, this.ex ?? 0),
    };
    const out = { log10: {} } as FullGradNorms;
    for (const name of NAMES) {
      out[name] = values[name].plain;
      out.log10[name] = values[name].log10;
    }
    return out;
  }

  /** dh += dout_k, at the larger of the state's exponent and dout's (0), then normalized again. */
  private addDout(k: number): void {
    const { f, dh } = this;
    const { kernels } = f;
    const NH = f.N * f.H;
    const off = f.doutOffset(k);
    const e = Math.max(this.eh, 0);
    if (e !== this.eh) scaleByPowerOfTwo(dh, 0, NH, this.eh - e, kernels);
    if (e === 0) {
      for (let i = 0; i < NH; i++) dh[i] += f.dout[off + i];
    } else if (e < 1100) {
      const s = ldexp(1, -e);
      for (let i = 0; i < NH; i++) dh[i] += f.dout[off + i] * s;
    }
    const mh = kernels.maxAbs(dh, 0, NH);
    this.eh = mh === 0 ? this.ec : e + normalize(dh, 0, NH, kernels, mh);
    if (f.arch === 'lstm' && kernels.maxAbs(this.dcFuture, 0, NH) === 0) this.ec = this.eh;
  }

  /**
   * da at the accumulators' exponent: da itself when it is there, else its
   * copy scaled to it, after moving that exponent up if this step's terms would outgrow it.
   */
  private atWeightsExponent(ea: number): Float64Array {
    if (this.ew === null) this.ew = ea;
    else if (ea > this.ew + HEADROOM) {
      const { kernels } = this.f;
      for (const acc of [this.dWx, this.dWh, this.db, this.dbH]) scaleByPowerOfTwo(acc, 0, acc.length, this.ew - ea, kernels);
      this.ew = ea;
    }
    return this.atExponentCopy(this.da, this.daScaled, ea);
  }

  /** v (at 2^ea) at the accumulators' exponent: v itself, or `copy` holding it scaled. */
  private atExponentCopy(v: Float64Array, copy: Float64Array, ea: number): Float64Array {
    if (ea === this.ew) return v;
    copy.set(v);
    scaleByPowerOfTwo(copy, 0, copy.length, ea - (this.ew ?? ea), this.f.kernels);
    return copy;
  }

  /** dxSquares += ||da Wx^T||^2 * 2^(2 ea), at the squares' exponent. */
  private addDxSquares(ea: number): void {
    const { f, dx } = this;
    const { N, D, G } = f;
    f.kernels.gemm(dx, 0, this.da, 0, f.WxT, 0, N, G, D);
    if (this.ex === null) this.ex = ea;
    else if (ea > this.ex + HEADROOM / 2) {
      this.dxSquares = ldexp(this.dxSquares, 2 * (this.ex - ea));
      this.ex = ea;
    }
    // In plain float64 this is dxSquares += dx[i]^2: the same doubles, scaled by 2^(2 (ea - ex)).
    const shift = ea - this.ex;
    if (shift < -600) return;
    const s = ldexp(1, shift);
    let sum = this.dxSquares;
    for (let i = 0; i < N * D; i++) {
      const v = dx[i] * s;
      sum += v * v;
    }
    this.dxSquares = sum;
  }
}

/** The norm of the concatenation of a and b (both at 2^e) as a NormValue. */
function normOfTwo(a: Float64Array, b: Float64Array, e: number): NormValue {
  const both = new Float64Array(a.length + b.length);
  both.set(a);
  both.set(b, a.length);
  return normValue(both, 0, both.length, e);
}

/** sqrt(s * 2^(2 e)) as a NormValue. */
function scaledRoot(s: number, e: number): NormValue {
  const root = Math.sqrt(s);
  return { plain: ldexp(root, e), log10: log10Scaled(root, e) };
}
