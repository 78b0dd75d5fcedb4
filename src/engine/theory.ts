// Forward-pass statistics behind the charts' theory overlays: the RNN's per-step factor
// g * sqrt(E[tanh'(a)^2]), the Pascanu-Mikolov-Bengio bound sigma_max(Wh), and the LSTM's mean
// forget gate (the GRU's mean update gate z, its keep gate); and the rates they predict
// (ProbeTheory.rates): the RNN's with the realized gain ||Wh||_F / sqrt(H) rather than the spec's
// whGain (which the article init ignores), the LSTM's cell path from its slowest-forgetting unit.
import type { Dims, ForwardSums, ForwardTrace } from './forward';
import type { Workspace } from './workspace';
import { jsKernels, type Kernels } from './linalg';

export interface ProbeTheory {
  whSpectralNorm: number;
  /** RNN: sqrt(mean tanh'(a)^2) over all steps, rows and units. LSTM: mean forget gate. GRU: mean update gate z. */
  meanSlope: number;
  /** RNN: the realized gain g_eff = ||Wh||_F / sqrt(H) (whGain for the scaled init, about sqrt(H) for the article's); else null. */
  realizedGain: number | null;
  /**
   * The rates these predict, decades per step (log10 of the per-step factor; -Infinity for an
   * exact zero), null where they do not apply:
   * RNN, the large-H mean-field factor g_eff sqrt(E[tanh'(a)^2]), E over every step, row and unit;
   * LSTM, the cell path alone: the time-mean of log10 f of the slowest-forgetting unit (max over rows and units);
   * RNN, the Pascanu-Mikolov-Bengio upper bound gamma sigma_max(Wh), gamma = 1 (tanh' <= 1).
   */
  rates: { meanField: number | null; cellPath: number | null; pmbBound: number | null };
}

/**
 * LSTM: per row and unit (N, H), the sum over steps of log2 f, exact however small f is (a
 * forget gate below 1e-308 is kept as a coefficient relative to 2^exponent, saturatedSteps.ts).
 * One log2 per gate and step would cost more than the rest of the statistics, so each sum is
 * kept as a log and a running product of the factors since the last fold, plus the exponents'
 * sum (the same for every unit); `totals` folds them. Rounding: a product of k factors is off
 * by at most k * 2^-53 relative, 1.1e-10 for a million steps, an error of 1.6e-10 in the sum of
 * log2 f, far below what the chart overlay shows.
 */
export class ForgetLogSums {
  private readonly logs: Float64Array;
  /** The running products, per row and unit, which forgetStep (elementwise.ts) keeps. */
  readonly products: Float64Array;
  /** What a step's forgetStep lists for log2. */
  readonly events: Float64Array;
  private exponents = 0;

  constructor(size: number) {
    this.logs = new Float64Array(size);
    this.products = new Float64Array(size).fill(1);
    this.events = new Float64Array(1 + 2 * size);
  }

  /**
   * Adds log2 f + exponent to every row and unit, f the forget gates of one step (coef rows of 6H
   * from kOff, block 5, relative to 2^exponent); returns the step's sum of the gates, f 2^exponent.
   * The kernel keeps the running products; the few values it lists take their log2 here.
   */
  addStep(kernels: Kernels, coef: Float64Array, kOff: number, exponent: number, N: number, H: number): number {
    return this.afterStep(kernels.forgetStep(coef, kOff, N, H, this.products, this.events), exponent, N * H);
  }

  /** addStep once forgetStep has run on `products` and `events` (a fused forward step ran it), `sum` its result. */
  afterStep(sum: number, exponent: number, NH: number): number {
    const { logs, events } = this;
    this.exponents += exponent;
    for (let e = 0; e < events[0]; e++) logs[events[1 + e]] += Math.log2(events[1 + NH + e]);
    return exponent === 0 ? sum : sum * 2 ** exponent;
  }

  /** The sums of log2 f so far, per row and unit (N, H): the running products folded in. */
  totals(): Float64Array {
    const { logs, products } = this;
    for (let i = 0; i < logs.length; i++) logs[i] += Math.log2(products[i]) + this.exponents;
    products.fill(1);
    this.exponents = 0;
    return logs;
  }
}

/**
 * What sigma_max(Wh) takes of a probe's arena, by either route: the gram matrix of Wh,
 * largestEigenvalue's vectors (lanczosVectorDoubles) and its basis, or, for one sequence of an
 * RNN or LSTM (which may ride), a SpectralRider's (riderDoubles).
 */
export function theoryDoubles(d: Dims): number {
  const gram = d.H * d.H + lanczosVectorDoubles(d.H) + Math.min(SPECTRAL_PRODUCTS, d.H) * d.H;
  return d.N === 1 && d.arch !== 'gru' ? Math.max(gram, riderDoubles(d)) : gram;
}

