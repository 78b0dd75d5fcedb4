/*
 * The passes over a whole weight matrix a probe makes once, before its first step: the
 * transpose the engine keeps of each weight matrix (forward.ts), and the column sums of its
 * magnitudes that bound every pre-activation (preActivationBound). At H = 1024 the LSTM's Wh is
 * 32 MiB, and these took 48 and 25 ms of a 1.7 s probe in JS. Both give exactly what their JS
 * twins (transposeInto and absColumnSums of linalg.ts) give: a transpose only moves doubles,
 * and each column is summed over ascending rows, the JS order.
 */
#ifndef SEQLAB_WEIGHT_PASSES_H
#define SEQLAB_WEIGHT_PASSES_H

#include <stddef.h>

/* dst (cols x rows) = src (rows x cols)^T, both row-major and contiguous, not overlapping. */
void seq_transpose(size_t rows, size_t cols, const double *src, double *dst);

/* out[j] = |src[0, j]| + |src[1, j]| + ... + |src[rows - 1, j]| in that order, j < cols (src row-major). */
void seq_abs_column_sums(size_t rows, size_t cols, const double *src, double *out);

#endif
