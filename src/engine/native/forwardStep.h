/*
 * One forward step of an RNN or LSTM trace (SteppedTrace.step of src/engine/forward.ts) in one
 * native call, for the steps it runs with its kernels alone (no saturation check due, no
 * saturated LSTM step, no test hooks): h_{t-1} Wh added to the step's pre-activations, the
 * activations, and on the first pass the kernel sums the pass keeps (sums of squares of h_t and
 * of the RNN's slopes, the LSTM's forget gates with their running products). It calls the
 * kernels the JS step calls through the binding when every product runs natively, in its order,
 * so the two give the same bits; the JS step does the rest of its bookkeeping around it.
 */
#ifndef SEQLAB_FORWARD_STEP_H
#define SEQLAB_FORWARD_STEP_H

#include <stddef.h>
#include "elementwise.h"
#include "gemm.h"

struct seq_forward_step {
  size_t N, H, G;
  int lstm;
  /* The recurrent product's route (seq_paired_route). */
  int route;
  /* Whether h_{t-1}, c_{t-1} are the previous step's (t > 0); whether to take the first pass's sums. */
  int has_prev, sums;
  /* N x G: x_t Wx + b in, a_t out (the LSTM's gates then replaced by their activations). */
  double *a;
  /* h_{t-1} (N x H); the weights: B = Wh (H x G), Bt = Wh^T (G x H), packed B (SEQ_PAIRED_PACKED only). */
  const double *h_prev, *w_b, *w_bt, *w_packed;
  /* The slopes: the RNN's N x H at the step's slot, the LSTM's N x 4H; h_t (N x H). */
  double *slope, *h;
  /* LSTM: the cells (N x H, c_{t-1} in, c_t out) and the step's coefficients (N x 6H). */
  double *c, *coef;
  /* LSTM with sums: the forget gates' running products (N x H) and events (1 + 2 N H), as forgetStep takes them. */
  double *products, *events;
};

/* The first pass's kernel sums of the step (0 where not taken). */
struct seq_forward_sums {
  double h_squares, slope_squares, forget_sum;
};

void seq_forward_step(const struct seq_forward_step *s, const struct seq_elementwise *ew,
                      const struct seq_microkernel *kernel, struct seq_pool *pool, struct seq_forward_sums *out);

#endif