/** A SpectralRider's doubles (spectralRider.ts): Lanczos on G x G, its vectors and basis, and y and a spare carry output (H each). */
export function riderDoubles(d: { H: number; G: number }): number {
  return lanczosVectorDoubles(d.G) + Math.min(SPECTRAL_PRODUCTS, d.G) * d.G + 2 * d.H;
}

/** The vectors largestEigenvalue works in on an n x n matrix: a product's argument and result, and a projection's coefficients on the basis. */
export function lanczosVectorDoubles(n: number, maxProducts = SPECTRAL_PRODUCTS): number {
  return 2 * n + Math.min(maxProducts, n);
}

/** The theory of a probe whose forward pass gave `sums`, with sigma_max(Wh) found already (spectralNormByGram, or a SpectralRider). */
export function probeTheory(f: ForwardTrace, sums: ForwardSums, whSpectralNorm: number): ProbeTheory {
  const { T, N, H } = f;
  const count = T * N * H;
  if (f.arch === 'rnn') {
    const meanSlope = Math.sqrt(sums.slopeSquares / count);
    const realizedGain = Math.sqrt(f.kernels.sumSquares(f.Wh, 0, H * H, 1) / H);
    return {
      whSpectralNorm,
      meanSlope,
      realizedGain,
      rates: { meanField: Math.log10(realizedGain * meanSlope), cellPath: null, pmbBound: Math.log10(whSpectralNorm) },
    };
  }
  const rates = {
    meanField: null,
    cellPath: f.arch === 'lstm' ? slowestForgetting(sums.logForget.totals(), T) : null,
    pmbBound: null,
  };
  return { whSpectralNorm, meanSlope: sums.forgetSum / count, realizedGain: null, rates };
}

/** The largest time-mean of log10 f over rows and units, from their sums of log2 f over T steps. */
function slowestForgetting(logForget: Float64Array, T: number): number {
  let max = -Infinity;
  for (let i = 0; i < logForget.length; i++) max = Math.max(max, logForget[i]);
  return (max / T) * Math.log10(2);
}

/**
 * The Lanczos iteration's most products with the gram matrix, a hard cap (the cost model,
 * probeCost.ts, counts it), and its basis (that many vectors of H). Measured on the scaled init
 * (LSTM): 28, 46, 73 and 100 products at H = 64, 256, 1024 and 2048 (the RNN at H = 4096: 107).
 * Stopped by the cap, the top Ritz value is still a lower bound close to sigma_max^2.
 */
export const SPECTRAL_PRODUCTS = 160;

/**
 * Relative precision of sigma_max(Wh)^2: a chart overlay, nine digits are plenty. What is held
 * to it is the top Ritz value's residual, a bound on its distance to an eigenvalue. (Its change
 * from one product to the next is no such bound: with clustered top singular values, 1 and
 * 1 - 1e-6, it stalls below 1e-10 for many products while still 3e-7 short.)
 */
const SPECTRAL_TOLERANCE = 1e-9;

/**
 * Multiply-adds of largestEigenvalue on an n x n matrix, at most: SPECTRAL_PRODUCTS products
 * (n^2 each; never more than n) and the reorthogonalisation (at most two passes against up to
 * that many basis vectors, 2 n each per vector and pass). The cost model (probeCost.ts) counts these.
 */
export function spectralMultiplyAdds(n: number): number {
  const steps = Math.min(SPECTRAL_PRODUCTS, n);
  return steps * n * n + 2 * steps * steps * n;
}

/**
 * What a SpectralRider adds to a probe, in multiply-adds (probeCost.ts): the dot products of x
 * with Wh's rows that each product adds to a carry's (H G; the other half, w += Wh^T y, rode for
 * free in measurements, being a multiply-add per double the carry loads anyway), and the
 * reorthogonalisation against a basis of G-vectors (spectralMultiplyAdds's second term, n = G),
 * at most SPECTRAL_PRODUCTS products.
 */
export function riderMultiplyAdds(H: number, G: number): number {
  const steps = Math.min(SPECTRAL_PRODUCTS, G);
  return steps * H * G + 2 * steps * steps * G;
}

/**
 * sigma_max(Wh) = sqrt(lambda_max(Wh Wh^T)), by Lanczos on the H x H gram matrix, which it
 * takes of ws. (Products with Wh and Wh^T on their own instead stream 2 H G doubles each, and
 * measured slower: at H = 1024 (LSTM) the gram matrix costs 110 ms, a product with it 0.7 ms,
 * one with Wh and Wh^T 4.2 ms, so the gram matrix wins beyond 30 products, about what Lanczos
 * takes there. Where the products ride on the backward pass's carry they cost next to nothing:
 * spectralRider.ts.)
 */
