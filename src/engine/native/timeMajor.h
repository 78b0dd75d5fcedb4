/*
 * The copy of a probe's given inputs (x and dout, batch-major as a user's file holds them) into
 * the time-major order the trace steps through (forward.ts). In JS it was a fifth of a probe
 * of 256 rows of H = 16 (its 537 MB of x: 0.45 s against 0.36 s with this copy). Gives exactly what copyTimeMajor of linalg.ts gives:
 * it only moves doubles.
 */
#ifndef SEQLAB_TIME_MAJOR_H
#define SEQLAB_TIME_MAJOR_H

#include <stddef.h>

/* dst[(t*N + n)*F + f] = src[(n*T + t)*F + f] for n < N, t < T, f < F; not overlapping. */
void seq_time_major(size_t N, size_t T, size_t F, const double *src, double *dst);

#endif
