/* The once-per-probe passes over a weight matrix (weightPasses.h). Plain C: both are bound by
 * memory, and the compiler vectorises the column loops without reordering any sum. */
#include <math.h>
#include "weightPasses.h"

/* Square tiles of 8 x 8 doubles: a tile's 8 source rows and 8 destination rows are each one
 * cache line wide, so every line read or written is used whole while it is cached. */
#define TILE 8

void seq_transpose(size_t rows, size_t cols, const double *src, double *dst) {
  for (size_t i0 = 0; i0 < rows; i0 += TILE) {
    const size_t i1 = rows - i0 < TILE ? rows : i0 + TILE;
    for (size_t j0 = 0; j0 < cols; j0 += TILE) {
      const size_t j1 = cols - j0 < TILE ? cols : j0 + TILE;
      for (size_t j = j0; j < j1; j++)
        for (size_t i = i0; i < i1; i++) dst[j * rows + i] = src[i * cols + j];
    }
  }
}

void seq_abs_column_sums(size_t rows, size_t cols, const double *src, double *out) {
  for (size_t j = 0; j < cols; j++) out[j] = 0.0;
  for (size_t i = 0; i < rows; i++) {
    const double *row = src + i * cols;
    for (size_t j = 0; j < cols; j++) out[j] += fabs(row[j]);
  }
}
