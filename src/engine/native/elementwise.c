/*
 * The elementwise kernels of elementwise.h: a portable scalar version (also the tail of the
 * vector loops) and vector ones (elementwise_simd.h) in AVX2 (4 doubles) and AVX-512 (8), each
 * compiled by a target attribute and used only where the CPU runs it (seq_elementwise_for). All
 * follow their JS references
 * (src/engine/elementwise.ts, expTerms.ts, maxAbs of linalg.ts) operation for operation, as the
 * WebAssembly kernels (kernels.wat) do with 2 lanes: no FMA (no "fma" target, and the build
 * passes -ffp-contract=off), no reassociation (no -ffast-math), and division is correctly
 * rounded, so every result has the bits of the JS one. (But sum_squares's: it sums in lanes,
 * elementwise.h, the same lanes on every instruction set.)
 */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "elementwise.h"

/* The exponential of expTerms.ts: e^x and e^x - 1 for x <= 0 (its comment derives these). */
#define EXP_MIN_X (-746.0)
#define INV_LN2 1.4426950408889634
#define LN2_HI 6.9314718036912381649e-1
#define LN2_LO 1.90821492927058770002e-10
/* 1.5 * 2^52: adding it leaves k = round(x / ln2) in the low mantissa bits. */
#define SHIFTER 6755399441055744.0
/* Added to k << 52, the bits of 2^(k + 1000): a normal double for k >= -1077. */
#define EXP_BIAS_1000 ((uint64_t)(1023 + 1000) << 52)
#define TWO_M1000 0x1p-1000
/* 1/n!, as expTerms.ts builds them: n! is exact in a double for n <= 13, and the quotient is
 * rounded to nearest whether the compiler folds it or not. */
#define C2 (1.0 / 2.0)
#define C3 (1.0 / 6.0)
#define C4 (1.0 / 24.0)
#define C5 (1.0 / 120.0)
#define C6 (1.0 / 720.0)
#define C7 (1.0 / 5040.0)
#define C8 (1.0 / 40320.0)
#define C9 (1.0 / 362880.0)
#define C10 (1.0 / 3628800.0)
#define C11 (1.0 / 39916800.0)
#define C12 (1.0 / 479001600.0)
#define C13 (1.0 / 6227020800.0)

/* ---------------------------------------------------------------- scalar */

struct exp_terms {
  double e; /* e^x */
  double m; /* e^x - 1 */
};

/* 2^(k + 1000) from t = x/ln2 + SHIFTER, whose low mantissa bits hold k in two's complement. */
static inline double pow2_from_shifted(double t) {
  uint64_t bits;
  memcpy(&bits, &t, sizeof bits);
  bits = (bits << 52) + EXP_BIAS_1000;
  double s;
  memcpy(&s, &bits, sizeof s);
  return s;
}

/* expTerms of expTerms.ts. A NaN needs no test of its own: it runs through every operation
 * (kd is NaN, so m = e - 1) and comes out NaN in both, as there. */
static inline struct exp_terms exp_terms(double x0) {
  const double x = x0 < EXP_MIN_X ? EXP_MIN_X : x0;
  const double t = x * INV_LN2 + SHIFTER;
  const double kd = t - SHIFTER;
  const double r = x - kd * LN2_HI - kd * LN2_LO;
  const double r2 = r * r;
  const double r4 = r2 * r2;
  const double q =
      C2 + r * C3 + r2 * (C4 + r * C5) + r4 * (C6 + r * C7 + r2 * (C8 + r * C9) + r4 * (C10 + r * C11 + r2 * (C12 + r * C13)));
  const double p = r + r2 * q;
  const double s = pow2_from_shifted(t);
  const double e = (s + s * p) * TWO_M1000;
  return (struct exp_terms){e, kd == 0 ? p : e - 1};
}

/* sigmoidInPlace: with e = e^{-|a|} and q = 1 / (1 + e), sigmoid = (a >= 0 ? q : e q), sigmoid' = e q q. */
static inline void sigmoid(double a, double *value, double *slope) {
  const double e = exp_terms(-fabs(a)).e;
  const double q = 1 / (1 + e);
  *value = a >= 0 ? q : e * q;
  *slope = e * q * q;
}

/* tanhInto: with e = e^{-2|a|}, m = e - 1, q = 1 / (1 + e): tanh = |m q| with the sign of a,
 * tanh' = e q q 4. (copysign gives a NaN the sign bit of a, where JS keeps that of |m q|: both are NaN.) */
