/* The x86-64 micro-kernel: 6 x 8 doubles in twelve 256-bit registers, one FMA per register per
 * step of k. Compiled for AVX2+FMA by a target attribute, so the rest of the module (and the
 * generic kernel) still runs on CPUs without them; microkernels.c only picks it where
 * __builtin_cpu_supports says it runs. */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "gemm.h"
#include "rows.h"

/* Row i of the tile: two accumulators, c<i>0 and c<i>1 (an array of them, even inlined, was kept
 * in memory by GCC and stored every step: half the speed). ROWS6 / ROWS4 apply X to each row. */
#define ROWS6(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define ROWS4(X) X(0) X(1) X(2) X(3)
#define DECLARE(i) __m256d c##i##0 = _mm256_setzero_pd(), c##i##1 = _mm256_setzero_pd();
#define PREFETCH(i) _mm_prefetch((const char *)(c + (ptrdiff_t)(i) * ldc), _MM_HINT_T0);
#define ROW(i)                                                                                    \
  {                                                                                               \
    const __m256d ai = _mm256_broadcast_sd(a + (i));                                              \
    c##i##0 = _mm256_fmadd_pd(ai, b0, c##i##0);                                                   \
    c##i##1 = _mm256_fmadd_pd(ai, b1, c##i##1);                                                   \
  }
