/*
 * seq_loss_step (lossStep.h): LossStepBackward.step of src/engine/backward.ts and the helpers it
 * calls (norms.ts, scaledNumber.ts, cellBackward.ts), statement for statement. Each kernel call
 * is the one the binding makes for the JS call (binding.c), and the exponent arithmetic is on
 * doubles in the JS order, so that the two paths give the same bits (nativeKernels.test.ts).
 */
#include <math.h>
#include <string.h>
#include "lossStep.h"

/* squaresSafely of norms.ts: values up to this far from 1 square and sum without leaving float64. */
#define SAFE_LOW 0x1p-400
#define SAFE_HIGH 0x1p400
/* GRAM_CANCELLATION_LIMIT of backward.ts. */
#define GRAM_CANCELLATION_LIMIT 64.0

struct step_kernels {
  const struct seq_elementwise *ew;
  const struct seq_microkernel *kernel;
  struct seq_pool *pool;
};

/* ldexp of scaledNumber.ts, in its chunks of 2^1000 (C's ldexp rounds once; these may round twice). */
static double js_ldexp(double mantissa, double exponent) {
  double m = mantissa, e = exponent;
  while (e > 1000) {
    m *= 0x1p1000;
    e -= 1000;
  }
  while (e < -1000) {
    m *= 0x1p-1000;
    e += 1000;
    if (m == 0) return 0;
  }
  return m * ldexp(1.0, (int)e);
}

/* binaryExponent of scaledNumber.ts: p with max * 2^-p in [1, 2), for a finite max > 0. */
static double binary_exponent(double max) {
  int e;
  frexp(max, &e);
  return (double)(e - 1);
}

/* scaleByPowerOfTwo of norms.ts. */
static void scale_by_power_of_two(const struct step_kernels *k, double *v, size_t n, double power) {
  double rest = power;
  while (rest != 0) {
    const double step = rest < -1000 ? -1000 : rest > 1000 ? 1000 : rest;
    k->ew->scale(n, v, ldexp(1.0, (int)step));
    rest -= step;
  }
}

/* normalize of norms.ts, given m = maxAbs(v). */
static double normalize(const struct step_kernels *k, double *v, size_t n, double m) {
  if (m == 0) return 0;
  const double p = binary_exponent(m);
  scale_by_power_of_two(k, v, n, -p);
  return p;
}

/* log10Norm of norms.ts, up to its log10Scaled: ||v|| * 2^exponent, given m = maxAbs(v). */
static struct seq_scaled_norm norm_with_max(const struct step_kernels *k, const double *v, size_t n, double exponent,
                                           double m) {
  if (m == 0 || (m >= SAFE_LOW && m <= SAFE_HIGH))
    return (struct seq_scaled_norm){m == 0 ? 0 : sqrt(k->ew->sum_squares(n, v, 1)), exponent + 0};
  const double p = binary_exponent(m);
  return (struct seq_scaled_norm){sqrt(k->ew->sum_squares(n, v, js_ldexp(1, -p))), exponent + p};
}

/* log10Norm of norms.ts, up to its log10Scaled: ||v|| * 2^exponent. */
static struct seq_scaled_norm norm_of(const struct step_kernels *k, const double *v, size_t n, double exponent) {
  return norm_with_max(k, v, n, exponent, k->ew->max_abs(n, v));
}

/* The binding's gramUpper(M, K, A, K, 1, 0, out, M, 1, 0). */
static void gram_upper(const struct step_kernels *k, double *out, const double *A, size_t M, size_t K) {
  seq_gemm(k->kernel, k->pool, M, M, K, A, (ptrdiff_t)K, 1, A, 1, (ptrdiff_t)K, 0, out, (ptrdiff_t)M, 1, 1);
}

/* gramOfRows of backward.ts: the upper gram of N rows of K, of the rows / 2^p; returns p. */
static double gram_of_rows(const struct step_kernels *k, const struct seq_loss_step *s, const double *A, size_t K,
                           double *gram) {
  const size_t n = s->N * K;
  const double m = k->ew->max_abs(n, A);
  if (m == 0 || (m >= SAFE_LOW && m <= SAFE_HIGH)) {
    gram_upper(k, gram, A, s->N, K);
    return 0;
  }
  const double p = binary_exponent(m);
  memcpy(s->rows, A, n * sizeof *A);
  scale_by_power_of_two(k, s->rows, n, -p);
  gram_upper(k, gram, s->rows, s->N, K);
  return p;
}

/* gramNormLog of backward.ts, up to its log10Scaled; returns 0 where it returns null. */
static int gram_norm(const double *gA, const double *gB, size_t N, double exponent, struct seq_scaled_norm *out) {
  double diag = 0, off = 0, bound = 0;
  for (size_t n = 0; n < N; n++) {
    const double dn = gA[n * N + n] * gB[n * N + n];
    diag += dn;
    bound += sqrt(dn);
    for (size_t m = n + 1; m < N; m++) off += gA[n * N + m] * gB[n * N + m];
  }
  const double r = diag + 2 * off;
  if (bound == 0) {
    *out = (struct seq_scaled_norm){0, exponent};
    return 1;
  }
  if (!(r > 0) || (bound * bound) / r > GRAM_CANCELLATION_LIMIT) return 0;
  *out = (struct seq_scaled_norm){sqrt(r), exponent};
  return 1;
}