static inline void tanh_terms(double a, double *value, double *slope) {
  const struct exp_terms x = exp_terms(-2 * fabs(a));
  const double q = 1 / (1 + x.e);
  *value = copysign(fabs(x.m * q), a);
  *slope = x.e * q * q * 4;
}

static void rnn_forward_step_generic(size_t n, const double *a, double *slope, double *h) {
  for (size_t i = 0; i < n; i++) tanh_terms(a[i], &h[i], &slope[i]);
}

/* The activations of n sigmoid gates in place (their slopes into slope), from element i0 on. */
static void sigmoids_from(size_t i0, size_t n, double *a, double *slope) {
  for (size_t i = i0; i < n; i++) sigmoid(a[i], &a[i], &slope[i]);
}

/* Units j0..H-1 of one row of lstmForwardStep past its activations (a: the row's i, f, o, g
 * blocks, already activated): c_t, h_t and the coefficients (LSTM_COEFFICIENTS of elementwise.ts). */
static void lstm_cells_from(size_t j0, size_t H, int has_prev, const double *a, const double *slope, double *c, double *h,
                            double *coef) {
  for (size_t j = j0; j < H; j++) {
    const double i = a[j], f = a[H + j], o = a[2 * H + j], g = a[3 * H + j];
    const double c_prev = has_prev ? c[j] : 0;
    const double cell = f * c_prev + i * g;
    c[j] = cell;
    double tanh_c, slope_c;
    tanh_terms(cell, &tanh_c, &slope_c);
    h[j] = o * tanh_c;
    coef[j] = o * slope_c;
    coef[H + j] = g * slope[j];
    coef[2 * H + j] = c_prev * slope[H + j];
    coef[3 * H + j] = tanh_c * slope[2 * H + j];
    coef[4 * H + j] = i * slope[3 * H + j];
    coef[5 * H + j] = f;
  }
}

/* Each row in two passes, as kernels.wat: the gates' activations (independent of one another),
 * then the cells. Every unit gets the operations of lstmForwardStep in its order. */
static void lstm_forward_step_generic(size_t N, size_t H, int has_prev, double *a, double *slope, double *c, double *h,
                                      double *coef) {
  for (size_t n = 0; n < N; n++, a += 4 * H, slope += 4 * H, c += H, h += H, coef += 6 * H) {
    sigmoids_from(0, 3 * H, a, slope);
    rnn_forward_step_generic(H, a + 3 * H, slope + 3 * H, a + 3 * H);
    lstm_cells_from(0, H, has_prev, a, slope, c, h, coef);
  }
}

/* The larger of m and |x| as maxAbs takes it: a NaN x leaves m. */
static inline double max_of_abs(double m, double x) {
  const double a = fabs(x);
  return a > m ? a : m;
}

/* Elements i0..n-1 of rnnCellBackward; returns the largest |da| of them and m. */
static double rnn_cell_backward_from(double m, size_t i0, size_t n, const double *dh, const double *slope, double *da) {
  for (size_t i = i0; i < n; i++) m = max_of_abs(m, da[i] = dh[i] * slope[i]);
  return m;
}

static double rnn_cell_backward_generic(size_t n, const double *dh, const double *slope, double *da) {
  return rnn_cell_backward_from(0, 0, n, dh, slope, da);
}

/* The bounds of forgetStep (elementwise.ts, FORGET_*). */
#define FORGET_FACTOR_MIN 0x1p-100
#define FORGET_FACTOR_MAX 0x1p100
#define FORGET_PRODUCT_MIN 0x1p-900
#define FORGET_PRODUCT_MAX 0x1p900

double seq_forget_step(size_t N, size_t H, const double *coef, double *products, double *events) {
  const size_t NH = N * H;
  double sum = 0;
  size_t count = 0;
  for (size_t n = 0; n < N; n++) {
    const double *f = coef + n * 6 * H + 5 * H;
    for (size_t u = 0; u < H; u++) {
      sum += f[u];
      const size_t i = n * H + u;
      if (f[u] >= FORGET_FACTOR_MIN && f[u] <= FORGET_FACTOR_MAX) {
        const double p = products[i] * f[u];
        if (p < FORGET_PRODUCT_MIN || p > FORGET_PRODUCT_MAX) {
          events[1 + count] = (double)i;
          events[1 + NH + count++] = p;
          products[i] = 1;
        } else {
          products[i] = p;
        }
      } else {
        events[1 + count] = (double)i;
        events[1 + NH + count++] = f[u];
      }
    }
  }
  events[0] = (double)count;
  return sum;
}

