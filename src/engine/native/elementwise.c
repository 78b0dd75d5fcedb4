/*
 * The elementwise kernels of elementwise.h: a portable scalar version (also the tail of the
 * vector loops) and an AVX2 one (4 doubles per vector, compiled by a target attribute and used
 * only where the CPU runs AVX2; see seq_elementwise_for). Both follow their JS references
 * (src/engine/elementwise.ts, expTerms.ts, maxAbs of linalg.ts) operation for operation, as the
 * WebAssembly kernels (kernels.wat) do with 2 lanes: no FMA (no "fma" target, and the build
 * passes -ffp-contract=off), no reassociation (no -ffast-math), and division is correctly
 * rounded, so every result has the bits of the JS one.
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

/* Units j0..H-1 of one row of lstmCellBackward (k: the row's coefficients, d: its row of da). */
static void cell_backward_row_from(size_t j0, size_t H, const double *k, const double *dh, const double *dc_future,
                                   double *dct, double *d) {
  for (size_t j = j0; j < H; j++) {
    const double total = dc_future[j] + dh[j] * k[j];
    dct[j] = total;
    d[j] = total * k[H + j];
    d[H + j] = total * k[2 * H + j];
    d[2 * H + j] = dh[j] * k[3 * H + j];
    d[3 * H + j] = total * k[4 * H + j];
  }
}

