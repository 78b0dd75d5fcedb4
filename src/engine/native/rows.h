/*
 * The product for few rows (a batch of 1 to 4) or a short inner dimension: C's rows are formed
 * directly from whole rows of B, four rows of B per pass over a 512-column slice of C, which
 * stays in L1. No packing: B and C are each streamed row by row, the order the hardware
 * prefetchers follow, and nothing is computed for padding. (The packed 6 x 8 tiles of gemm.c
 * would compute mostly zeros here, and walk B or C by columns.)
 *
 * A template, inlined into the generic and NEON kernels (microkernel_generic.c, _neon.c) so that
 * the compiler vectorizes the column loops for that set. The AVX2 kernel writes the same product
 * out in FMAs over wider slices (microkernel_avx2.c).
 */
#ifndef SEQLAB_ROWS_H
#define SEQLAB_ROWS_H

#include <stddef.h>

/* Columns of C per slice: up to 4 rows x 512 doubles = 16 KiB. */
#define SEQ_ROWS_SLICE 512

/* c[j] (+)= sum_q a[q] * b_q[j] for j < n, over `rows` rows of C at once sharing the B rows. */
static inline __attribute__((always_inline)) void seq_rows_pass(
    size_t rows, size_t n, size_t depth, const double *a, ptrdiff_t a_row, const double *const *b, double *const *c) {
  /* a[m * a_row + q]: the coefficient of B row q for C row m. */
  if (depth == 4) {
    const double *restrict b0 = b[0], *restrict b1 = b[1], *restrict b2 = b[2], *restrict b3 = b[3];
    for (size_t m = 0; m < rows; m++) {
      double *restrict cm = c[m];
      const double a0 = a[m * a_row], a1 = a[m * a_row + 1], a2 = a[m * a_row + 2], a3 = a[m * a_row + 3];
      for (size_t j = 0; j < n; j++) cm[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
    }
  } else {
    for (size_t q = 0; q < depth; q++) {
      const double *restrict bq = b[q];
      for (size_t m = 0; m < rows; m++) {
        double *restrict cm = c[m];
        const double aq = a[m * a_row + q];
        for (size_t j = 0; j < n; j++) cm[j] += aq * bq[j];
      }
    }
  }
}

/* Points c[m] at row i0 + m of C from column j0, m < rows, and zeroes its n entries unless accumulating. */
static inline __attribute__((always_inline)) void seq_rows_slice(size_t rows, size_t i0, size_t j0, size_t n, double *C,
                                                                ptrdiff_t sc1, int accumulate, double **c) {
  for (size_t m = 0; m < rows; m++) {
    c[m] = C + (ptrdiff_t)(i0 + m) * sc1 + (ptrdiff_t)j0;
    if (!accumulate)
      for (size_t j = 0; j < n; j++) c[m][j] = 0.0;
  }
}

static inline __attribute__((always_inline)) void seq_rows_template(
    size_t M, size_t N, size_t K, const double *A, ptrdiff_t sa1, ptrdiff_t sa2,
    const double *B, ptrdiff_t sb1, int accumulate, double *C, ptrdiff_t sc1) {
  for (size_t i0 = 0; i0 < M; i0 += 4) {
    const size_t rows = M - i0 < 4 ? M - i0 : 4;
    for (size_t j0 = 0; j0 < N; j0 += SEQ_ROWS_SLICE) {
      const size_t n = N - j0 < SEQ_ROWS_SLICE ? N - j0 : SEQ_ROWS_SLICE;
      double *c[4];
      seq_rows_slice(rows, i0, j0, n, C, sc1, accumulate, c);
      for (size_t k0 = 0; k0 < K; k0 += 4) {
        const size_t depth = K - k0 < 4 ? K - k0 : 4;
        double a[4 * 4];
        const double *b[4];
        for (size_t q = 0; q < depth; q++) {
          b[q] = B + (ptrdiff_t)(k0 + q) * sb1 + (ptrdiff_t)j0;
          for (size_t m = 0; m < rows; m++) a[m * 4 + q] = A[(ptrdiff_t)(i0 + m) * sa1 + (ptrdiff_t)(k0 + q) * sa2];
        }
        seq_rows_pass(rows, n, depth, a, 4, b, c);
      }
    }
  }
}

#endif