/* directNormLog of backward.ts: ||A_k^T da|| * 2^exponent, A_k N rows of K (transposeTimes, then the norm). */
static struct seq_scaled_norm direct_norm(const struct step_kernels *k, const struct seq_loss_step *s, const double *A,
                                          size_t K, double exponent) {
  const size_t N = s->N, G = s->G;
  memset(s->product, 0, K * G * sizeof *s->product);
  seq_gemm(k->kernel, k->pool, K, G, N, A, 1, (ptrdiff_t)K, s->da, (ptrdiff_t)G, 1, 1, s->product, (ptrdiff_t)G, 1, 0);
  return norm_of(k, s->product, K * G, exponent);
}

void seq_loss_step(const struct seq_loss_step *s, const struct seq_elementwise *ew, const struct seq_microkernel *kernel,
                   struct seq_pool *pool, struct seq_loss_step_result *out) {
  const struct step_kernels k = {ew, kernel, pool};
  const size_t N = s->N, D = s->D, H = s->H, G = s->G, NH = N * H;
  const int wants = s->flags;
  double eh = s->eh;
  if (wants & SEQ_WANT_DH) out->dh = norm_of(&k, s->dh, NH, eh);

  /* cellBackward: the RNN's, or the LSTM's with both parts at e = max(eh, ec); the cell kernels
   * give max |dct| and max |da| (max_abs's values) with their results. */
  double ea, ect = 0, carry = 0, max[2];
  if (s->lstm) {
    const double e = eh > s->ec ? eh : s->ec;
    scale_by_power_of_two(&k, s->dh, NH, eh - e);
    scale_by_power_of_two(&k, s->dc_future, NH, s->ec - e);
    ew->lstm_cell_backward(N, H, s->coef, s->dh, s->dc_future, s->dct, s->da, max);
    ect = e;
    ea = e;
    carry = e;
  } else {
    max[1] = ew->rnn_cell_backward(NH, s->dh, s->coef, s->da);
    ea = s->scaled_slopes ? eh + s->slope_exponent : eh;
  }
  if (s->lstm && (wants & SEQ_WANT_DC)) out->dc = norm_with_max(&k, s->dct, NH, ect, max[0]);
  ea = ea + normalize(&k, s->da, N * G, max[1]);

  if (wants & SEQ_WANT_DB) {
    ew->column_sums(N, G, s->da, s->col_sum);
    out->db = norm_of(&k, s->col_sum, G, ea);
  }
  if (wants & SEQ_USE_GRAM) {
    if (wants & (SEQ_WANT_DWX | SEQ_WANT_DWH)) gram_upper(&k, s->g_da, s->da, N, G);
    if (wants & SEQ_WANT_DWX) {
      const double px = gram_of_rows(&k, s, s->x, D, s->g_x);
      if (!gram_norm(s->g_x, s->g_da, N, ea + px, &out->dwx)) out->dwx = direct_norm(&k, s, s->x, D, ea);
    }
    if (wants & SEQ_WANT_DWH) {
      const double ph = gram_of_rows(&k, s, s->h_prev, H, s->g_h);
      if (!gram_norm(s->g_h, s->g_da, N, ea + ph, &out->dwh)) out->dwh = direct_norm(&k, s, s->h_prev, H, ea);
    }
  } else {
    if (wants & SEQ_WANT_DWX) out->dwx = direct_norm(&k, s, s->x, D, ea);
    if (wants & SEQ_WANT_DWH) out->dwh = direct_norm(&k, s, s->h_prev, H, ea);
  }

  out->eh = s->eh;
  out->ec = s->ec;
  if (!s->carry) return;
  /* carryToPreviousStep, then each part normalized with its own exponent (an all-zero part takes the other's). */
  if (s->rider_half)
    kernel->dots_rider(H, G, s->da, s->w_bt, (ptrdiff_t)G, s->dh, s->rider_half, s->rider_x, s->rider_y, s->rider_w);
  else
    seq_paired_product(kernel, pool, s->route, N, G, H, s->da, s->w_b, s->w_bt, s->w_packed, 0, s->dh);
  if (s->lstm) ew->lstm_carry(N, H, s->dct, s->coef, s->dc_future);
  const double mh = ew->max_abs(NH, s->dh);
  const double new_eh = ea + normalize(&k, s->dh, NH, mh);
  const double mc = s->lstm ? ew->max_abs(NH, s->dc_future) : 0;
  const double new_ec = s->lstm ? carry + normalize(&k, s->dc_future, NH, mc) : new_eh;
  out->eh = mh == 0 ? new_ec : new_eh;
  out->ec = mc == 0 ? out->eh : new_ec;
}
