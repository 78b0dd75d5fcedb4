/* Products as dot products of rows: C[m, j] (+)= dot(row m of A, row j of Bt), where Bt is B
 * given by its transpose (the engine keeps every weight matrix both ways), for two shapes the
 * packed product (gemm.c) serves badly:
 *
 *  - A batch of 1 to 4 rows against a B no wider than deep: the backward matrix-vector product of
 *    the LSTM at large H (1 x 4H x H), bound by reading the weights from memory. As dot products
 *    each row of Bt (4H long) is read once, front to back, and nothing is stored but C, where the
 *    row-by-row path (rows.h) reads B's short rows and also loads and stores C once per four rows
 *    of B. (A wider B, the forward product, is read row by row: its rows are the long ones.
 *    Walking the rows of Bt in alternating directions on successive calls, so that the rows read
 *    last would still be cached when the next call starts, measured no faster for the LSTM's
 *    32 MiB Wh at H = 1024 against this machine's 32 MiB L3.)
 *  - The upper triangle of a small Gram matrix A A^T (Bt = A; `upper`), such as the batch's
 *    16 x 16 Gram of the hidden states, where 6 x 8 tiles would be mostly padding.
 *
 * Sums lane by lane, then across the lanes, then the last K mod 4 terms: results differ from
 * the other paths only in rounding. The AVX-512 set runs its 4-row groups in 512-bit vectors,
 * two entries' AVX2 lanes in each (seq_dots_avx512), with the same bits. */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "gemm.h"

__attribute__((target("avx2,fma"))) static inline double sum_lanes(__m256d v) {
  const __m128d pair = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)));
}

/*
 * The MR x JB block of C at c: MR rows of A against JB rows of Bt (MR * JB <= 8 accumulators).
 * With `upper`, only the entries with j0 + q >= i0 + m (column >= row) are stored.
 */
__attribute__((always_inline, target("avx2,fma"))) static inline void dots_block(
    const int MR, const int JB, size_t K, const double *A, ptrdiff_t sa1, const double *b, ptrdiff_t ldb,
    int accumulate, double *c, ptrdiff_t sc1, int upper, ptrdiff_t diagonal) {
  __m256d acc[4][8];
  for (int m = 0; m < MR; m++)
    for (int q = 0; q < JB; q++) acc[m][q] = _mm256_setzero_pd();
  size_t k = 0;
  for (; k + 4 <= K; k += 4) {
    __m256d bq[8];
    for (int q = 0; q < JB; q++) bq[q] = _mm256_loadu_pd(b + q * ldb + k);
    for (int m = 0; m < MR; m++) {
      const __m256d am = _mm256_loadu_pd(A + m * sa1 + k);
      for (int q = 0; q < JB; q++) acc[m][q] = _mm256_fmadd_pd(am, bq[q], acc[m][q]);
    }
  }
  for (int m = 0; m < MR; m++) {
    for (int q = 0; q < JB; q++) {
      /* diagonal = j0 - i0: entry (m, q) lies on or above the diagonal when q - m >= -diagonal. */
      if (upper && q - m < -diagonal) continue;
      double s = sum_lanes(acc[m][q]);
      for (size_t t = k; t < K; t++) s += A[m * sa1 + t] * b[q * ldb + t];
      double *out = c + m * sc1 + q;
      *out = accumulate ? *out + s : s;
    }
  }
}

/* MR rows of A (rows i0..) against every row of Bt (from i0 - 1 or so, with `upper`): whole blocks of JB, then one at a time. */
#define DOTS_FOR_ROWS(MR, JB)                                                                               \
  static __attribute__((target("avx2,fma"))) void dots_##MR(size_t i0, size_t N, size_t K, const double *A,  \
                                                           ptrdiff_t sa1, const double *Bt, ptrdiff_t ldb,   \
                                                           int accumulate, double *C, ptrdiff_t sc1, int upper) { \
    /* With upper, the blocks wholly left of the diagonal are skipped. */                                   \
    size_t j0 = upper ? (i0 / (JB)) * (JB) : 0;                                                              \
    for (; j0 + (JB) <= N; j0 += (JB))                                                                       \
      dots_block(MR, JB, K, A, sa1, Bt + (ptrdiff_t)j0 * ldb, ldb, accumulate, C + j0, sc1, upper,           \
                 (ptrdiff_t)j0 - (ptrdiff_t)i0);                                                             \
    for (; j0 < N; j0++)                                                                                     \
      dots_block(MR, 1, K, A, sa1, Bt + (ptrdiff_t)j0 * ldb, ldb, accumulate, C + j0, sc1, upper,            \
                 (ptrdiff_t)j0 - (ptrdiff_t)i0);                                                             \
  }
DOTS_FOR_ROWS(1, 4) /* 4 rows of Bt per pass measured faster than 8 (1.48 against 1.70 ms at 1 x 1024 x 4096) */
DOTS_FOR_ROWS(2, 4)
DOTS_FOR_ROWS(3, 2)
DOTS_FOR_ROWS(4, 2)

/*
 * dots_block(4, 4, ...) on 512-bit vectors: each holds two entries' accumulators, (m, q) in its
 * low four lanes and (m, q + 1) in its high four, so eight FMAs cover the sixteen entries where
 * the AVX2 block of 4 x 2 covers eight. Every lane does what the same lane of the AVX2 block
 * does, and each half is summed as sum_lanes sums it, so the entries come out to the same bits.
 */