export function spectralNormByGram(f: ForwardTrace, ws: Workspace): number {
  const { H, G } = f;
  const gram = ws.take(H * H);
  const vectors = ws.take(lanczosVectorDoubles(H));
  const basis = ws.take(Math.min(SPECTRAL_PRODUCTS, H) * H);
  f.kernels.gramUpper(gram, f.Wh, 0, H, G);
  for (let i = 0; i < H; i++) for (let j = 0; j < i; j++) gram[i * H + j] = gram[j * H + i];
  return Math.sqrt(largestEigenvalue(gram, H, SPECTRAL_PRODUCTS, f.kernels, vectors, basis));
}

/**
 * Largest eigenvalue of a symmetric positive semi-definite n x n matrix S, by Lanczos with full
 * reorthogonalisation from a fixed start vector (LanczosIteration), its products S v by symv. S
 * must be exactly symmetric. With kernels other than the JS ones, S, `vectors`
 * (lanczosVectorDoubles) and `basis` (min(maxProducts, n) vectors of n) must be views into those
 * kernels' arena.
 */
export function largestEigenvalue(
  S: Float64Array,
  n: number,
  maxProducts = SPECTRAL_PRODUCTS,
  kernels: Kernels = jsKernels,
  vectors: Float64Array = new Float64Array(lanczosVectorDoubles(n, maxProducts)),
  basis: Float64Array = new Float64Array(Math.min(maxProducts, n) * n),
): number {
  const lanczos = new LanczosIteration(n, maxProducts, kernels, vectors, basis);
  while (!lanczos.done) {
    kernels.symv(S, n, lanczos.argument, lanczos.result);
    lanczos.accept();
  }
  return lanczos.value;
}

/**
 * Lanczos with full reorthogonalisation for the largest eigenvalue of a symmetric positive
 * semi-definite n x n operator S, one product at a time, so that the products can be formed
 * where they are cheapest (by symv with a Gram matrix, or riding on the backward pass's carry:
 * spectralRider.ts): the caller writes S `argument` into `result` and calls accept(), until
 * `done`. At most `maxProducts` products (and n), fewer once the top Ritz value's residual (a
 * bound on its distance to an eigenvalue) is below SPECTRAL_TOLERANCE relative. `vectors`
 * (lanczosVectorDoubles) holds argument and result; with kernels other than the JS ones, it and
 * `basis` (min(maxProducts, n) vectors of n) must be views into those kernels' arena.
 */
export class LanczosIteration {
  /** The vector to multiply next (a copy of the newest basis vector). */
  readonly argument: Float64Array;
  /** Where the product S argument goes. */
  readonly result: Float64Array;
  /** The top Ritz value so far: the eigenvalue once done. */
  value = 0;
  done = false;
  private readonly steps: number;
  private readonly projections: Float64Array;
  // The tridiagonal matrix: alpha its diagonal, beta the off-diagonal.
  private readonly alpha: Float64Array;
  private readonly beta: Float64Array;
  private j = 0;

  constructor(
    private readonly n: number,
    maxProducts: number,
    private readonly kernels: Kernels,
    vectors: Float64Array,
    private readonly basis: Float64Array,
  ) {
    const steps = Math.min(maxProducts, n);
    this.steps = steps;
    this.argument = vectors.subarray(0, n);
    this.result = vectors.subarray(n, 2 * n);
    this.projections = vectors.subarray(2 * n, 2 * n + steps);
    this.alpha = new Float64Array(steps);
    this.beta = new Float64Array(steps);
    startVector(basis.subarray(0, n));
    this.argument.set(basis.subarray(0, n));
    this.done = steps === 0;
  }

