/*
 * The native elementwise kernels of a probe step: the activations of the RNN and LSTM forward
 * steps, the LSTM cell backward and carry, maxAbs, and the scaling, bias, column sums and sums of
 * squares around them. Each but sum_squares computes exactly what its JS reference in
 * src/engine/elementwise.ts (and maxAbs of linalg.ts) computes, with the same IEEE
 * operations in the same order (the exponential of expTerms.ts included), so the results agree
 * bit for bit, signed zeros, infinities, NaNs and subnormals included.
 *
 * Arrays are contiguous and start at their first element; outputs must not overlap inputs
 * (but for the in-place A and C of lstm_forward_step).
 */
#ifndef SEQLAB_ELEMENTWISE_H
#define SEQLAB_ELEMENTWISE_H

#include <stddef.h>

struct seq_elementwise {
  /* h[i] = tanh(a[i]), slope[i] = tanh'(a[i]) for i < n. */
  void (*rnn_forward_step)(size_t n, const double *a, double *slope, double *h);
  /*
   * One LSTM step over N rows of H units: a (N x 4H: gates i, f, o, g) replaced by the
   * activations, their slopes into slope (N x 4H), c (N x H) holding c_{t-1} (read only when
   * has_prev) overwritten with c_t, h_t into h (N x H), the backward coefficients into coef
   * (N x 6H: o tanh'(c), g i', cPrev f', tanh(c) o', i g', f).
   */
  void (*lstm_forward_step)(size_t N, size_t H, int has_prev, double *a, double *slope, double *c, double *h,
                            double *coef);
  /* da[i] = dh[i] * slope[i] for i < n: the RNN's step back through tanh; returns max |da| (as max_abs gives it). */
  double (*rnn_cell_backward)(size_t n, const double *dh, const double *slope, double *da);
  /* dct = dc_future + dh o tanh'(c) (N x H), da = (dct g i', dct cPrev f', dh tanh(c) o', dct i g') (N x 4H);
   * max = {max |dct|, max |da|} as max_abs gives them (the norms and the rescaling that follow need them). */
  void (*lstm_cell_backward)(size_t N, size_t H, const double *coef, const double *dh, const double *dc_future,
                             double *dct, double *da, double max[2]);
  /* dc_future[n*H + j] = dct[n*H + j] * f[n, j], f the forget gates of coef (N x 6H, block 5). */
  void (*lstm_carry)(size_t N, size_t H, const double *dct, const double *coef, double *dc_future);
  /* max |v[i]| for i < n, NaNs skipped, 0 when there is none. */
  double (*max_abs)(size_t n, const double *v);
  /* v[i] *= factor for i < n. */
  void (*scale)(size_t n, double *v, double factor);
  /* a[r*G + j] += b[j] for r < rows, j < G: the bias of every row of pre-activations. */
  void (*add_bias)(size_t rows, size_t G, double *a, const double *b);
  /* out[j] = 0 + da[0*G + j] + da[1*G + j] + ... over the rows in order, j < G. */
  void (*column_sums)(size_t rows, size_t G, const double *da, double *out);
  /*
   * The sum of (v[i] * factor)^2 for i < n: the one kernel here whose bits are not its JS
   * reference's (nor the WebAssembly one's, which differs from JS too). One chain of additions
   * is bound by their latency (WebAssembly's two lanes took 0.46 us for 1024 doubles), so the
   * squares are summed in SUM_LANES lanes (lane l: the i = l mod SUM_LANES, in order), added
   * lane 0 first at the end; every instruction set does exactly that, so they agree bit for bit.
   */
  double (*sum_squares)(size_t n, const double *v, double factor);
};

/* The lanes of sum_squares: two AVX-512 vectors, four AVX2 ones. */
#define SUM_LANES 16

/*
 * forgetStep of elementwise.ts: the running products of the N x H forget gates f (rows of 6H in
 * coef, block 5), the values whose log2 the sums take listed in events (events[0] how many,
 * events[1 + e] the index, events[1 + N H + e] the value); returns the gates' sum in row-major
 * order. Scalar, in the JS order: the sum is one chain, which fixes its bits.
 */
double seq_forget_step(size_t N, size_t H, const double *coef, double *products, double *events);

/*
 * The kernels to run beside the micro-kernel named `isa` (gemm.h): the AVX-512 ones for "avx512",
 * the AVX2 ones for any other but "generic" where the CPU runs AVX2 (checked with
 * __builtin_cpu_supports), else the portable scalar ones, so that pinning a micro-kernel (useIsa,
 * in tests) pins its elementwise kernels too. All give the same bits.
 */
const struct seq_elementwise *seq_elementwise_for(const char *isa);

#endif