__attribute__((target("avx512f"))) static void dots_block44_avx512(size_t K, const double *A, ptrdiff_t sa1,
                                                                   const double *b, ptrdiff_t ldb, int accumulate,
                                                                   double *c, ptrdiff_t sc1, int upper,
                                                                   ptrdiff_t diagonal) {
  __m512d acc[4][2];
  for (int m = 0; m < 4; m++) acc[m][0] = acc[m][1] = _mm512_setzero_pd();
  size_t k = 0;
  for (; k + 4 <= K; k += 4) {
    const __m512d b01 = _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_loadu_pd(b + k)), _mm256_loadu_pd(b + ldb + k), 1);
    const __m512d b23 =
        _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_loadu_pd(b + 2 * ldb + k)), _mm256_loadu_pd(b + 3 * ldb + k), 1);
    for (int m = 0; m < 4; m++) {
      const __m512d am = _mm512_broadcast_f64x4(_mm256_loadu_pd(A + m * sa1 + k));
      acc[m][0] = _mm512_fmadd_pd(am, b01, acc[m][0]);
      acc[m][1] = _mm512_fmadd_pd(am, b23, acc[m][1]);
    }
  }
  for (int m = 0; m < 4; m++) {
    for (int q = 0; q < 4; q++) {
      if (upper && q - m < -diagonal) continue;
      const __m512d v = acc[m][q / 2];
      const __m256d half = q % 2 ? _mm512_extractf64x4_pd(v, 1) : _mm512_castpd512_pd256(v);
      double s = sum_lanes(half);
      for (size_t t = k; t < K; t++) s += A[m * sa1 + t] * b[q * ldb + t];
      double *out = c + m * sc1 + q;
      *out = accumulate ? *out + s : s;
    }
  }
}

/* dots_4 with whole blocks of four rows of Bt in 512-bit vectors (dots_block44_avx512), the rest as dots_4 does. */
__attribute__((target("avx2,fma"))) static void dots_4_avx512(size_t i0, size_t N, size_t K, const double *A,
                                                              ptrdiff_t sa1, const double *Bt, ptrdiff_t ldb,
                                                              int accumulate, double *C, ptrdiff_t sc1, int upper) {
  size_t j0 = upper ? (i0 / 4) * 4 : 0;
  for (; j0 + 4 <= N; j0 += 4)
    dots_block44_avx512(K, A, sa1, Bt + (ptrdiff_t)j0 * ldb, ldb, accumulate, C + j0, sc1, upper,
                        (ptrdiff_t)j0 - (ptrdiff_t)i0);
  for (; j0 < N; j0++)
    dots_block(4, 1, K, A, sa1, Bt + (ptrdiff_t)j0 * ldb, ldb, accumulate, C + j0, sc1, upper,
               (ptrdiff_t)j0 - (ptrdiff_t)i0);
}

/* The dot products of groups of i0.. up to four rows, 4-row groups by `four` (dots_4 or dots_4_avx512). */
__attribute__((target("avx2,fma"))) static void dots_rows(
    size_t M, size_t N, size_t K, const double *A, ptrdiff_t sa1, const double *Bt, ptrdiff_t ldb, int accumulate,
    double *C, ptrdiff_t sc1, int upper,
    void (*four)(size_t, size_t, size_t, const double *, ptrdiff_t, const double *, ptrdiff_t, int, double *, ptrdiff_t,
                 int)) {
  for (size_t i0 = 0; i0 < M; i0 += 4) {
    const double *a = A + (ptrdiff_t)i0 * sa1;
    double *c = C + (ptrdiff_t)i0 * sc1;
    switch (M - i0 < 4 ? M - i0 : 4) {
      case 1: dots_1(i0, N, K, a, sa1, Bt, ldb, accumulate, c, sc1, upper); break;
      case 2: dots_2(i0, N, K, a, sa1, Bt, ldb, accumulate, c, sc1, upper); break;
      case 3: dots_3(i0, N, K, a, sa1, Bt, ldb, accumulate, c, sc1, upper); break;
      default: four(i0, N, K, a, sa1, Bt, ldb, accumulate, c, sc1, upper); break;
    }
  }
}

void seq_dots_avx2(size_t M, size_t N, size_t K, const double *A, ptrdiff_t sa1, const double *Bt, ptrdiff_t ldb,
                   int accumulate, double *C, ptrdiff_t sc1, int upper) {
  dots_rows(M, N, K, A, sa1, Bt, ldb, accumulate, C, sc1, upper, dots_4);
}

/* The AVX-512 set's dot products: seq_dots_avx2's bits, 4-row groups twice as wide (a batch's 16 x 16 Gram of da). */
void seq_dots_avx512(size_t M, size_t N, size_t K, const double *A, ptrdiff_t sa1, const double *Bt, ptrdiff_t ldb,
                     int accumulate, double *C, ptrdiff_t sc1, int upper) {
  dots_rows(M, N, K, A, sa1, Bt, ldb, accumulate, C, sc1, upper, dots_4_avx512);
}
#endif
