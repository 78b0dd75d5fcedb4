/* The x86-64 micro-kernel: 6 x 8 doubles in twelve 256-bit registers, one FMA per register per
 * step of k. Compiled for AVX2+FMA by a target attribute, so the rest of the module (and the
 * generic kernel) still runs on CPUs without them; microkernels.c only picks it where
 * __builtin_cpu_supports says it runs. */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "gemm.h"
#include "rows.h"

#define ROW(i)                                                                                    \
  do {                                                                                            \
    const __m256d ai = _mm256_broadcast_sd(a + (i));                                              \
    c##i##0 = _mm256_fmadd_pd(ai, b0, c##i##0);                                                   \
    c##i##1 = _mm256_fmadd_pd(ai, b1, c##i##1);                                                   \
  } while (0)

#define STORE(i)                                                                                  \
  do {                                                                                            \
    double *r = c + (ptrdiff_t)(i) * ldc;                                                         \
    if (accumulate) {                                                                             \
      c##i##0 = _mm256_add_pd(c##i##0, _mm256_loadu_pd(r));                                       \
      c##i##1 = _mm256_add_pd(c##i##1, _mm256_loadu_pd(r + 4));                                   \
    }                                                                                             \
    _mm256_storeu_pd(r, c##i##0);                                                                 \
    _mm256_storeu_pd(r + 4, c##i##1);                                                             \
  } while (0)

__attribute__((target("avx2,fma")))
void seq_microkernel_avx2(size_t kc, const double *a, const double *b, ptrdiff_t ldb, double *c, ptrdiff_t ldc,
                          int accumulate) {
  __m256d c00 = _mm256_setzero_pd(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256d c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (int i = 0; i < SEQ_MR; i++) _mm_prefetch((const char *)(c + (ptrdiff_t)i * ldc), _MM_HINT_T0);
#pragma GCC unroll 4
  for (size_t k = 0; k < kc; k++) {
    const __m256d b0 = _mm256_loadu_pd(b);
    const __m256d b1 = _mm256_loadu_pd(b + 4);
    ROW(0);
    ROW(1);
    ROW(2);
    ROW(3);
    ROW(4);
    ROW(5);
    a += SEQ_MR;
    b += ldb;
  }
  STORE(0);
  STORE(1);
  STORE(2);
  STORE(3);
  STORE(4);
  STORE(5);
}

/* The last micro-panel of a block when it has at most 4 rows (a batch of 16 is 6 + 6 + 4): the
 * 6-row kernel would multiply two rows of zeros there, a third of its work. Eight accumulators
 * still cover the two FMA units' latency. Same A layout (a[k*MR + i]); rows 4 and 5 unread. */
__attribute__((target("avx2,fma")))
void seq_microkernel4_avx2(size_t kc, const double *a, const double *b, ptrdiff_t ldb, double *c, ptrdiff_t ldc,
                           int accumulate) {
  __m256d c00 = _mm256_setzero_pd(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
#pragma GCC unroll 4
  for (size_t k = 0; k < kc; k++) {
    const __m256d b0 = _mm256_loadu_pd(b);
    const __m256d b1 = _mm256_loadu_pd(b + 4);
    ROW(0);
    ROW(1);
    ROW(2);
    ROW(3);
    a += SEQ_MR;
    b += ldb;
  }
  STORE(0);
  STORE(1);
  STORE(2);
  STORE(3);
}

__attribute__((target("avx2,fma")))
void seq_rows_avx2(size_t M, size_t N, size_t K, const double *A, ptrdiff_t sa1, ptrdiff_t sa2,
                 const double *B, ptrdiff_t sb1, int accumulate, double *C, ptrdiff_t sc1) {
  seq_rows_template(M, N, K, A, sa1, sa2, B, sb1, accumulate, C, sc1);
}
#endif
