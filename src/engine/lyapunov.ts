// Finite-time Lyapunov exponents of the backward Jacobian product of the loss step's pass, by
// Benettin's method: k orthonormal vectors per sequence of the batch are carried back through
// each step's linear backward map (the RNN's h_k -> h_{k-1}; the LSTM's joint (h_k, c_k) ->
// (h_{k-1}, c_{k-1})), re-orthonormalised by QR (modified Gram-Schmidt, twice) and the logs of
// |diag R| summed. Their slope is what log10 ||dL_t/dh_k|| tends to as t - k grows.
//
// Scaled arithmetic like the backward pass: each sequence's vectors carry a power of two per
// step (the step's slope or coefficient exponents, see saturatedSteps.ts, and a renormalisation
// after the map), so a step whose slopes are far below 1e-308 still contributes its exact log.
// As in the backward pass, an entry more than 2^-1074 below the largest of its step's block
// (another sequence's, say) is lost; the LSTM forms each part at its own exponent first.
//
// Cost: k vectors per sequence, so about k times the state propagation of the loss step's
// backward pass (the da Wh^T product over N k rows instead of N), plus a QR of k x (H or 2H)
// per sequence and step.
import type { Dims, ForwardTrace } from './forward';
import type { Workspace } from './workspace';
import { LSTM_COEFFICIENTS } from './elementwise';
import { StepScaling } from './saturatedSteps';
import { binaryExponent, ldexp, log10Scaled } from './scaledNumber';
import { normSplit, normalize } from './norms';

export const DEFAULT_LYAPUNOV_K = 4;

export interface LyapunovOptions {
  /** How many exponents (default DEFAULT_LYAPUNOV_K; at most H for the RNN, 2H for the LSTM). */
  k?: number;
  /** Seed of the starting vectors (default 1): the exponents do not depend on it beyond the finite-time error. */
  startSeed?: number;
  /** The starting vectors themselves, (N, k, state size) rows, orthonormalised by the pass (tests only). */
  startVectors?: Float64Array;
}

export interface LyapunovExponents {
  /** The maps in the product: the loss step t (t -> t-1, ..., 1 -> 0). */
  steps: number;
  /** The largest exponent over the batch, decades per step; null when there are no steps. -Infinity: an exact zero. */
  top: number | null;
  /** The exponents of the sequence with the largest one, in QR order (the first is the largest). */
  spectrum: number[];
  /** Per sequence of the batch, its k exponents in QR order, decades per step. */
  perSequence: number[][];
}

/** The architectures the pass knows the backward map of. */
export function hasLyapunovPass(arch: Dims['arch']): boolean {
  return arch === 'rnn' || arch === 'lstm';
}

/** Throws unless k is a count of exponents the pass can compute for this architecture. */
export function checkLyapunovOptions(d: Pick<Dims, 'arch' | 'H'>, options: LyapunovOptions): void {
  if (!hasLyapunovPass(d.arch)) throw new RangeError(`Lyapunov exponents are computed for arch rnn and lstm, not ${d.arch}`);
  const k = options.k ?? DEFAULT_LYAPUNOV_K;
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`lyapunov k must be an integer >= 1 (at most ${stateSize(d)} are computed here), got ${String(k)}`);
  }
}

/** The exponents computed: k, clamped to the dimension of the backward state. */
export function lyapunovCount(d: Pick<Dims, 'arch' | 'H'>, k = DEFAULT_LYAPUNOV_K): number {
  return Math.max(1, Math.min(Math.floor(k), stateSize(d)));
}

function stateSize(d: Pick<Dims, 'arch' | 'H'>): number {
  return d.arch === 'lstm' ? 2 * d.H : d.H;
}

/** Doubles the pass takes in a workspace for k exponents (the vectors, their da, the product). */
export function lyapunovDoubles(d: Dims, k: number): number {
  const rows = d.N * lyapunovCount(d, k);
  return rows * (stateSize(d) + d.G + d.H);
}

/**
 * The pass, one step at a time from k = t down to 1 (step(k) with step k in the trace's window),
 * so that it shares a checkpointed trace's recomputed segments with the loss step's pass.
 */
export class LyapunovBackward {
  private readonly k: number;
  private readonly m: number;
  /** (N, k, m): per sequence its k vectors, each (dh | dc), orthonormal at the start of each step. */
  private readonly V: Float64Array;
  /** (N, k, G): the vectors' dL/da at the step. */
  private readonly da: Float64Array;
  /** (N, k, H): da Wh^T. */
  private readonly product: Float64Array;
  /** (N, k): sum of log10 |R_ii|. */
  private readonly logs: Float64Array;
  /** Per sequence, the LSTM step's coefficient rows rescaled (6H). */
  private readonly rowCoef: Float64Array;
  private steps = 0;

