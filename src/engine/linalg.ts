// Dense float64 kernels over flat row-major arrays. The loops are unrolled by hand because V8
// does not vectorize: four rows of B per pass over an output row halves its loads and stores.
import {
  addBias,
  columnSums,
  lstmCarry,
  lstmCellBackward,
  lstmForwardStep,
  rnnCellBackward,
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
 * out (+)= A B (gemmAcc with `accumulate`, else gemm), with B (K x P) given both ways: row-major
 * at bOff and as its transpose Bt (P x K, row-major) at btOff, since the engine keeps each weight
 * matrix both ways. These kernels (and the WebAssembly ones) read B; the native ones read the
 * rows of Bt as dot products for a batch of 1 to 4 rows (native/dots_avx2.c), the one product
 * that streams the weights from memory at large H.
 */
export function gemmPaired(
  accumulate: boolean,
  out: Float64Array,
  oOff: number,
  A: Float64Array,
  aOff: number,
  B: Float64Array,
  bOff: number,
  _Bt: Float64Array,
  _btOff: number,
  M: number,
  K: number,
  P: number,
): void {
  if (accumulate) gemmAcc(out, oOff, A, aOff, B, bOff, M, K, P);
  else gemm(out, oOff, A, aOff, B, bOff, M, K, P);
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
 * out[i] = sum_j S[i*n + j] * v[j] for i < n, each sum from 0 in j order: S v for a symmetric
 * n x n S (the WebAssembly version reads S by columns, so S must be exactly symmetric). Four
 * rows at a time, so that four independent sums advance together.
 */
export function symv(S: Float64Array, n: number, v: Float64Array, out: Float64Array): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const r0 = i * n,
      r1 = r0 + n,
      r2 = r1 + n,
      r3 = r2 + n;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let j = 0; j < n; j++) {
      const vj = v[j];
      s0 += S[r0 + j] * vj;
      s1 += S[r1 + j] * vj;
      s2 += S[r2 + j] * vj;
      s3 += S[r3 + j] * vj;
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += S[i * n + j] * v[j];
    out[i] = s;
  }
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
 * The dense and elementwise kernels a probe runs, in plain JS or (see wasm/) WebAssembly SIMD.
 * The elementwise ones are documented in elementwise.ts.
 */
export interface Kernels {
  gemmAcc: typeof gemmAcc;
  gemm: typeof gemm;
  gemmPaired: typeof gemmPaired;
  gramUpper: typeof gramUpper;
  transposeTimesAcc: typeof transposeTimesAcc;
  addBias: typeof addBias;
  lstmForwardStep: typeof lstmForwardStep;
  rnnForwardStep: typeof rnnForwardStep;
  rnnCellBackward: typeof rnnCellBackward;
  lstmCellBackward: typeof lstmCellBackward;
  lstmCarry: typeof lstmCarry;
  maxAbs: typeof maxAbs;
  scale: typeof scale;
  sumSquares: typeof sumSquares;
  columnSums: typeof columnSums;
  symv: typeof symv;
}

export const jsKernels: Kernels = {
  gemmAcc,
  gemm,
  gemmPaired,
  gramUpper,
  transposeTimesAcc,
  addBias,
  lstmForwardStep,
  rnnForwardStep,
  rnnCellBackward,
  lstmCellBackward,
  lstmCarry,
  maxAbs,
  scale,
  sumSquares,
  columnSums,
  symv,
};
