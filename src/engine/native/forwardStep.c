/*
 * seq_forward_step (forwardStep.h): the kernel calls of SteppedTrace.step (src/engine/forward.ts)
 * and of its addToSums and ForgetLogSums.addStep (theory.ts), as the binding makes them.
 */
#include "forwardStep.h"
#include "pairedProduct.h"

void seq_forward_step(const struct seq_forward_step *s, const struct seq_elementwise *ew,
                      const struct seq_microkernel *kernel, struct seq_pool *pool, struct seq_forward_sums *out) {
  const size_t N = s->N, H = s->H, NH = N * H;
  seq_paired_product(kernel, pool, s->route, N, H, s->G, s->h_prev, s->w_b, s->w_bt, s->w_packed, 1, s->a);
  if (s->lstm)
    ew->lstm_forward_step(N, H, s->has_prev, s->a, s->slope, s->c, s->h, s->coef);
  else
    ew->rnn_forward_step(NH, s->a, s->slope, s->h);
  *out = (struct seq_forward_sums){0, 0, 0};
  if (!s->sums) return;
  /* ForgetLogSums.addStep's kernel call, then addToSums's. */
  if (s->lstm) out->forget_sum = seq_forget_step(N, H, s->coef, s->products, s->events);
  out->h_squares = ew->sum_squares(NH, s->h, 1);
  if (!s->lstm) out->slope_squares = ew->sum_squares(NH, s->slope, 1);
}