  /** Takes `result` = S `argument`: one Lanczos step, then `argument` holds the next vector unless done. */
  accept(): void {
    const { n, j, alpha, beta, basis, kernels, projections } = this;
    const w = this.result;
    const q = basis.subarray(j * n, (j + 1) * n);
    alpha[j] = dotOf(q, w, n);
    for (let i = 0; i < n; i++) w[i] -= alpha[j] * q[i] + (j > 0 ? beta[j - 1] * basis[(j - 1) * n + i] : 0);
    // Against the whole basis, and once more where that cancelled most of w: twice is enough
    // (Kahan, Parlett) to keep w orthogonal to the basis to rounding.
    const recurrenceNorm = Math.sqrt(dotOf(w, w, n));
    orthogonalize(w, basis, j + 1, n, kernels, projections);
    let residualNorm = Math.sqrt(dotOf(w, w, n));
    if (residualNorm < recurrenceNorm * Math.SQRT1_2) {
      orthogonalize(w, basis, j + 1, n, kernels, projections);
      residualNorm = Math.sqrt(dotOf(w, w, n));
    }
    const theta = topEigenvalue(alpha, beta, j + 1);
    this.value = theta;
    const residual = residualNorm * ritzLastComponent(alpha, beta, j + 1, theta);
    const converged = residual <= SPECTRAL_TOLERANCE * theta;
    if (converged || residualNorm === 0 || j + 1 === this.steps) {
      this.done = true;
      return;
    }
    beta[j] = residualNorm;
    const next = basis.subarray((j + 1) * n, (j + 2) * n);
    for (let i = 0; i < n; i++) next[i] = w[i] / residualNorm;
    this.argument.set(next);
    this.j = j + 1;
  }
}

/**
 * The fixed start: unit, every component positive (so not orthogonal to a nonnegative
 * eigenvector) and unequal (nor to the differences of two coordinates), from a Weyl sequence.
 */
function startVector(q: Float64Array): void {
  const golden = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < q.length; i++) q[i] = 0.5 + ((i + 1) * golden - Math.floor((i + 1) * golden));
  const norm = Math.sqrt(dotOf(q, q, q.length));
  for (let i = 0; i < q.length; i++) q[i] /= norm;
}

function dotOf(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/**
 * w minus its projections on the first `count` basis vectors, all at once (classical
 * Gram-Schmidt: two products with the basis, c = Q w and w -= Q^T c, which the native kernels run
 * as such; one at a time, modified Gram-Schmidt, took 8% of a probe's fixed cost at H = 1024 in
 * JS). The caller runs it twice where the first pass cancelled most of w, which is what makes
 * the classical one as good as the modified (Giraud, Langou, Rozloznik: "twice is enough").
 */
function orthogonalize(w: Float64Array, basis: Float64Array, count: number, n: number, kernels: Kernels, c: Float64Array): void {
  kernels.rowDots(basis, 0, count, n, w, c);
  for (let k = 0; k < count; k++) c[k] = -c[k];
  kernels.gemmAcc(w, 0, c, 0, basis, 0, 1, count, n);
}

/**
 * The largest eigenvalue of the k x k symmetric tridiagonal matrix (alpha, beta), by bisection
 * on the Sturm count (how many eigenvalues lie below x: the negative pivots of T - x I), to the
 * last bits. The bracket is Gershgorin's.
 */
export function topEigenvalue(alpha: Float64Array, beta: Float64Array, k: number): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < k; i++) {
    const radius = (i > 0 ? Math.abs(beta[i - 1]) : 0) + (i + 1 < k ? Math.abs(beta[i]) : 0);
    lo = Math.min(lo, alpha[i] - radius);
    hi = Math.max(hi, alpha[i] + radius);
  }
  for (;;) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) return hi;
    if (eigenvaluesBelow(alpha, beta, k, mid) === k) hi = mid;
    else lo = mid;
  }
}

function eigenvaluesBelow(alpha: Float64Array, beta: Float64Array, k: number, x: number): number {
  let count = 0;
  let pivot = 1;
  for (let i = 0; i < k; i++) {
    pivot = alpha[i] - x - (i > 0 ? (beta[i - 1] * beta[i - 1]) / pivot : 0);
    // A zero pivot: x is an eigenvalue of the leading block; nudge it to keep going (LAPACK's dstebz does the same).
    if (pivot === 0) pivot = -Number.MIN_VALUE;
    if (pivot < 0) count++;
  }
  return count;
}

/**
 * |s_k| of the unit eigenvector s of the k x k tridiagonal matrix (alpha, beta) for its top
 * eigenvalue theta (so beta_k |s_k| is the Ritz pair's residual). From the last row up, s_k = 1:
 * the top eigenvector grows that way, which the recurrence computes stably. Rescaled against
 * overflow; NaN only where some beta is so small that the basis is invariant anyway.
 */
export function ritzLastComponent(alpha: Float64Array, beta: Float64Array, k: number, theta: number): number {
  let last = 1;
  let below = 0;
  let current = 1;
  let squares = 1;
  for (let i = k - 1; i > 0; i--) {
    const above = ((theta - alpha[i]) * current - beta[i] * below) / beta[i - 1];
    below = current;
    current = above;
    squares += current * current;
    if (Math.abs(current) > 2 ** 400) {
      const r = 2 ** -400;
      [last, below, current, squares] = [last * r, below * r, current * r, squares * r * r];
    }
  }
  return Math.abs(last) / Math.sqrt(squares);
}
