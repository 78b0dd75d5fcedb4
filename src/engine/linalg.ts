// Dense float64 kernels over flat row-major arrays. The loops are unrolled by hand because V8
// does not vectorize: four rows of B per pass over an output row halves its loads and stores.
import {
  addBias,
  columnSums,
  lstmCarry,
  lstmCellBackward,
  lstmForwardStep,
  rnnCellBackward,
  forgetStep,
  scale,
  sumSquares,
  rnnForwardStep,
} from './elementwise';

/** out[M x P] += A[M x K] @ B[K x P]. */
export function gemmAcc(
  out: Float64Array,
  oOff: number,
  A: Float64Array,
  aOff: number,
  B: Float64Array,
  bOff: number,
  M: number,
  K: number,
  P: number,
): void {
  for (let m = 0; m < M; m++) {
    const o = oOff + m * P;
    const aRow = aOff + m * K;
    let k = 0;
    for (; k + 3 < K; k += 4) {
      const a0 = A[aRow + k],
        a1 = A[aRow + k + 1],
        a2 = A[aRow + k + 2],
        a3 = A[aRow + k + 3];
      const b0 = bOff + k * P,
        b1 = b0 + P,
        b2 = b1 + P,
        b3 = b2 + P;
      for (let j = 0; j < P; j++) {
        out[o + j] += a0 * B[b0 + j] + a1 * B[b1 + j] + a2 * B[b2 + j] + a3 * B[b3 + j];
      }
    }
    for (; k < K; k++) {
      const a0 = A[aRow + k];
      const b0 = bOff + k * P;
      for (let j = 0; j < P; j++) out[o + j] += a0 * B[b0 + j];
    }
  }
}

/** out[M x P] = A[M x K] @ B[K x P]. */
export function gemm(
  out: Float64Array,
  oOff: number,
  A: Float64Array,
  aOff: number,
  B: Float64Array,
  bOff: number,
  M: number,
  K: number,
  P: number,
): void {
  out.fill(0, oOff, oOff + M * P);
  gemmAcc(out, oOff, A, aOff, B, bOff, M, K, P);
}

/**
 * A weight matrix B (K x P) that every step multiplies, in the forms kernels read: row-major,
 * its transpose Bt (P x K, row-major; the engine keeps each weight matrix both ways), and B
 * packed for the native blocked product (native/gemm.c) where that pays (packsWeights), else null.
 */
export interface StepWeights {
  readonly B: Float64Array;
  readonly Bt: Float64Array;
  readonly packed: Float64Array | null;
  readonly K: number;
  readonly P: number;
}

/** B and Bt as StepWeights, unpacked (these kernels and the WebAssembly ones never pack). */
export function stepWeights(B: Float64Array, Bt: Float64Array, K: number, P: number): StepWeights {
  return { B, Bt, packed: null, K, P };
}

/**
 * Whether the native kernels pack a K x P weight matrix once for products with batches of
 * `rows` rows: for 5 rows or more, where packing B in every product cost up to 40% of it (16 x
 * 1024 x 4096: 19.5 GFLOP/s packing each time, 26.7 packed once; 16 x 256 x 1024: 24 against
 * 41), B of at least 8192 doubles (64 KiB; below, one read in place costs no more: 16 x 16 x 64
 * 0.81 against 0.83 us, but 16 x 64 x 256 took 9.4 us in place, its rows 2 KiB apart in few
 * cache sets, 7.4 packed, with the AVX-512 kernels) and at most 8M doubles (64 MiB), so that the
 * packed copy stays a small part of a probe's memory. (An earlier session's machine, with a 2 MiB
 * L2 and so 288-row blocks, packed as fast each time at 128 rows, and this stopped at 64; on this
 * project's EPYC of 2026-12-04, a 1 MiB L2 and 144-row blocks, a batch of 256 packs B twice a
 * product, pack_b was 9.5% of the grid's RNN H = 1024, N = 256, and packing once took its
 * products from 45.1-45.7 to 45.5-48.9 GFLOP/s, 128 rows from 42.3-44.9 to 46.9-49.3.) The memory
 * check counts the copies (tracePlan.ts).
 */
export function packsWeights(rows: number, K: number, P: number): boolean {
  return rows >= 5 && K * P >= 8192 && K * P <= 8 * 1024 ** 2;
}

/** Doubles of a K x P matrix packed (native/gemm.h, seq_packed_doubles: P rounded up to 8). */
export function packedDoubles(K: number, P: number): number {
  return K * Math.ceil(P / 8) * 8;
}

/**
 * out (+)= A W.B (gemmAcc with `accumulate`, else gemm) for A of M rows. These kernels (and the
 * WebAssembly ones) read W.B; the native ones read the rows of W.Bt as dot products for a batch
 * of 1 to 4 rows (native/dots_avx2.c: the product that streams the weights from memory at large
 * H), and W.packed where there is one.
 */
export function gemmPaired(
  accumulate: boolean,
  out: Float64Array,
  oOff: number,
  A: Float64Array,
  aOff: number,
  W: StepWeights,
  M: number,
): void {
  if (accumulate) gemmAcc(out, oOff, A, aOff, W.B, 0, M, W.K, W.P);
  else gemm(out, oOff, A, aOff, W.B, 0, M, W.K, W.P);
}

