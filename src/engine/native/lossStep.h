/*
 * One step of the loss step's backward pass (LossStepBackward.step of src/engine/backward.ts)
 * in one native call, for the RNN and for the LSTM's unsaturated steps whose two backward parts
 * lie within 2^256 of each other (the common step; the rest stay in JS). It calls the kernels
 * the JS step calls through the binding when every product runs natively, with the same
 * arguments in the same order, and does the JS step's exponent arithmetic on doubles, so its
 * results are those of that path bit for bit; what it saves is the ~20 calls into the module a
 * step made (about a third of an RNN step at N = 16, H = 64).
 */
#ifndef SEQLAB_LOSS_STEP_H
#define SEQLAB_LOSS_STEP_H

#include <stddef.h>
#include "elementwise.h"
#include "gemm.h"
#include "pairedProduct.h"

/* Which norms a step computes, and the gram route (prefersGram of backward.ts). */
enum seq_loss_step_flag {
  SEQ_WANT_DH = 1,
  SEQ_WANT_DC = 2,
  SEQ_WANT_DWX = 4,
  SEQ_WANT_DWH = 8,
  SEQ_WANT_DB = 16,
  SEQ_USE_GRAM = 32,
};

struct seq_loss_step {
  size_t N, D, H, G;
  int lstm, flags;
  /* The carry's route (seq_paired_route). */
  int route;
  /* The pass's state and scratch (LossStepBackward's buffers). */
  double *dh, *dc_future, *dct, *da, *rows, *g_da, *g_x, *g_h, *product, *col_sum;
  /* The carry's weights: B = Wh^T (G x H), Bt = Wh (H x G), packed B (SEQ_PAIRED_PACKED only). */
  const double *w_b, *w_bt, *w_packed;
  /* Step k: its inputs x_k (N x D), h_{k-1} (N x H), and its coefficients (LSTM, N x 6H) or slopes (RNN, N x H). */
  const double *x, *h_prev, *coef;
  /* The state's exponents (dh * 2^eh, dcFuture * 2^ec). */
  double eh, ec;
  /* RNN: whether the step's slopes are relative to 2^slope_exponent (a rescaled step). */
  int scaled_slopes;
  double slope_exponent;
  /* Whether to carry the state to step k-1 (k > 0). */
  int carry;
  /* 0, or the half of a Lanczos product riding on the carry (seq_rider_half; N = 1 on the route
   * SEQ_PAIRED_BT only): its x (G), y (H) and w (G), as seq_dots_rider_fn takes them. */
  int rider_half;
  const double *rider_x;
  double *rider_y, *rider_w;
};

/* A norm as mantissa * 2^exponent (mantissa 0: an exact zero), for log10Scaled in JS. */
struct seq_scaled_norm {
  double mantissa, exponent;
};

struct seq_loss_step_result {
  struct seq_scaled_norm dh, dc, dwx, dwh, db;
  /* The state's exponents for step k-1 (as they were when the step does not carry). */
  double eh, ec;
};

void seq_loss_step(const struct seq_loss_step *s, const struct seq_elementwise *ew, const struct seq_microkernel *kernel,
                   struct seq_pool *pool, struct seq_loss_step_result *out);

#endif