#define STORE(i)                                                                                  \
  {                                                                                               \
    double *r = c + (ptrdiff_t)(i) * ldc;                                                         \
    if (accumulate) {                                                                             \
      c##i##0 = _mm256_add_pd(c##i##0, _mm256_loadu_pd(r));                                       \
      c##i##1 = _mm256_add_pd(c##i##1, _mm256_loadu_pd(r + 4));                                   \
    }                                                                                             \
    _mm256_storeu_pd(r, c##i##0);                                                                 \
    _mm256_storeu_pd(r + 4, c##i##1);                                                             \
  }

/* A micro-kernel for the rows ROWS lists, one FMA per accumulator per step of k. */
#define MICROKERNEL(name, ROWS)                                                                   \
  __attribute__((target("avx2,fma"))) void name(size_t kc, const double *a, const double *b, ptrdiff_t ldb, \
                                                double *c, ptrdiff_t ldc, int accumulate) {      \
    ROWS(DECLARE)                                                                                 \
    ROWS(PREFETCH)                                                                                \
    _Pragma("GCC unroll 4") for (size_t k = 0; k < kc; k++) {                                     \
      const __m256d b0 = _mm256_loadu_pd(b);                                                      \
      const __m256d b1 = _mm256_loadu_pd(b + 4);                                                  \
      ROWS(ROW)                                                                                   \
      a += SEQ_MR;                                                                                \
      b += ldb;                                                                                   \
    }                                                                                             \
    ROWS(STORE)                                                                                   \
  }

MICROKERNEL(seq_microkernel_avx2, ROWS6)

/* The last micro-panel of a block when it has at most 4 rows (a batch of 16 is 6 + 6 + 4): the
 * 6-row kernel would multiply two rows of zeros there, a third of its work. Eight accumulators
 * still cover the two FMA units' latency. Same A layout (a[k*MR + i]); rows 4 and 5 unread. */
MICROKERNEL(seq_microkernel4_avx2, ROWS4)

/*
 * The row-by-row product (rows.h's, written out in FMAs): for each group of up to 4 rows of C
 * and each slice of SEQ_ROWS_AVX2_SLICE columns, B is read 4 rows at a time and every C row of
 * the group takes c += a0 b0 + a1 b1 + a2 b2 + a3 b3 as four FMAs, each B vector loaded once
 * for the group. The slice is 4 times rows.h's: the batch-of-one forward product of the LSTM at
 * H = 1024 (1 x 1024 x 4096) streams 16 KiB runs of each B row instead of 4 KiB ones. From
 * memory, 441 such products in a row took 1.42 ms each (the median of five runs) against 1.55 ms
 * as dot products with Bt (dots_avx2.c); rows.h's compiler-vectorised loop had taken 2.5 ms.
 * C's slices (up to 4 x 16 KiB) stay in L2.
 */
#define SEQ_ROWS_AVX2_SLICE 2048

__attribute__((always_inline, target("avx2,fma"))) static inline void rows_pass(
    const int rows, size_t n, const double *const *b, const __m256d a[4][4], const double sa[4][4], int depth,
    double *const *c) {
  size_t j = 0;
  if (depth == 4) {
    for (; j + 4 <= n; j += 4) {
      const __m256d b0 = _mm256_loadu_pd(b[0] + j), b1 = _mm256_loadu_pd(b[1] + j);
      const __m256d b2 = _mm256_loadu_pd(b[2] + j), b3 = _mm256_loadu_pd(b[3] + j);
      for (int m = 0; m < rows; m++) {
        __m256d x = _mm256_loadu_pd(c[m] + j);
        x = _mm256_fmadd_pd(a[m][0], b0, x);
        x = _mm256_fmadd_pd(a[m][1], b1, x);
        x = _mm256_fmadd_pd(a[m][2], b2, x);
        x = _mm256_fmadd_pd(a[m][3], b3, x);
        _mm256_storeu_pd(c[m] + j, x);
      }
    }
  } else {
    for (; j + 4 <= n; j += 4)
      for (int m = 0; m < rows; m++) {
        __m256d x = _mm256_loadu_pd(c[m] + j);
        for (int q = 0; q < depth; q++) x = _mm256_fmadd_pd(a[m][q], _mm256_loadu_pd(b[q] + j), x);
        _mm256_storeu_pd(c[m] + j, x);
      }
  }
  /* The last n mod 4 columns: the same FMAs, one lane at a time. */
  for (; j < n; j++)
    for (int m = 0; m < rows; m++) {
      double x = c[m][j];
      for (int q = 0; q < depth; q++) x = __builtin_fma(sa[m][q], b[q][j], x);
      c[m][j] = x;
    }
}

#define ROWS_GROUP(R)                                                                                     \
  __attribute__((target("avx2,fma"))) static void rows_group_##R(                                        \
      size_t n, size_t K, const double *A, ptrdiff_t sa1, ptrdiff_t sa2, const double *B, ptrdiff_t sb1,  \
      double *const *c) {                                                                                 \
    for (size_t k0 = 0; k0 < K; k0 += 4) {                                                                \
      const int depth = K - k0 < 4 ? (int)(K - k0) : 4;                                                   \
      const double *b[4];                                                                                 \
      __m256d a[4][4];                                                                                    \
      double sa[4][4];                                                                                    \
      for (int q = 0; q < depth; q++) {                                                                   \
        b[q] = B + (ptrdiff_t)(k0 + q) * sb1;                                                             \
        for (int m = 0; m < (R); m++) {                                                                   \
          sa[m][q] = A[m * sa1 + (ptrdiff_t)(k0 + q) * sa2];                                              \
          a[m][q] = _mm256_set1_pd(sa[m][q]);                                                             \
        }                                                                                                 \
      }                                                                                                   \
      rows_pass((R), n, b, a, sa, depth, c);                                                              \
    }                                                                                                     \
  }
ROWS_GROUP(1)
ROWS_GROUP(2)
ROWS_GROUP(3)
ROWS_GROUP(4)

__attribute__((target("avx2,fma")))
void seq_rows_avx2(size_t M, size_t N, size_t K, const double *A, ptrdiff_t sa1, ptrdiff_t sa2,
                 const double *B, ptrdiff_t sb1, int accumulate, double *C, ptrdiff_t sc1) {
  for (size_t i0 = 0; i0 < M; i0 += 4) {
    const size_t rows = M - i0 < 4 ? M - i0 : 4;
    const double *a = A + (ptrdiff_t)i0 * sa1;
    for (size_t j0 = 0; j0 < N; j0 += SEQ_ROWS_AVX2_SLICE) {
      const size_t n = N - j0 < SEQ_ROWS_AVX2_SLICE ? N - j0 : SEQ_ROWS_AVX2_SLICE;
      double *c[4];
      seq_rows_slice(rows, i0, j0, n, C, sc1, accumulate, c);
      const double *b = B + (ptrdiff_t)j0;
      switch (rows) {
        case 1: rows_group_1(n, K, a, sa1, sa2, b, sb1, c); break;
        case 2: rows_group_2(n, K, a, sa1, sa2, b, sb1, c); break;
        case 3: rows_group_3(n, K, a, sa1, sa2, b, sb1, c); break;
        default: rows_group_4(n, K, a, sa1, sa2, b, sb1, c); break;
      }
    }
  }
}
#endif