/* Units j0..H-1 of one row of lstmCellBackward (k: the row's coefficients, d: its row of da),
 * their largest |dct| and |da| taken into m[0] and m[1]. */
static void cell_backward_row_from(size_t j0, size_t H, const double *k, const double *dh, const double *dc_future,
                                   double *dct, double *d, double m[2]) {
  for (size_t j = j0; j < H; j++) {
    const double total = dc_future[j] + dh[j] * k[j];
    dct[j] = total;
    d[j] = total * k[H + j];
    d[H + j] = total * k[2 * H + j];
    d[2 * H + j] = dh[j] * k[3 * H + j];
    d[3 * H + j] = total * k[4 * H + j];
    m[0] = max_of_abs(m[0], total);
    m[1] = max_of_abs(max_of_abs(max_of_abs(max_of_abs(m[1], d[j]), d[H + j]), d[2 * H + j]), d[3 * H + j]);
  }
}

static void lstm_cell_backward_generic(size_t N, size_t H, const double *coef, const double *dh, const double *dc_future,
                                       double *dct, double *da, double max[2]) {
  max[0] = max[1] = 0;
  for (size_t n = 0; n < N; n++)
    cell_backward_row_from(0, H, coef + n * 6 * H, dh + n * H, dc_future + n * H, dct + n * H, da + n * 4 * H, max);
}

static void lstm_carry_generic(size_t N, size_t H, const double *dct, const double *coef, double *dc_future) {
  for (size_t n = 0; n < N; n++) {
    const double *f = coef + n * 6 * H + 5 * H;
    for (size_t j = 0; j < H; j++) dc_future[n * H + j] = dct[n * H + j] * f[j];
  }
}

/* maxAbs from running maximum m over v[i0..n): v > m is false for a NaN, which is so skipped. */
static double max_abs_from(double m, size_t i0, size_t n, const double *v) {
  for (size_t i = i0; i < n; i++) {
    const double x = fabs(v[i]);
    if (x > m) m = x;
  }
  return m;
}

static double max_abs_generic(size_t n, const double *v) { return max_abs_from(0, 0, n, v); }

static void scale_from(size_t i0, size_t n, double *v, double factor) {
  for (size_t i = i0; i < n; i++) v[i] *= factor;
}

static void scale_generic(size_t n, double *v, double factor) { scale_from(0, n, v, factor); }

/* Columns j0..G-1 of addBias's rows. */
static void add_bias_from(size_t j0, size_t rows, size_t G, double *a, const double *b) {
  for (size_t r = 0; r < rows; r++)
    for (size_t j = j0; j < G; j++) a[r * G + j] += b[j];
}

static void add_bias_generic(size_t rows, size_t G, double *a, const double *b) { add_bias_from(0, rows, G, a, b); }

/* Columns j0..G-1 of columnSums: zeroed, then each row added in turn. */
static void column_sums_from(size_t j0, size_t rows, size_t G, const double *da, double *out) {
  for (size_t j = j0; j < G; j++) out[j] = 0;
  for (size_t r = 0; r < rows; r++)
    for (size_t j = j0; j < G; j++) out[j] += da[r * G + j];
}

static void column_sums_generic(size_t rows, size_t G, const double *da, double *out) {
  column_sums_from(0, rows, G, da, out);
}

/* sum_squares from element i0 on (i0 a multiple of SUM_LANES) into its lanes, then the lanes added. */
static double sum_squares_from(size_t i0, size_t n, const double *v, double factor, double *lanes) {
  for (size_t i = i0; i < n; i++) {
    const double x = v[i] * factor;
    lanes[i % SUM_LANES] += x * x;
  }
  double s = lanes[0];
  for (int l = 1; l < SUM_LANES; l++) s += lanes[l];
  return s;
}

static double sum_squares_generic(size_t n, const double *v, double factor) {
  double lanes[SUM_LANES] = {0};
  return sum_squares_from(0, n, v, factor, lanes);
}

static const struct seq_elementwise generic = {
    rnn_forward_step_generic, lstm_forward_step_generic, rnn_cell_backward_generic, lstm_cell_backward_generic,
    lstm_carry_generic,       max_abs_generic,           scale_generic,             add_bias_generic,
    column_sums_generic,      sum_squares_generic,
};

