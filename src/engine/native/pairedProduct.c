/* seq_paired_product (pairedProduct.h): the calls the binding makes for gemmPaired's three routes. */
#include "pairedProduct.h"

void seq_paired_product(const struct seq_microkernel *kernel, struct seq_pool *pool, int route, size_t M, size_t K,
                        size_t P, const double *A, const double *B, const double *Bt, const double *packed, int accumulate,
                        double *C) {
  const ptrdiff_t k = (ptrdiff_t)K, p = (ptrdiff_t)P;
  if (route == SEQ_PAIRED_PACKED)
    seq_gemm_with(kernel, pool, M, P, K, A, k, 1, NULL, 0, 0, packed, accumulate, C, p, 1, 0);
  else if (route == SEQ_PAIRED_BT)
    seq_gemm(kernel, pool, M, P, K, A, k, 1, Bt, 1, k, accumulate, C, p, 1, 0);
  else
    seq_gemm(kernel, pool, M, P, K, A, k, 1, B, p, 1, accumulate, C, p, 1, 0);
}