static void lstm_cell_backward_generic(size_t N, size_t H, const double *coef, const double *dh, const double *dc_future,
                                       double *dct, double *da) {
  for (size_t n = 0; n < N; n++)
    cell_backward_row_from(0, H, coef + n * 6 * H, dh + n * H, dc_future + n * H, dct + n * H, da + n * 4 * H);
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

static const struct seq_elementwise generic = {
    rnn_forward_step_generic, lstm_forward_step_generic, lstm_cell_backward_generic, lstm_carry_generic, max_abs_generic,
};

/* ---------------------------------------------------------------- AVX2 */

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

/*
 * exp_terms on V vectors of 4 lanes at once; m (when not NULL) gets e^x - 1. Each statement runs
 * over the V vectors before the next (GCC unrolls the constant loops), so their dependency chains
 * (about 90 cycles of latency from x to e^x) interleave in program order: one vector at a time,
 * the out-of-order window held little more than one chain, and a tanh took 2.9 ns (65,536 of
 * them; 2.3 ns two vectors at a time, 2.0 ns four). The lanes' operations are the same either way.
 */
#define EACH for (int v = 0; v < V; v++)
AVX2 __attribute__((always_inline)) static inline void expv(const int V, const __m256d *x0, __m256d *e, __m256d *m) {
  const __m256d shifter = _mm256_set1_pd(SHIFTER);
  __m256d x[4], t[4], kd[4], r[4], r2[4], r4[4], q[4], p[4], s[4];
  /* maxpd returns its second operand unless the first is greater: -746 > x0 ? -746 : x0, so a NaN stays. */
  EACH x[v] = _mm256_max_pd(_mm256_set1_pd(EXP_MIN_X), x0[v]);
  EACH t[v] = _mm256_add_pd(_mm256_mul_pd(x[v], _mm256_set1_pd(INV_LN2)), shifter);
  EACH kd[v] = _mm256_sub_pd(t[v], shifter);
  EACH r[v] = _mm256_sub_pd(_mm256_sub_pd(x[v], _mm256_mul_pd(kd[v], _mm256_set1_pd(LN2_HI))),
                            _mm256_mul_pd(kd[v], _mm256_set1_pd(LN2_LO)));
  EACH r2[v] = _mm256_mul_pd(r[v], r[v]);
  EACH r4[v] = _mm256_mul_pd(r2[v], r2[v]);
#define TERM(a, b) _mm256_add_pd(_mm256_set1_pd(a), _mm256_mul_pd(r[v], _mm256_set1_pd(b))) /* a + r b */
  EACH q[v] = _mm256_add_pd(
      _mm256_add_pd(TERM(C2, C3), _mm256_mul_pd(r2[v], TERM(C4, C5))),
      _mm256_mul_pd(r4[v], _mm256_add_pd(_mm256_add_pd(TERM(C6, C7), _mm256_mul_pd(r2[v], TERM(C8, C9))),
                                         _mm256_mul_pd(r4[v], _mm256_add_pd(TERM(C10, C11), _mm256_mul_pd(r2[v], TERM(C12, C13)))))));
#undef TERM
  EACH p[v] = _mm256_add_pd(r[v], _mm256_mul_pd(r2[v], q[v]));
  EACH s[v] = _mm256_castsi256_pd(
      _mm256_add_epi64(_mm256_slli_epi64(_mm256_castpd_si256(t[v]), 52), _mm256_set1_epi64x((long long)EXP_BIAS_1000)));
  EACH e[v] = _mm256_mul_pd(_mm256_add_pd(s[v], _mm256_mul_pd(s[v], p[v])), _mm256_set1_pd(TWO_M1000));
  if (m != NULL)
    EACH m[v] = _mm256_blendv_pd(_mm256_sub_pd(e[v], _mm256_set1_pd(1)), p[v], _mm256_cmp_pd(kd[v], _mm256_setzero_pd(), _CMP_EQ_OQ));
}

/* sigmoid_terms on V vectors: e = e^{-|a|}, q = 1 / (1 + e), sigmoid = (a >= 0 ? q : e q), sigmoid' = e q q. */
AVX2 __attribute__((always_inline)) static inline void sigmoidv(const int V, const __m256d *a, __m256d *value, __m256d *slope) {
  const __m256d one = _mm256_set1_pd(1);
  __m256d x[4], e[4], q[4], eq[4];
  EACH x[v] = _mm256_or_pd(a[v], _mm256_set1_pd(-0.0)); /* -|a| */
  expv(V, x, e, NULL);
  EACH q[v] = _mm256_div_pd(one, _mm256_add_pd(one, e[v]));
  EACH eq[v] = _mm256_mul_pd(e[v], q[v]);
  EACH value[v] = _mm256_blendv_pd(eq[v], q[v], _mm256_cmp_pd(a[v], _mm256_setzero_pd(), _CMP_GE_OQ));
  EACH slope[v] = _mm256_mul_pd(eq[v], q[v]);
}

/* tanh_terms on V vectors: e = e^{-2|a|}, m = e - 1, q = 1 / (1 + e); tanh = |m q| with a's sign, tanh' = e q q 4. */
AVX2 __attribute__((always_inline)) static inline void tanhv(const int V, const __m256d *a, __m256d *value, __m256d *slope) {
  const __m256d one = _mm256_set1_pd(1);
  const __m256d sign = _mm256_set1_pd(-0.0);
  __m256d x[4], e[4], m[4], q[4];
  EACH x[v] = _mm256_mul_pd(_mm256_andnot_pd(sign, a[v]), _mm256_set1_pd(-2));
  expv(V, x, e, m);
  EACH q[v] = _mm256_div_pd(one, _mm256_add_pd(one, e[v]));
  EACH value[v] = _mm256_or_pd(_mm256_andnot_pd(sign, _mm256_mul_pd(m[v], q[v])), _mm256_and_pd(a[v], sign));
  EACH slope[v] = _mm256_mul_pd(_mm256_mul_pd(_mm256_mul_pd(e[v], q[v]), q[v]), _mm256_set1_pd(4));
}
#undef EACH

/* The largest multiple of 4 up to n: where the vector loops stop and the scalar tail starts. */
static inline size_t whole_vectors(size_t n) { return n - n % 4; }

/*
 * F (tanhv or sigmoidv) over a's whole vectors, four at a time, then one: values into out (which
 * may be a), slopes into slope. Leaves i at the first element past them, for the scalar tail.
 */
#define ACTIVATE_VECTORS(F, n, a, slope, out, i)                                   \
  for (; i + 16 <= whole_vectors(n); i += 16) {                                    \
    __m256d x[4], value[4], slope4[4];                                             \
    for (int v = 0; v < 4; v++) x[v] = _mm256_loadu_pd(a + i + 4 * v);            \
    F(4, x, value, slope4);                                                        \
    for (int v = 0; v < 4; v++) {                                                  \
      _mm256_storeu_pd(out + i + 4 * v, value[v]);                                 \
      _mm256_storeu_pd(slope + i + 4 * v, slope4[v]);                              \
    }                                                                              \
  }                                                                                \
  for (; i < whole_vectors(n); i += 4) {                                           \
    const __m256d x = _mm256_loadu_pd(a + i);                                      \
    __m256d value, slope4;                                                         \
    F(1, &x, &value, &slope4);                                                     \
    _mm256_storeu_pd(out + i, value);                                              \
    _mm256_storeu_pd(slope + i, slope4);                                           \
  }

/* (h may be a: the LSTM's g gates in place.) */
AVX2 static void rnn_forward_step_avx2(size_t n, const double *a, double *slope, double *h) {
  size_t i = 0;
  ACTIVATE_VECTORS(tanhv, n, a, slope, h, i)
  for (; i < n; i++) tanh_terms(a[i], &h[i], &slope[i]);
}

AVX2 static void sigmoids_avx2(size_t n, double *a, double *slope) {
  size_t i = 0;
  ACTIVATE_VECTORS(sigmoidv, n, a, slope, a, i)
  sigmoids_from(i, n, a, slope);
}

/* Units j..j+4V-1 of one row of lstmForwardStep past its activations (lstm_cells_from on V vectors). */
AVX2 __attribute__((always_inline)) static inline void lstm_cells4(const int V, size_t j, size_t H, int has_prev,
                                                                   const double *a, const double *slope, double *c,
                                                                   double *h, double *coef) {
  __m256d i[4], f[4], o[4], g[4], c_prev[4], cell[4], tanh_c[4], slope_c[4];
  for (int v = 0; v < V; v++) {
    const double *aj = a + j + 4 * v;
    i[v] = _mm256_loadu_pd(aj);
    f[v] = _mm256_loadu_pd(aj + H);
    o[v] = _mm256_loadu_pd(aj + 2 * H);
    g[v] = _mm256_loadu_pd(aj + 3 * H);
    c_prev[v] = has_prev ? _mm256_loadu_pd(c + j + 4 * v) : _mm256_setzero_pd();
    cell[v] = _mm256_add_pd(_mm256_mul_pd(f[v], c_prev[v]), _mm256_mul_pd(i[v], g[v]));
    _mm256_storeu_pd(c + j + 4 * v, cell[v]);
  }
  tanhv(V, cell, tanh_c, slope_c);
  for (int v = 0; v < V; v++) {
    const double *sj = slope + j + 4 * v;
    double *kj = coef + j + 4 * v;
    _mm256_storeu_pd(h + j + 4 * v, _mm256_mul_pd(o[v], tanh_c[v]));
    _mm256_storeu_pd(kj, _mm256_mul_pd(o[v], slope_c[v]));
    _mm256_storeu_pd(kj + H, _mm256_mul_pd(g[v], _mm256_loadu_pd(sj)));
    _mm256_storeu_pd(kj + 2 * H, _mm256_mul_pd(c_prev[v], _mm256_loadu_pd(sj + H)));
    _mm256_storeu_pd(kj + 3 * H, _mm256_mul_pd(tanh_c[v], _mm256_loadu_pd(sj + 2 * H)));
    _mm256_storeu_pd(kj + 4 * H, _mm256_mul_pd(i[v], _mm256_loadu_pd(sj + 3 * H)));
    _mm256_storeu_pd(kj + 5 * H, f[v]);
  }
}

AVX2 static void lstm_forward_step_avx2(size_t N, size_t H, int has_prev, double *a, double *slope, double *c, double *h,
                                        double *coef) {
  const size_t end = whole_vectors(H);
  for (size_t n = 0; n < N; n++, a += 4 * H, slope += 4 * H, c += H, h += H, coef += 6 * H) {
    sigmoids_avx2(3 * H, a, slope);
    rnn_forward_step_avx2(H, a + 3 * H, slope + 3 * H, a + 3 * H);
    size_t j = 0;
    for (; j + 16 <= end; j += 16) lstm_cells4(4, j, H, has_prev, a, slope, c, h, coef);
    for (; j < end; j += 4) lstm_cells4(1, j, H, has_prev, a, slope, c, h, coef);
    lstm_cells_from(end, H, has_prev, a, slope, c, h, coef);
  }
}

AVX2 static void lstm_cell_backward_avx2(size_t N, size_t H, const double *coef, const double *dh, const double *dc_future,
                                         double *dct, double *da) {
  const size_t end = whole_vectors(H);
  for (size_t n = 0; n < N; n++, coef += 6 * H, dh += H, dc_future += H, dct += H, da += 4 * H) {
    for (size_t j = 0; j < end; j += 4) {
      const double *k = coef + j;
      const __m256d dh4 = _mm256_loadu_pd(dh + j);
      const __m256d total = _mm256_add_pd(_mm256_loadu_pd(dc_future + j), _mm256_mul_pd(dh4, _mm256_loadu_pd(k)));
      _mm256_storeu_pd(dct + j, total);
      _mm256_storeu_pd(da + j, _mm256_mul_pd(total, _mm256_loadu_pd(k + H)));
      _mm256_storeu_pd(da + H + j, _mm256_mul_pd(total, _mm256_loadu_pd(k + 2 * H)));
      _mm256_storeu_pd(da + 2 * H + j, _mm256_mul_pd(dh4, _mm256_loadu_pd(k + 3 * H)));
      _mm256_storeu_pd(da + 3 * H + j, _mm256_mul_pd(total, _mm256_loadu_pd(k + 4 * H)));
    }
    cell_backward_row_from(end, H, coef, dh, dc_future, dct, da);
  }
}

AVX2 static void lstm_carry_avx2(size_t N, size_t H, const double *dct, const double *coef, double *dc_future) {
  const size_t end = whole_vectors(H);
  for (size_t n = 0; n < N; n++, dct += H, coef += 6 * H, dc_future += H) {
    const double *f = coef + 5 * H;
    size_t j = 0;
    for (; j < end; j += 4) _mm256_storeu_pd(dc_future + j, _mm256_mul_pd(_mm256_loadu_pd(dct + j), _mm256_loadu_pd(f + j)));
    for (; j < H; j++) dc_future[j] = dct[j] * f[j];
  }
}

/* Four running maxima (maxpd's latency would otherwise bound the loop), each updated as the JS
 * loop's: maxpd(x, m) = x > m ? x : m, which keeps m on a NaN. They are all +0 or more and never
 * NaN, so which one is combined first does not change the maximum. */
AVX2 static double max_abs_avx2(size_t n, const double *v) {
  const __m256d sign = _mm256_set1_pd(-0.0);
  __m256d m0 = _mm256_setzero_pd(), m1 = m0, m2 = m0, m3 = m0;
  const size_t end16 = n - n % 16;
  size_t i = 0;
  for (; i < end16; i += 16) {
    m0 = _mm256_max_pd(_mm256_andnot_pd(sign, _mm256_loadu_pd(v + i)), m0);
    m1 = _mm256_max_pd(_mm256_andnot_pd(sign, _mm256_loadu_pd(v + i + 4)), m1);
    m2 = _mm256_max_pd(_mm256_andnot_pd(sign, _mm256_loadu_pd(v + i + 8)), m2);
    m3 = _mm256_max_pd(_mm256_andnot_pd(sign, _mm256_loadu_pd(v + i + 12)), m3);
  }
  for (; i + 4 <= n; i += 4) m0 = _mm256_max_pd(_mm256_andnot_pd(sign, _mm256_loadu_pd(v + i)), m0);
  double lanes[16];
  _mm256_storeu_pd(lanes, m0);
  _mm256_storeu_pd(lanes + 4, m1);
  _mm256_storeu_pd(lanes + 8, m2);
  _mm256_storeu_pd(lanes + 12, m3);
  return max_abs_from(max_abs_from(0, 0, 16, lanes), i, n, v);
}

static const struct seq_elementwise avx2 = {
    rnn_forward_step_avx2, lstm_forward_step_avx2, lstm_cell_backward_avx2, lstm_carry_avx2, max_abs_avx2,
};

static int cpu_runs_avx2(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}
#endif

const struct seq_elementwise *seq_elementwise_for(const char *isa) {
#if defined(__x86_64__) || defined(__i386__)
  if (strcmp(isa, "generic") != 0 && cpu_runs_avx2()) return &avx2;
#endif
  (void)isa;
  return &generic;
}
