/* glibc 2.36's log() bit for bit (glibcLog.c), and numpy's polar-method factors built on it. */
#ifndef SEQ_GLIBC_LOG_H
#define SEQ_GLIBC_LOG_H
#include <stddef.h>

double seq_glibc_log(double x);

/* factors[i] = sqrt(-2 log(r2) / r2), r2 = points[3 i + 2] (points as x1, x2, r2 triples), in numpy's order of operations. */
void seq_polar_factors(size_t n, const double *points, double *factors);

#endif