  constructor(
    private readonly f: ForwardTrace,
    readonly t: number,
    ws: Workspace,
    options: LyapunovOptions = {},
  ) {
    const { N, G, H } = f;
    checkLyapunovOptions(f, options);
    this.k = lyapunovCount(f, options.k);
    this.m = stateSize(f);
    const rows = N * this.k;
    this.V = ws.take(rows * this.m);
    this.da = ws.take(rows * G);
    this.product = ws.take(rows * H);
    this.logs = new Float64Array(rows);
    this.rowCoef = new Float64Array(f.arch === 'lstm' ? LSTM_COEFFICIENTS * H : 0);
    if (options.startVectors) this.V.set(options.startVectors.subarray(0, rows * this.m));
    else startingVectors(this.V, rows, this.m, options.startSeed ?? 1);
    for (let n = 0; n < N; n++) orthonormalize(this.V, n * this.k * this.m, this.k, this.m, null, 0);
  }

  /** Applies step k's backward map (k >= 1) to the vectors and re-orthonormalises them. */
  step(k: number): void {
    if (k < 1 || k > this.t) return;
    const { f, V, k: kv, m } = this;
    const { N, H, G } = f;
    const rows = N * kv;
    const exps = f.arch === 'rnn' ? this.rnnMap(k) : this.lstmMap(k);
    f.kernels.gemm(this.product, 0, this.da, 0, f.WhT, 0, rows, G, H);
    for (let r = 0; r < rows; r++) V.set(this.product.subarray(r * H, (r + 1) * H), r * m);
    for (let n = 0; n < N; n++) {
      const off = n * kv * m;
      // The map's output for sequence n is V * 2^exps[n] (its dc parts already in V for the LSTM).
      const e = exps[n] + normalize(V, off, kv * m);
      orthonormalize(V, off, kv, m, this.logs, n * kv, e);
    }
    this.steps++;
  }

  result(): LyapunovExponents {
    const { N } = this.f;
    const perSequence: number[][] = [];
    for (let n = 0; n < N; n++) {
      const row: number[] = [];
      for (let i = 0; i < this.k; i++) row.push(this.steps === 0 ? NaN : this.logs[n * this.k + i] / this.steps);
      perSequence.push(row);
    }
    if (this.steps === 0) return { steps: 0, top: null, spectrum: [], perSequence: perSequence.map(() => []) };
    let best = 0;
    for (let n = 1; n < N; n++) if (perSequence[n][0] > perSequence[best][0]) best = n;
    return { steps: this.steps, top: perSequence[best][0], spectrum: perSequence[best].slice(), perSequence };
  }

  /** da = v o tanh'(a_k), relative to the step's slope exponent (returned per sequence). */
  private rnnMap(k: number): number[] {
    const { f, V, da, k: kv } = this;
    const { N, H } = f;
    const w = f.window;
    const j = k - w.first;
    const sOff = j * N * H;
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < kv; i++) {
        const r = (n * kv + i) * H;
        for (let u = 0; u < H; u++) da[r + u] = V[r + u] * w.slope[sOff + n * H + u];
      }
    }
    const e = f.scaledSteps[k] === StepScaling.plain ? 0 : w.exponents[j];
    return new Array<number>(N).fill(e);
  }

  /**
   * The LSTM's map of (gh, gc) = (dL/dh_k, dL/dc_k): dct = gc + gh o tanh'(c) o, da = (dct g i',
   * dct cPrev f', gh tanh(c) o', dct i g'), gc' = dct f, gh' = da Wh^T. Per sequence, dct is
   * formed at 2^ect, da at 2^ea and the result at 2^eout, each the top exponent of its parts
   * (vector entries are at most 1), so that a part is lost only below 2^-1074 of the largest.
   * Leaves the dc parts of the result in V and returns eout per sequence; da is at 2^ea, which
   * it scales to eout first.
   */
  private lstmMap(k: number): number[] {
    const { f, rowCoef: c } = this;
    const { N, H } = f;
    const K = LSTM_COEFFICIENTS;
    const w = f.window;
    const j = k - w.first;
    const scaled = f.scaledSteps[k] !== StepScaling.plain;
    const E = (b: number): number => (scaled ? w.exponents[K * j + b] : 0);
    const out: number[] = [];
    for (let n = 0; n < N; n++) {
      const base = K * j * N * H + n * K * H;
      if (!scaled) {
        // Every coefficient of an unsaturated step is a normal double, and so is each product.
        this.lstmRows(n, w.coef, base, 0, 0);
        out.push(0);
        continue;
      }
      const top = (b: number): number => {
        let mx = 0;
        for (let u = 0; u < H; u++) mx = Math.max(mx, Math.abs(w.coef[base + b * H + u]));
        return mx === 0 ? -Infinity : E(b) + binaryExponent(mx);
      };
      const tops = [0, 1, 2, 3, 4, 5].map(top);
      const ect = Math.max(0, tops[0]);
      const ea = finiteOr(Math.max(ect + tops[1], ect + tops[2], tops[3], ect + tops[4]), 0);
      const eout = finiteOr(Math.max(ea, ect + tops[5]), ea);
      // The coefficient rows at the exponents their products are formed at.
      const shifts = [E(0) - ect, E(1) + ect - ea, E(2) + ect - ea, E(3) - ea, E(4) + ect - ea, E(5) + ect - eout];
      for (let b = 0; b < K; b++) {
        const shift = shifts[b];
        for (let u = 0; u < H; u++)
          c[b * H + u] = shift === 0 ? w.coef[base + b * H + u] : ldexp(w.coef[base + b * H + u], shift);
      }
      this.lstmRows(n, c, 0, -ect, ea - eout);
      out.push(eout);
    }
    return out;
  }

  /**
   * Sequence n's rows through the LSTM's map with its coefficient rows at coef[base..] (block b
   * at base + b H), the dc parts of V scaled by 2^gcShift first and da by 2^daShift after.
   */
  private lstmRows(n: number, c: Float64Array, base: number, gcShift: number, daShift: number): void {
    const { f, V, da, k: kv, m } = this;
    const { H, G } = f;
    const c0 = base,
      c1 = base + H,
      c2 = base + 2 * H,
      c3 = base + 3 * H,
      c4 = base + 4 * H,
      c5 = base + 5 * H;
    for (let i = 0; i < kv; i++) {
      const v = (n * kv + i) * m;
      const a = (n * kv + i) * G;
      for (let u = 0; u < H; u++) {
        const gh = V[v + u];
        const dct = (gcShift === 0 ? V[v + H + u] : ldexp(V[v + H + u], gcShift)) + gh * c[c0 + u];
        da[a + u] = dct * c[c1 + u];
        da[a + H + u] = dct * c[c2 + u];
        da[a + 2 * H + u] = gh * c[c3 + u];
        da[a + 3 * H + u] = dct * c[c4 + u];
        V[v + H + u] = dct * c[c5 + u];
      }
      if (daShift !== 0) for (let x = a; x < a + G; x++) da[x] = ldexp(da[x], daShift);
    }
  }
}