/** dst (cols x rows) := src (rows x cols)^T, both row-major, in square tiles. */
export function transposeInto(dst: Float64Array, src: Float64Array, rows: number, cols: number): void {
  // Tiles of 32 x 32: walking the whole of dst by columns missed the cache on every store,
  // which cost 0.1 s on the LSTM's 32 MiB Wh at H = 1024.
  const T = 32;
  for (let i0 = 0; i0 < rows; i0 += T) {
    const i1 = Math.min(rows, i0 + T);
    for (let j0 = 0; j0 < cols; j0 += T) {
      const j1 = Math.min(cols, j0 + T);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) dst[j * rows + i] = src[i * cols + j];
    }
  }
}

/**
 * out[j] := sum over i of |src[i, j]| (src rows x cols, row-major), each column summed over
 * ascending i: a bound on what the weights can add to a pre-activation (forward.ts).
 */
export function absColumnSums(src: Float64Array, rows: number, cols: number, out: Float64Array): void {
  // Row by row (the weights are row-major): column by column, each read is `cols` doubles from
  // the last, a cache miss apiece (33 ms for the LSTM's Wh at H = 1024, this way 3 ms).
  out.fill(0, 0, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j] += Math.abs(src[i * cols + j]);
}

/** Dot product of a[aOff .. aOff+len) and b[bOff .. bOff+len), four accumulators. */
export function dot(a: Float64Array, aOff: number, b: Float64Array, bOff: number, len: number): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  let j = 0;
  for (; j + 3 < len; j += 4) {
    s0 += a[aOff + j] * b[bOff + j];
    s1 += a[aOff + j + 1] * b[bOff + j + 1];
    s2 += a[aOff + j + 2] * b[bOff + j + 2];
    s3 += a[aOff + j + 3] * b[bOff + j + 3];
  }
  for (; j < len; j++) s0 += a[aOff + j] * b[bOff + j];
  return s0 + s1 + (s2 + s3);
}

/** Upper triangle (m >= n) of the Gram matrix A A^T of A[M x K], into out[M x M]. */
export function gramUpper(out: Float64Array, A: Float64Array, aOff: number, M: number, K: number): void {
  for (let n = 0; n < M; n++) {
    for (let m = n; m < M; m++) out[n * M + m] = dot(A, aOff + n * K, A, aOff + m * K, K);
  }
}

/**
 * out[i] = sum_j A[aOff + i*n + j] * v[j] for i < rows, each sum from 0 in j order: A v for A
 * of `rows` rows of n (row-major). Four rows at a time, so that four independent sums advance
 * together.
 */
export function rowDots(A: Float64Array, aOff: number, rows: number, n: number, v: Float64Array, out: Float64Array): void {
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const r0 = aOff + i * n,
      r1 = r0 + n,
      r2 = r1 + n,
      r3 = r2 + n;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let j = 0; j < n; j++) {
      const vj = v[j];
      s0 += A[r0 + j] * vj;
      s1 += A[r1 + j] * vj;
      s2 += A[r2 + j] * vj;
      s3 += A[r3 + j] * vj;
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[aOff + i * n + j] * v[j];
    out[i] = s;
  }
}

/**
 * S v for a symmetric n x n S: rowDots of its rows (the WebAssembly version reads S by columns,
 * so S must be exactly symmetric).
 */
export function symv(S: Float64Array, n: number, v: Float64Array, out: Float64Array): void {
  rowDots(S, 0, n, n, v, out);
}

export function maxAbs(a: Float64Array, off: number, len: number): number {
  let m = 0;
  for (let i = off; i < off + len; i++) {
    const v = Math.abs(a[i]);
    if (v > m) m = v;
  }
  return m;
}

/** out[K x G] += A_rows^T (K x N) @ da (N x G), where A_rows is N rows of K at aOff. */
export function transposeTimesAcc(
  A: Float64Array,
  aOff: number,
  K: number,
  da: Float64Array,
  N: number,
  G: number,
  out: Float64Array,
): void {
  for (let n = 0; n < N; n++) {
    const r = n * G;
    for (let i = 0; i < K; i++) {
      const a = A[aOff + n * K + i];
      if (a === 0) continue;
      const o = i * G;
      for (let j = 0; j < G; j++) out[o + j] += a * da[r + j];
    }
  }
}

/**
 * Copies (N, T, F) into (T, N, F), so that one step's batch is contiguous; with `onlyStep`, just
 * that step's rows (the rest of `out` is left as it is).
 */
export function copyTimeMajor(a: Float64Array, out: Float64Array, N: number, T: number, F: number, onlyStep?: number): void {
  const from = onlyStep ?? 0;
  const to = onlyStep === undefined ? T : onlyStep + 1;
  for (let n = 0; n < N; n++) {
    for (let t = from; t < to; t++) {
      // An element loop: rows are short (F = D or H), where subarray + set would allocate per row.
      const src = (n * T + t) * F;
      const dst = (t * N + n) * F;
      for (let f = 0; f < F; f++) out[dst + f] = a[src + f];
    }
  }
}

