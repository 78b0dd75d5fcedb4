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
#define ROW_OF(i, a_i)                                                                            \
  {                                                                                               \
    const __m256d ai = _mm256_broadcast_sd(a_i);                                                  \
    c##i##0 = _mm256_fmadd_pd(ai, b0, c##i##0);                                                   \
    c##i##1 = _mm256_fmadd_pd(ai, b1, c##i##1);                                                   \
  }
/* Row i's coefficient at step k: packed (a[k*MR + i]), or read in place from A's rows (a[i*lda + k]). */
#define ROW(i) ROW_OF(i, a + (i))
#define ROW_IN_PLACE(i) ROW_OF(i, a + (ptrdiff_t)(i) * lda)
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

/* A micro-kernel for the rows ROWS lists, one FMA per accumulator per step of k. A_ROW picks row
 * i's coefficient and A_STEP moves a to the next k: the packed and in-place kernels differ in
 * those alone, so they give every entry the same FMAs in the same order. */
#define KERNEL_BODY(ROWS, A_ROW, A_STEP)                                                          \
  ROWS(DECLARE)                                                                                   \
  ROWS(PREFETCH)                                                                                  \
  _Pragma("GCC unroll 4") for (size_t k = 0; k < kc; k++) {                                       \
    const __m256d b0 = _mm256_loadu_pd(b);                                                        \
    const __m256d b1 = _mm256_loadu_pd(b + 4);                                                    \
    ROWS(A_ROW)                                                                                   \
    a += A_STEP;                                                                                  \
    b += ldb;                                                                                     \
  }                                                                                               \
  ROWS(STORE)
#define FMA_TARGET __attribute__((target("avx2,fma")))
#define MICROKERNEL(name, ROWS)                                                                   \
  FMA_TARGET void name(size_t kc, const double *a, const double *b, ptrdiff_t ldb, double *c, ptrdiff_t ldc, \
                       int accumulate) {                                                          \
    KERNEL_BODY(ROWS, ROW, SEQ_MR)                                                                \
  }
#define MICROKERNEL_IN_PLACE(name, ROWS)                                                          \
  FMA_TARGET void name(size_t kc, const double *a, ptrdiff_t lda, const double *b, ptrdiff_t ldb, double *c, \
                       ptrdiff_t ldc, int accumulate) {                                           \
    KERNEL_BODY(ROWS, ROW_IN_PLACE, 1)                                                            \
  }

MICROKERNEL(seq_microkernel_avx2, ROWS6)

/* The last micro-panel of a block when it has at most 4 rows (a batch of 16 is 6 + 6 + 4): the
 * 6-row kernel would multiply two rows of zeros there, a third of its work. Eight accumulators
 * still cover the two FMA units' latency. Same A layout (a[k*MR + i]); rows 4 and 5 unread. */
MICROKERNEL(seq_microkernel4_avx2, ROWS4)

/* Both, reading A's rows in place (gemm.c reads every A of unit column stride so). */
MICROKERNEL_IN_PLACE(seq_microkernel_in_place_avx2, ROWS6)
MICROKERNEL_IN_PLACE(seq_microkernel4_in_place_avx2, ROWS4)

/* The row-by-row product (rows_simd.h) in 4-double vectors. */
#define ROWS_NAME seq_rows_avx2
#define ROWS_TARGET __attribute__((target("avx2,fma")))
#define ROWS_VEC __m256d
#define ROWS_WIDTH 4
#define ROWS_LOAD _mm256_loadu_pd
#define ROWS_STORE _mm256_storeu_pd
#define ROWS_FMA _mm256_fmadd_pd
#define ROWS_SET1 _mm256_set1_pd
#include "rows_simd.h"
#endif
