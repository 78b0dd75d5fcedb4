/*
 * A batch's product with a weight matrix the engine keeps three ways (StepWeights of linalg.ts:
 * B, its transpose Bt, and B packed), on the route gemmPaired of nativeKernels.ts chooses for
 * the batch (pairedRoute there): the one product of a step both fused steps (lossStep.c,
 * forwardStep.c) make, with the binding's arguments for it, so that they give its bits.
 */
#ifndef SEQLAB_PAIRED_PRODUCT_H
#define SEQLAB_PAIRED_PRODUCT_H

#include <stddef.h>
#include "gemm.h"

/* Which of the three the product reads (PairedRoute of linalg.ts: the same values). */
enum seq_paired_route {
  SEQ_PAIRED_B = 0,      /* B (K x P), by seq_gemm (blocked, or row by row for a few rows) */
  SEQ_PAIRED_BT = 1,     /* Bt (P x K): B with swapped strides, which seq_gemm runs as dot products */
  SEQ_PAIRED_PACKED = 2, /* B packed by seq_pack_matrix */
};

/* C (M x P) = (accumulate ? C : 0) + A (M x K) B, every matrix contiguous row by row. */
void seq_paired_product(const struct seq_microkernel *kernel, struct seq_pool *pool, int route, size_t M, size_t K,
                        size_t P, const double *A, const double *B, const double *Bt, const double *packed, int accumulate,
                        double *C);

#endif
