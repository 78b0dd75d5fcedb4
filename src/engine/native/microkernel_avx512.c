/* The AVX-512 kernels: the products of microkernel_avx2.c on 8-double vectors. Every entry of C
 * gets the same FMAs in the same order as there (one chain per entry along k, from zero, added
 * to C at the end), so the two give the same bits and differ only in speed; the tests hold them
 * to that. Compiled by a target attribute and chosen only where __builtin_cpu_supports says the
 * CPU runs AVX-512F (microkernels.c). On a CPU with full-width 512-bit FMA units (Zen 5, server
 * Intel) they do twice the AVX2 kernels' multiply-adds per cycle. */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "gemm.h"
#include "rows.h"

#define AVX512 __attribute__((target("avx512f")))

/* Row i of the tile: 16 columns, two accumulators (one per 8-column sliver of B). */
#define ROWS6(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define ROWS4(X) X(0) X(1) X(2) X(3)
#define ROWS8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define DECLARE(i) __m512d c##i##0 = _mm512_setzero_pd(), c##i##1 = _mm512_setzero_pd();
#define PREFETCH(i) _mm_prefetch((const char *)(c + (ptrdiff_t)(i) * ldc), _MM_HINT_T0);
#define ROW_OF(i, a_i)                                                                            \
  {                                                                                               \
    const __m512d ai = _mm512_set1_pd(a_i);                                                       \
    c##i##0 = _mm512_fmadd_pd(ai, b0, c##i##0);                                                   \
    c##i##1 = _mm512_fmadd_pd(ai, b1, c##i##1);                                                   \
  }
/* Row i's coefficient at step k: packed (a[k*MR + i]), or read in place from A's rows (a[i*lda + k]). */
#define ROW(i) ROW_OF(i, a[i])
#define ROW_IN_PLACE(i) ROW_OF(i, a[(ptrdiff_t)(i) * lda])
#define STORE(i)                                                                                  \
  {                                                                                               \
    double *r = c + (ptrdiff_t)(i) * ldc;                                                         \
    if (accumulate) {                                                                             \
      c##i##0 = _mm512_add_pd(c##i##0, _mm512_loadu_pd(r));                                       \
      c##i##1 = _mm512_add_pd(c##i##1, _mm512_loadu_pd(r + 8));                                  \
    }                                                                                             \
    _mm512_storeu_pd(r, c##i##0);                                                                 \
    _mm512_storeu_pd(r + 8, c##i##1);                                                             \
  }

/* The tile of ROWS rows and two slivers of B (the second `next` doubles past the first), twelve
 * (or eight, or sixteen) 512-bit accumulators: enough FMA chains for two FMA units of latency 4. A_ROW picks
 * row i's coefficient and A_STEP moves a to the next k: the packed and in-place kernels differ in
 * those alone, so they give every entry the same FMAs in the same order. */
#define PAIR_BODY(ROWS, A_ROW, A_STEP)                                                            \
  ROWS(DECLARE)                                                                                   \
  ROWS(PREFETCH)                                                                                  \
  _Pragma("GCC unroll 4") for (size_t k = 0; k < kc; k++) {                                       \
    const __m512d b0 = _mm512_loadu_pd(b);                                                        \
    const __m512d b1 = _mm512_loadu_pd(b + next);                                                 \
    ROWS(A_ROW)                                                                                   \
    a += A_STEP;                                                                                  \
    b += ldb;                                                                                     \
  }                                                                                               \
  ROWS(STORE)
#define MICROKERNEL_PAIR(name, ROWS)                                                              \
  AVX512 void name(size_t kc, const double *a, const double *b, ptrdiff_t next, ptrdiff_t ldb, double *c, \
                   ptrdiff_t ldc, int accumulate) {                                              \
    PAIR_BODY(ROWS, ROW, SEQ_MR)                                                                  \
  }
#define MICROKERNEL_PAIR_IN_PLACE(name, ROWS)                                                     \
  AVX512 void name(size_t kc, const double *a, ptrdiff_t lda, const double *b, ptrdiff_t next, ptrdiff_t ldb, \
                   double *c, ptrdiff_t ldc, int accumulate) {                                   \
    PAIR_BODY(ROWS, ROW_IN_PLACE, 1)                                                              \
  }

MICROKERNEL_PAIR(seq_microkernel_pair_avx512, ROWS6)
MICROKERNEL_PAIR(seq_microkernel4_pair_avx512, ROWS4)
MICROKERNEL_PAIR_IN_PLACE(seq_microkernel_pair_in_place_avx512, ROWS6)
MICROKERNEL_PAIR_IN_PLACE(seq_microkernel4_pair_in_place_avx512, ROWS4)
MICROKERNEL_PAIR_IN_PLACE(seq_microkernel8_pair_in_place_avx512, ROWS8)

/* The row-by-row product (rows_simd.h) in 8-double vectors. */
#define ROWS_NAME seq_rows_avx512
#define ROWS_TARGET AVX512
#define ROWS_VEC __m512d
#define ROWS_WIDTH 8
#define ROWS_LOAD _mm512_loadu_pd
#define ROWS_STORE _mm512_storeu_pd
#define ROWS_FMA _mm512_fmadd_pd
#define ROWS_SET1 _mm512_set1_pd
#include "rows_simd.h"
#endif
