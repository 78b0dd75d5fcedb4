/*
 * The row-by-row product (rows.h's) written out in FMAs for one vector instruction set, included
 * once per set (microkernel_avx2.c, microkernel_avx512.c) after it defines:
 *   ROWS_NAME     the function to define (seq_rows_<isa>, gemm.h's seq_rows_fn)
 *   ROWS_TARGET   its target attribute;  ROWS_VEC, ROWS_WIDTH: the vector type and its doubles
 *   ROWS_LOAD, ROWS_STORE, ROWS_FMA, ROWS_SET1: unaligned load and store, a*b + c, broadcast
 * For each group of up to 4 rows of C and each slice of ROWS_SLICE columns, B is read 4 rows at
 * a time and every C row of the group takes c += a0 b0 + a1 b1 + a2 b2 + a3 b3 as four FMAs, each
 * B vector loaded once for the group. Every entry gets the same FMAs in the same order whatever
 * the vector width, so every set gives the same bits. The slice is 4 times rows.h's: the
 * batch-of-one forward product of the LSTM at H = 1024 (1 x 1024 x 4096) streams 16 KiB runs of
 * each B row instead of 4 KiB ones. From memory, 441 such products in a row took 1.42 ms each
 * (AVX2, the median of five runs) against 1.55 ms as dot products with Bt (dots_avx2.c); rows.h's
 * compiler-vectorised loop had taken 2.5 ms. C's slices (up to 4 x 16 KiB) stay in L2.
 * (No include guard: included once per instruction set.)
 */
#define ROWS_SLICE 2048
#define ROWS_PASTE2(a, b) a##b
#define ROWS_PASTE(a, b) ROWS_PASTE2(a, b)
#define ROWS_LOCAL(name) ROWS_PASTE(ROWS_NAME, _##name)

__attribute__((always_inline)) ROWS_TARGET static inline void ROWS_LOCAL(pass)(
    const int rows, size_t n, const double *const *b, const ROWS_VEC a[4][4], const double sa[4][4], int depth,
    double *const *c) {
  size_t j = 0;
  if (depth == 4) {
    for (; j + ROWS_WIDTH <= n; j += ROWS_WIDTH) {
      const ROWS_VEC b0 = ROWS_LOAD(b[0] + j), b1 = ROWS_LOAD(b[1] + j);
      const ROWS_VEC b2 = ROWS_LOAD(b[2] + j), b3 = ROWS_LOAD(b[3] + j);
      for (int m = 0; m < rows; m++) {
        ROWS_VEC x = ROWS_LOAD(c[m] + j);
        x = ROWS_FMA(a[m][0], b0, x);
        x = ROWS_FMA(a[m][1], b1, x);
        x = ROWS_FMA(a[m][2], b2, x);
        x = ROWS_FMA(a[m][3], b3, x);
        ROWS_STORE(c[m] + j, x);
      }
    }
  } else {
    for (; j + ROWS_WIDTH <= n; j += ROWS_WIDTH)
      for (int m = 0; m < rows; m++) {
        ROWS_VEC x = ROWS_LOAD(c[m] + j);
        for (int q = 0; q < depth; q++) x = ROWS_FMA(a[m][q], ROWS_LOAD(b[q] + j), x);
        ROWS_STORE(c[m] + j, x);
      }
  }
  /* The last n mod ROWS_WIDTH columns: the same FMAs, one lane at a time. */
  for (; j < n; j++)
    for (int m = 0; m < rows; m++) {
      double x = c[m][j];
      for (int q = 0; q < depth; q++) x = __builtin_fma(sa[m][q], b[q][j], x);
      c[m][j] = x;
    }
}

/* One group of R rows of C (R of 1 to 4, a constant once inlined) over one slice of columns. */
__attribute__((always_inline)) ROWS_TARGET static inline void ROWS_LOCAL(group)(
    const int R, size_t n, size_t K, const double *A, ptrdiff_t sa1, ptrdiff_t sa2, const double *B, ptrdiff_t sb1,
    double *const *c) {
  for (size_t k0 = 0; k0 < K; k0 += 4) {
    const int depth = K - k0 < 4 ? (int)(K - k0) : 4;
    const double *b[4];
    ROWS_VEC a[4][4];
    double sa[4][4];
    for (int q = 0; q < depth; q++) {
      b[q] = B + (ptrdiff_t)(k0 + q) * sb1;
      for (int m = 0; m < R; m++) {
        sa[m][q] = A[m * sa1 + (ptrdiff_t)(k0 + q) * sa2];
        a[m][q] = ROWS_SET1(sa[m][q]);
      }
    }
    ROWS_LOCAL(pass)(R, n, b, a, sa, depth, c);
  }
}

ROWS_TARGET void ROWS_NAME(size_t M, size_t N, size_t K, const double *A, ptrdiff_t sa1, ptrdiff_t sa2,
                           const double *B, ptrdiff_t sb1, int accumulate, double *C, ptrdiff_t sc1) {
  for (size_t i0 = 0; i0 < M; i0 += 4) {
    const size_t rows = M - i0 < 4 ? M - i0 : 4;
    const double *a = A + (ptrdiff_t)i0 * sa1;
    for (size_t j0 = 0; j0 < N; j0 += ROWS_SLICE) {
      const size_t n = N - j0 < ROWS_SLICE ? N - j0 : ROWS_SLICE;
      double *c[4];
      seq_rows_slice(rows, i0, j0, n, C, sc1, accumulate, c);
      const double *b = B + (ptrdiff_t)j0;
      /* Each case inlines the group with R a constant, its loops over rows unrolled. */
      switch (rows) {
        case 1: ROWS_LOCAL(group)(1, n, K, a, sa1, sa2, b, sb1, c); break;
        case 2: ROWS_LOCAL(group)(2, n, K, a, sa1, sa2, b, sb1, c); break;
        case 3: ROWS_LOCAL(group)(3, n, K, a, sa1, sa2, b, sb1, c); break;
        default: ROWS_LOCAL(group)(4, n, K, a, sa1, sa2, b, sb1, c); break;
      }
    }
  }
}

#undef ROWS_SLICE
#undef ROWS_PASTE2
#undef ROWS_PASTE
#undef ROWS_LOCAL
