/* The arm64 micro-kernel: 6 x 8 doubles in twenty-four 128-bit registers (of 32), fused
 * multiply-adds by lane. NEON is part of the arm64 baseline, so no run-time check is needed.
 * Compiled on arm64 only; this machine (x86-64) cannot run it. */
#if defined(__aarch64__)
#include <arm_neon.h>
#include "gemm.h"
#include "rows.h"

void seq_microkernel_neon(size_t kc, const double *a, const double *b, ptrdiff_t ldb, double *c, ptrdiff_t ldc,
                          int accumulate) {
  float64x2_t acc[SEQ_MR][SEQ_NR / 2];
  for (int i = 0; i < SEQ_MR; i++)
    for (int j = 0; j < SEQ_NR / 2; j++) acc[i][j] = vdupq_n_f64(0.0);
  for (size_t k = 0; k < kc; k++) {
    const float64x2_t b0 = vld1q_f64(b), b1 = vld1q_f64(b + 2), b2 = vld1q_f64(b + 4), b3 = vld1q_f64(b + 6);
    const float64x2_t a01 = vld1q_f64(a), a23 = vld1q_f64(a + 2), a45 = vld1q_f64(a + 4);
#define ROW(i, pair, lane)                                         \
    acc[i][0] = vfmaq_laneq_f64(acc[i][0], b0, pair, lane);        \
    acc[i][1] = vfmaq_laneq_f64(acc[i][1], b1, pair, lane);        \
    acc[i][2] = vfmaq_laneq_f64(acc[i][2], b2, pair, lane);        \
    acc[i][3] = vfmaq_laneq_f64(acc[i][3], b3, pair, lane);
    ROW(0, a01, 0) ROW(1, a01, 1) ROW(2, a23, 0) ROW(3, a23, 1) ROW(4, a45, 0) ROW(5, a45, 1)
#undef ROW
    a += SEQ_MR;
    b += ldb;
  }
  for (int i = 0; i < SEQ_MR; i++) {
    double *r = c + (ptrdiff_t)i * ldc;
    for (int j = 0; j < SEQ_NR / 2; j++) {
      float64x2_t v = acc[i][j];
      if (accumulate) v = vaddq_f64(v, vld1q_f64(r + 2 * j));
      vst1q_f64(r + 2 * j, v);
    }
  }
}

void seq_rows_neon(size_t M, size_t N, size_t K, const double *A, ptrdiff_t sa1, ptrdiff_t sa2,
                 const double *B, ptrdiff_t sb1, int accumulate, double *C, ptrdiff_t sc1) {
  seq_rows_template(M, N, K, A, sa1, sa2, B, sb1, accumulate, C, sc1);
}
#endif
