/* The portable micro-kernel: plain C that the compiler vectorizes for the baseline ISA (SSE2 on
 * x86-64). For CPUs without AVX2+FMA, and as a second reference in the tests. */
#include "gemm.h"
#include "rows.h"

void seq_microkernel_generic(size_t kc, const double *a, const double *b, ptrdiff_t ldb, double *c, ptrdiff_t ldc,
                             int accumulate) {
  double acc[SEQ_MR][SEQ_NR] = {{0}};
  for (size_t k = 0; k < kc; k++) {
    for (size_t i = 0; i < SEQ_MR; i++) {
      const double ai = a[k * SEQ_MR + i];
      for (size_t j = 0; j < SEQ_NR; j++) acc[i][j] += ai * b[(ptrdiff_t)k * ldb + (ptrdiff_t)j];
    }
  }
  for (size_t i = 0; i < SEQ_MR; i++) {
    double *row = c + (ptrdiff_t)i * ldc;
    for (size_t j = 0; j < SEQ_NR; j++) row[j] = accumulate ? row[j] + acc[i][j] : acc[i][j];
  }
}

void seq_rows_generic(size_t M, size_t N, size_t K, const double *A, ptrdiff_t sa1, ptrdiff_t sa2,
                 const double *B, ptrdiff_t sb1, int accumulate, double *C, ptrdiff_t sc1) {
  seq_rows_template(M, N, K, A, sa1, sa2, B, sb1, accumulate, C, sc1);
}

void seq_dots_generic(size_t M, size_t N, size_t K, const double *A, ptrdiff_t sa1, const double *Bt, ptrdiff_t ldb,
                      int accumulate, double *C, ptrdiff_t sc1, int upper) {
  for (size_t j = 0; j < N; j++) {
    const double *b = Bt + (ptrdiff_t)j * ldb;
    for (size_t m = 0; m < (upper && j + 1 < M ? j + 1 : M); m++) {
      const double *a = A + (ptrdiff_t)m * sa1;
      double s = 0.0;
      for (size_t k = 0; k < K; k++) s += a[k] * b[k];
      double *out = C + (ptrdiff_t)m * sc1 + (ptrdiff_t)j;
      *out = accumulate ? *out + s : s;
    }
  }
}

/* seq_dots_rider_fn (gemm.h) in plain C: c[j] as seq_dots_generic sums it, y[j] likewise, w in row order. */
void seq_dots_rider_generic(size_t N, size_t K, const double *a, const double *Bt, ptrdiff_t ldb, double *c, int half,
                            const double *x, double *y, double *w) {
  for (size_t j = 0; j < N; j++) {
    const double *b = Bt + (ptrdiff_t)j * ldb;
    double s = 0.0;
    for (size_t k = 0; k < K; k++) s += a[k] * b[k];
    c[j] = s;
    if (half == SEQ_RIDER_Y) {
      double sx = 0.0;
      for (size_t k = 0; k < K; k++) sx += x[k] * b[k];
      y[j] = sx;
    } else {
      for (size_t k = 0; k < K; k++) w[k] += y[j] * b[k];
    }
  }
}