function finiteOr(x: number, fallback: number): number {
  return Number.isFinite(x) ? x : fallback;
}

/** Uniform entries in [-1, 1) from a small deterministic generator (mulberry32). */
function startingVectors(V: Float64Array, rows: number, m: number, seed: number): void {
  let s = seed >>> 0;
  for (let i = 0; i < rows * m; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    V[i] = (((x ^ (x >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
}

const norm = { m: 0, k: 0 };

/**
 * Orthonormalises the k rows of length m at off (modified Gram-Schmidt, each row projected twice),
 * adding log10 |R_ii| * 2^exponent to logs[logOff + i] when logs is given. A row that is exactly
 * 0 after projection has |R_ii| = 0 (log -Infinity) and is replaced by a unit vector orthogonal
 * to the rows before it, so the rest of the pass still has an orthonormal set.
 */
function orthonormalize(
  V: Float64Array,
  off: number,
  k: number,
  m: number,
  logs: Float64Array | null,
  logOff: number,
  exponent = 0,
): void {
  for (let i = 0; i < k; i++) {
    const vi = off + i * m;
    project(V, off, i, m);
    normSplit(V, vi, m, norm);
    if (logs) logs[logOff + i] += log10Scaled(norm.m, norm.k + exponent);
    if (norm.m === 0) {
      replaceByOrthogonalUnit(V, off, i, m);
      continue;
    }
    if (norm.k === 0) {
      const inv = 1 / norm.m;
      for (let x = vi; x < vi + m; x++) V[x] *= inv;
    } else {
      for (let x = vi; x < vi + m; x++) V[x] = ldexp(V[x], -norm.k) / norm.m;
    }
  }
}

/** Row i minus its projections on rows 0..i-1 (orthonormal), twice ("twice is enough"). */
function project(V: Float64Array, off: number, i: number, m: number): void {
  const vi = off + i * m;
  for (let pass = 0; pass < 2; pass++) {
    for (let q = 0; q < i; q++) {
      const vq = off + q * m;
      let r = 0;
      for (let x = 0; x < m; x++) r += V[vq + x] * V[vi + x];
      if (r === 0) continue;
      for (let x = 0; x < m; x++) V[vi + x] -= r * V[vq + x];
    }
  }
}

function replaceByOrthogonalUnit(V: Float64Array, off: number, i: number, m: number): void {
  const vi = off + i * m;
  for (let basis = 0; basis < m; basis++) {
    V.fill(0, vi, vi + m);
    V[vi + basis] = 1;
    project(V, off, i, m);
    normSplit(V, vi, m, norm);
    if (norm.m > 1e-8) {
      for (let x = vi; x < vi + m; x++) V[x] = ldexp(V[x], -norm.k) / norm.m;
      return;
    }
  }
}