/* ---------------------------------------------------------------- AVX2 and AVX-512 */

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

/* The vector kernels (elementwise_simd.h) in 4 doubles: AVX2 without FMA. */
#define EW_SUFFIX avx2
#define EW_TARGET __attribute__((target("avx2")))
#define V_T __m256d
#define V_W 4
/* Vectors whose dependency chains are interleaved (elementwise_simd.h): four in 16 ymm registers. */
#define V_GROUP 4
#define V_LOAD _mm256_loadu_pd
#define V_STORE _mm256_storeu_pd
#define V_SET1 _mm256_set1_pd
#define V_ZERO _mm256_setzero_pd
#define V_ADD _mm256_add_pd
#define V_SUB _mm256_sub_pd
#define V_MUL _mm256_mul_pd
#define V_DIV _mm256_div_pd
#define V_MAX _mm256_max_pd
#define V_OR _mm256_or_pd
#define V_AND _mm256_and_pd
#define V_ANDNOT _mm256_andnot_pd
#define V_POW2_BITS(t) \
  _mm256_castsi256_pd(_mm256_add_epi64(_mm256_slli_epi64(_mm256_castpd_si256(t), 52), _mm256_set1_epi64x((long long)EXP_BIAS_1000)))
#define V_PICK(x, y, pred, if_true, if_false) _mm256_blendv_pd((if_false), (if_true), _mm256_cmp_pd((x), (y), (pred)))
#include "elementwise_simd.h"
#undef EW_SUFFIX
#undef EW_TARGET
#undef V_T
#undef V_W
#undef V_GROUP
#undef V_LOAD
#undef V_STORE
#undef V_SET1
#undef V_ZERO
#undef V_ADD
#undef V_SUB
#undef V_MUL
#undef V_DIV
#undef V_MAX
#undef V_OR
#undef V_AND
#undef V_ANDNOT
#undef V_POW2_BITS
#undef V_PICK

/* The same in 8 doubles: AVX-512F (its bitwise operations on doubles are AVX-512DQ's, so they
 * go through the 64-bit integer lanes, which give the same bits). */
#define EW_SUFFIX avx512
#define EW_TARGET __attribute__((target("avx512f")))
#define V_T __m512d
#define V_W 8
/* Two: with four, GCC spilled the exponentials' terms to the stack, and the standard sweep's LSTM
 * probes took 0.245-0.338 s against 0.230-0.284 (Zen 5, builds alternated four times each). */
#define V_GROUP 2
#define V_LOAD _mm512_loadu_pd
#define V_STORE _mm512_storeu_pd
#define V_SET1 _mm512_set1_pd
#define V_ZERO _mm512_setzero_pd
#define V_ADD _mm512_add_pd
#define V_SUB _mm512_sub_pd
#define V_MUL _mm512_mul_pd
#define V_DIV _mm512_div_pd
#define V_MAX _mm512_max_pd
#define V_BITS(op, a, b) _mm512_castsi512_pd(op(_mm512_castpd_si512(a), _mm512_castpd_si512(b)))
#define V_OR(a, b) V_BITS(_mm512_or_epi64, a, b)
#define V_AND(a, b) V_BITS(_mm512_and_epi64, a, b)
#define V_ANDNOT(a, b) V_BITS(_mm512_andnot_epi64, a, b)
#define V_POW2_BITS(t) \
  _mm512_castsi512_pd(_mm512_add_epi64(_mm512_slli_epi64(_mm512_castpd_si512(t), 52), _mm512_set1_epi64((long long)EXP_BIAS_1000)))
#define V_PICK(x, y, pred, if_true, if_false) _mm512_mask_blend_pd(_mm512_cmp_pd_mask((x), (y), (pred)), (if_false), (if_true))
#include "elementwise_simd.h"

static int cpu_runs(const char *isa) {
  __builtin_cpu_init();
  if (strcmp(isa, "avx512") == 0) return __builtin_cpu_supports("avx512f");
  return __builtin_cpu_supports("avx2");
}
#endif

const struct seq_elementwise *seq_elementwise_for(const char *isa) {
#if defined(__x86_64__) || defined(__i386__)
  if (strcmp(isa, "avx512") == 0 && cpu_runs("avx512")) return &ew_avx512;
  if (strcmp(isa, "generic") != 0 && cpu_runs("avx2")) return &ew_avx2;
#endif
  (void)isa;
  return &generic;
}
