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
#define DOTS_FOR_ROWS(NAME, MR, JB)                                                                         \
  static __attribute__((target("avx2,fma"))) void NAME(size_t i0,      size_t N, size_t K, const double *A,  \
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
/* One row of A: 4 rows of Bt per pass while Bt is in cache, 8 once it streams from memory (from
 * WIDE_DOTS_DOUBLES on): at 1 x 1024 x 4096 (32 MiB, this project's EPYC with a 32 MiB L3,
 * 2026-12-04) 0.99-1.09 against 1.11-1.28 ms with 4, at 1 x 1024 x 2048 0.28-0.33 against
 * 0.32-0.33, at 1 x 1024 x 1024 0.126-0.131 against 0.117-0.121. (An earlier session's machine
 * had measured 4 faster at 32 MiB, 1.48 against 1.70 ms.) Every entry is summed alike whatever
 * the block, so the bits do not depend on it. */
DOTS_FOR_ROWS(dots_1, 1, 4)
DOTS_FOR_ROWS(dots_1_wide, 1, 8)
#define WIDE_DOTS_DOUBLES 2097152.0
DOTS_FOR_ROWS(dots_2, 2, 4)
DOTS_FOR_ROWS(dots_3, 3, 2)
DOTS_FOR_ROWS(dots_4, 4, 2)

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
      case 1:
        if ((double)N * (double)K >= WIDE_DOTS_DOUBLES)
          dots_1_wide(i0, N, K, a, sa1, Bt, ldb, accumulate, c, sc1, upper);
        else
          dots_1(i0, N, K, a, sa1, Bt, ldb, accumulate, c, sc1, upper);
        break;
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

/*
 * dots_block(1, JB, ...) with a rider (seq_dots_rider_fn, gemm.h), JB up to 8: the same accumulators for c
 * (so its bits), and either a second set for y = x . b_q, summed the same way, or w += sum_q
 * y[q] b_q in the same pass over the rows (each w[k] gets its JB terms in order, q = 0 first).
 */
__attribute__((always_inline, target("avx2,fma"))) static inline void rider_block(
    const int JB, const int half, size_t K, const double *a, const double *b, ptrdiff_t ldb, double *c,
    const double *x, double *y, double *w) {
  __m256d acc[8], accx[8], yq[8];
  for (int q = 0; q < JB; q++) {
    acc[q] = accx[q] = _mm256_setzero_pd();
    yq[q] = half == SEQ_RIDER_W ? _mm256_set1_pd(y[q]) : _mm256_setzero_pd();
  }
  size_t k = 0;
  for (; k + 4 <= K; k += 4) {
    const __m256d am = _mm256_loadu_pd(a + k);
    __m256d bq[8];
    for (int q = 0; q < JB; q++) bq[q] = _mm256_loadu_pd(b + q * ldb + k);
    for (int q = 0; q < JB; q++) acc[q] = _mm256_fmadd_pd(am, bq[q], acc[q]);
    if (half == SEQ_RIDER_Y) {
      const __m256d xm = _mm256_loadu_pd(x + k);
      for (int q = 0; q < JB; q++) accx[q] = _mm256_fmadd_pd(xm, bq[q], accx[q]);
    } else {
      __m256d s = _mm256_loadu_pd(w + k);
      for (int q = 0; q < JB; q++) s = _mm256_fmadd_pd(yq[q], bq[q], s);
      _mm256_storeu_pd(w + k, s);
    }
  }
  for (int q = 0; q < JB; q++) {
    double s = sum_lanes(acc[q]);
    for (size_t t = k; t < K; t++) s += a[t] * b[q * ldb + t];
    c[q] = s;
    if (half == SEQ_RIDER_Y) {
      double sx = sum_lanes(accx[q]);
      for (size_t t = k; t < K; t++) sx += x[t] * b[q * ldb + t];
      y[q] = sx;
    }
  }
  if (half == SEQ_RIDER_W)
    for (size_t t = k; t < K; t++)
      for (int q = 0; q < JB; q++) w[t] = __builtin_fma(y[q], b[q * ldb + t], w[t]);
}

/* The rows of Bt as dots_1_wide takes them, blocks of eight then one at a time (w gets its terms
 * in row order either way): riders run where Wh streams from memory (spectralRider.ts). At
 * 1 x 1024 x 4096, 8 rows per pass: y 1.05-1.30 and w 1.06-1.25 ms against 1.30-1.46 with 4. */
#define RIDER_ROWS(HALF)                                                                                  \
  do {                                                                                                   \
    size_t j0 = 0;                                                                                       \
    for (; j0 + 8 <= N; j0 += 8)                                                                         \
      rider_block(8, HALF, K, a, Bt + (ptrdiff_t)j0 * ldb, ldb, c + j0, x, y + j0, w);                   \
    for (; j0 < N; j0++) rider_block(1, HALF, K, a, Bt + (ptrdiff_t)j0 * ldb, ldb, c + j0, x, y + j0, w); \
  } while (0)

__attribute__((target("avx2,fma"))) void seq_dots_rider_avx2(size_t N, size_t K, const double *a, const double *Bt,
                                                             ptrdiff_t ldb, double *c, int half, const double *x,
                                                             double *y, double *w) {
  if (half == SEQ_RIDER_Y)
    RIDER_ROWS(SEQ_RIDER_Y);
  else
    RIDER_ROWS(SEQ_RIDER_W);
}
#endif