/**
 * The dense and elementwise kernels a probe runs, in plain JS or (see wasm/) WebAssembly SIMD.
 * The elementwise ones are documented in elementwise.ts.
 */
export interface Kernels {
  gemmAcc: typeof gemmAcc;
  gemm: typeof gemm;
  gemmPaired: typeof gemmPaired;
  /**
   * B and Bt as StepWeights for products with `rows`-row batches, packed where these kernels gain
   * from it (packsWeights): into `packInto` (packedDoubles(K, P) doubles, a view of the probe's
   * arena) when given, else into an array of their own.
   */
  prepareWeights(B: Float64Array, Bt: Float64Array, K: number, P: number, rows: number, packInto?: Float64Array): StepWeights;
  gramUpper: typeof gramUpper;
  transposeTimesAcc: typeof transposeTimesAcc;
  transposeInto: typeof transposeInto;
  absColumnSums: typeof absColumnSums;
  copyTimeMajor: typeof copyTimeMajor;
  addBias: typeof addBias;
  lstmForwardStep: typeof lstmForwardStep;
  rnnForwardStep: typeof rnnForwardStep;
  rnnCellBackward: typeof rnnCellBackward;
  forgetStep: typeof forgetStep;
  lstmCellBackward: typeof lstmCellBackward;
  lstmCarry: typeof lstmCarry;
  maxAbs: typeof maxAbs;
  scale: typeof scale;
  sumSquares: typeof sumSquares;
  columnSums: typeof columnSums;
  symv: typeof symv;
  rowDots: typeof rowDots;
  /** A forward step and a loss-step backward step in one native call each, where the native module has them; else absent. */
  fusedSteps?: FusedStepKernels;
  /**
   * dotsRider (below) in one native pass over Bt, where the native module has it; else absent,
   * and sigma_max(Wh) comes from its Gram matrix (spectralRider.ts). Its results agree with the
   * JS function to rounding, c with rowDots of the same kernels to the bit.
   */
  dotsRider?: typeof dotsRider;
}

/** Which half of a Lanczos product a rider computes (seq_rider_half of native/gemm.h). */
export const RiderHalf = {
  /** y = Bt x */
  Y: 1,
  /** w += Bt^T y */
  W: 2,
} as const;
export type RiderHalf = (typeof RiderHalf)[keyof typeof RiderHalf];

/**
 * c[j] = a . Bt_j for the N rows of Bt (K each), and half of a product with Bt^T Bt riding on
 * them: RiderHalf.Y, y[j] = x . Bt_j; RiderHalf.W, w[k] += sum_j y[j] Bt_j[k]. The plain twin of
 * the native kernel (seq_dots_rider_fn of native/gemm.h), which reads each row of Bt once.
 */
export function dotsRider(
  N: number,
  K: number,
  a: Float64Array,
  Bt: Float64Array,
  c: Float64Array,
  half: RiderHalf,
  x: Float64Array,
  y: Float64Array,
  w: Float64Array,
): void {
  for (let j = 0; j < N; j++) {
    const row = j * K;
    let s = 0;
    for (let k = 0; k < K; k++) s += a[k] * Bt[row + k];
    c[j] = s;
    if (half === RiderHalf.Y) {
      let sx = 0;
      for (let k = 0; k < K; k++) sx += x[k] * Bt[row + k];
      y[j] = sx;
    } else {
      const yj = y[j];
      for (let k = 0; k < K; k++) w[k] += yj * Bt[row + k];
    }
  }
}

/** The weights a batch's product reads (the route gemmPaired takes; native/lossStep.h, seq_carry_route). */
export const PairedRoute = {
  /** B, by the blocked product or row by row. */
  B: 0,
  /** Bt as dot products. */
  Bt: 1,
  /** B packed (StepWeights.packed). */
  Packed: 2,
} as const;
export type PairedRoute = (typeof PairedRoute)[keyof typeof PairedRoute];

export interface FusedStepKernels {
  /** A backward step on the buffers of `arena` that `plan` (fusedLossStep.ts, LOSS_STEP_SLOTS) locates. */
  lossStep(arena: Float64Array, plan: Float64Array): void;
  /** A forward step (fusedForwardStep.ts, FORWARD_STEP_SLOTS), the LSTM's forget-gate products and events apart. */
  forwardStep(arena: Float64Array, plan: Float64Array, products: Float64Array, events: Float64Array): void;
  /** The route gemmPaired takes for a batch of `rows` rows with W. */
  route(W: StepWeights, rows: number): PairedRoute;
}

export const jsKernels: Kernels = {
  gemmAcc,
  gemm,
  gemmPaired,
  prepareWeights: (B, Bt, K, P) => stepWeights(B, Bt, K, P),
  gramUpper,
  transposeTimesAcc,
  transposeInto,
  absColumnSums,
  copyTimeMajor,
  addBias,
  lstmForwardStep,
  rnnForwardStep,
  rnnCellBackward,
  forgetStep,
  lstmCellBackward,
  lstmCarry,
  maxAbs,
  scale,
  sumSquares,
  columnSums,
  symv,
  rowDots,
};
