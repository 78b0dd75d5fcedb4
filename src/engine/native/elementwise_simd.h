/*
 * The vector elementwise kernels of elementwise.c, written once over a few vector operations and
 * included once per instruction set (AVX2: 4 doubles, AVX-512: 8) after elementwise.c defines:
 *   EW_SUFFIX   the suffix of the functions and of the struct seq_elementwise defined (ew_<suffix>)
 *   EW_TARGET   their target attribute;  V_T, V_W: the vector type and its doubles
 *   V_GROUP     how many vectors' dependency chains are interleaved (at most 4)
 *   V_LOAD, V_STORE, V_SET1, V_ZERO, V_ADD, V_SUB, V_MUL, V_DIV, V_MAX (maxpd: the second
 *   operand unless the first is greater, so a NaN there stays), V_OR, V_AND, V_ANDNOT (bits),
 *   V_POW2_BITS(t) (the 64-bit lanes of t shifted left by 52 plus EXP_BIAS_1000), and
 *   V_PICK(x, y, pred, if_true, if_false) (per lane, if_true where x pred y holds).
 * Each lane gets the operations of the scalar version (and of the JS reference) in its order:
 * no FMA, no reassociation, division correctly rounded. So every set gives the same bits.
 * (No include guard: included once per instruction set.)
 */
#define EW_PASTE2(a, b) a##b
#define EW_PASTE(a, b) EW_PASTE2(a, b)
#define EW(name) EW_PASTE(name##_, EW_SUFFIX)

/*
 * exp_terms on V vectors at once; m (when not NULL) gets e^x - 1. Each statement runs over the V
 * vectors before the next (GCC unrolls the constant loops), so their dependency chains (about 90
 * cycles of latency from x to e^x) interleave in program order: one vector at a time, the
 * out-of-order window held little more than one chain, and a tanh took 2.9 ns (AVX2, 65,536 of
 * them; 2.3 ns two vectors at a time, 2.0 ns four). The lanes' operations are the same either way.
 */
#define EACH for (int v = 0; v < V; v++)
EW_TARGET __attribute__((always_inline)) static inline void EW(expv)(const int V, const V_T *x0, V_T *e, V_T *m) {
  const V_T shifter = V_SET1(SHIFTER);
  V_T x[4], t[4], kd[4], r[4], r2[4], r4[4], q[4], p[4], s[4];
  EACH x[v] = V_MAX(V_SET1(EXP_MIN_X), x0[v]);
  EACH t[v] = V_ADD(V_MUL(x[v], V_SET1(INV_LN2)), shifter);
  EACH kd[v] = V_SUB(t[v], shifter);
  EACH r[v] = V_SUB(V_SUB(x[v], V_MUL(kd[v], V_SET1(LN2_HI))), V_MUL(kd[v], V_SET1(LN2_LO)));
  EACH r2[v] = V_MUL(r[v], r[v]);
  EACH r4[v] = V_MUL(r2[v], r2[v]);
#define TERM(a, b) V_ADD(V_SET1(a), V_MUL(r[v], V_SET1(b))) /* a + r b */
  EACH q[v] = V_ADD(V_ADD(TERM(C2, C3), V_MUL(r2[v], TERM(C4, C5))),
                    V_MUL(r4[v], V_ADD(V_ADD(TERM(C6, C7), V_MUL(r2[v], TERM(C8, C9))),
                                       V_MUL(r4[v], V_ADD(TERM(C10, C11), V_MUL(r2[v], TERM(C12, C13)))))));
#undef TERM
  EACH p[v] = V_ADD(r[v], V_MUL(r2[v], q[v]));
  EACH s[v] = V_POW2_BITS(t[v]);
  EACH e[v] = V_MUL(V_ADD(s[v], V_MUL(s[v], p[v])), V_SET1(TWO_M1000));
  if (m != NULL) EACH m[v] = V_PICK(kd[v], V_ZERO(), _CMP_EQ_OQ, p[v], V_SUB(e[v], V_SET1(1)));
}

/* sigmoid on V vectors: e = e^{-|a|}, q = 1 / (1 + e), sigmoid = (a >= 0 ? q : e q), sigmoid' = e q q. */
EW_TARGET __attribute__((always_inline)) static inline void EW(sigmoidv)(const int V, const V_T *a, V_T *value,
                                                                          V_T *slope) {
  const V_T one = V_SET1(1);
  V_T x[4], e[4], q[4], eq[4];
  EACH x[v] = V_OR(a[v], V_SET1(-0.0)); /* -|a| */
  EW(expv)(V, x, e, NULL);
  EACH q[v] = V_DIV(one, V_ADD(one, e[v]));
  EACH eq[v] = V_MUL(e[v], q[v]);
  EACH value[v] = V_PICK(a[v], V_ZERO(), _CMP_GE_OQ, q[v], eq[v]);
  EACH slope[v] = V_MUL(eq[v], q[v]);
}

/* tanh_terms on V vectors: e = e^{-2|a|}, m = e - 1, q = 1 / (1 + e); tanh = |m q| with a's sign, tanh' = e q q 4. */
EW_TARGET __attribute__((always_inline)) static inline void EW(tanhv)(const int V, const V_T *a, V_T *value, V_T *slope) {
  const V_T one = V_SET1(1);
  const V_T sign = V_SET1(-0.0);
  V_T x[4], e[4], m[4], q[4];
  EACH x[v] = V_MUL(V_ANDNOT(sign, a[v]), V_SET1(-2));
  EW(expv)(V, x, e, m);
  EACH q[v] = V_DIV(one, V_ADD(one, e[v]));
  EACH value[v] = V_OR(V_ANDNOT(sign, V_MUL(m[v], q[v])), V_AND(a[v], sign));
  EACH slope[v] = V_MUL(V_MUL(V_MUL(e[v], q[v]), q[v]), V_SET1(4));
}
#undef EACH

/* The largest multiple of V_W up to n: where the vector loops stop and the scalar tail starts. */
static inline size_t EW(whole_vectors)(size_t n) { return n - n % V_W; }

/*
 * F (tanhv or sigmoidv) over a's whole vectors, V_GROUP at a time, then one: values into out (which
 * may be a), slopes into slope. Leaves i at the first element past them, for the scalar tail.
 */
#define ACTIVATE_VECTORS(F, n, a, slope, out, i)                                   \
  for (; i + V_GROUP * V_W <= EW(whole_vectors)(n); i += V_GROUP * V_W) {          \
    V_T x[4], value[4], slope4[4];                                                 \
    for (int v = 0; v < V_GROUP; v++) x[v] = V_LOAD(a + i + V_W * v);              \
    F(V_GROUP, x, value, slope4);                                                  \
    for (int v = 0; v < V_GROUP; v++) {                                            \
      V_STORE(out + i + V_W * v, value[v]);                                        \
      V_STORE(slope + i + V_W * v, slope4[v]);                                     \
    }                                                                              \
  }                                                                                \
  for (; i < EW(whole_vectors)(n); i += V_W) {                                     \
    const V_T x = V_LOAD(a + i);                                                   \
    V_T value, slope4;                                                             \
    F(1, &x, &value, &slope4);                                                     \
    V_STORE(out + i, value);                                                       \
    V_STORE(slope + i, slope4);                                                    \
  }

/* (h may be a: the LSTM's g gates in place.) */
EW_TARGET static void EW(rnn_forward_step)(size_t n, const double *a, double *slope, double *h) {
  size_t i = 0;
  ACTIVATE_VECTORS(EW(tanhv), n, a, slope, h, i)
  for (; i < n; i++) tanh_terms(a[i], &h[i], &slope[i]);
}

EW_TARGET static void EW(sigmoids)(size_t n, double *a, double *slope) {
  size_t i = 0;
  ACTIVATE_VECTORS(EW(sigmoidv), n, a, slope, a, i)
  sigmoids_from(i, n, a, slope);
}
#undef ACTIVATE_VECTORS

/* Units j..j+V*V_W-1 of one row of lstmForwardStep past its activations (lstm_cells_from on V vectors). */
EW_TARGET __attribute__((always_inline)) static inline void EW(lstm_cells)(const int V, size_t j, size_t H, int has_prev,
                                                                            const double *a, const double *slope,
                                                                            double *c, double *h, double *coef) {
  V_T i[4], f[4], o[4], g[4], c_prev[4], cell[4], tanh_c[4], slope_c[4];
  for (int v = 0; v < V; v++) {
    const double *aj = a + j + V_W * v;
    i[v] = V_LOAD(aj);
    f[v] = V_LOAD(aj + H);
    o[v] = V_LOAD(aj + 2 * H);
    g[v] = V_LOAD(aj + 3 * H);
    c_prev[v] = has_prev ? V_LOAD(c + j + V_W * v) : V_ZERO();
    cell[v] = V_ADD(V_MUL(f[v], c_prev[v]), V_MUL(i[v], g[v]));
    V_STORE(c + j + V_W * v, cell[v]);
  }
  EW(tanhv)(V, cell, tanh_c, slope_c);
  for (int v = 0; v < V; v++) {
    const double *sj = slope + j + V_W * v;
    double *kj = coef + j + V_W * v;
    V_STORE(h + j + V_W * v, V_MUL(o[v], tanh_c[v]));
    V_STORE(kj, V_MUL(o[v], slope_c[v]));
    V_STORE(kj + H, V_MUL(g[v], V_LOAD(sj)));
    V_STORE(kj + 2 * H, V_MUL(c_prev[v], V_LOAD(sj + H)));
    V_STORE(kj + 3 * H, V_MUL(tanh_c[v], V_LOAD(sj + 2 * H)));
    V_STORE(kj + 4 * H, V_MUL(i[v], V_LOAD(sj + 3 * H)));
    V_STORE(kj + 5 * H, f[v]);
  }
}

EW_TARGET static void EW(lstm_forward_step)(size_t N, size_t H, int has_prev, double *a, double *slope, double *c,
                                             double *h, double *coef) {
  const size_t end = EW(whole_vectors)(H);
  for (size_t n = 0; n < N; n++, a += 4 * H, slope += 4 * H, c += H, h += H, coef += 6 * H) {
    EW(sigmoids)(3 * H, a, slope);
    EW(rnn_forward_step)(H, a + 3 * H, slope + 3 * H, a + 3 * H);
    size_t j = 0;
    for (; j + V_GROUP * V_W <= end; j += V_GROUP * V_W) EW(lstm_cells)(V_GROUP, j, H, has_prev, a, slope, c, h, coef);
    for (; j < end; j += V_W) EW(lstm_cells)(1, j, H, has_prev, a, slope, c, h, coef);
    lstm_cells_from(end, H, has_prev, a, slope, c, h, coef);
  }
}

/* The largest lane of a vector of |x| (all +0 or more, no NaN: any order gives the same maximum), and m. */
EW_TARGET static inline double EW(max_lane)(double m, V_T v) {
  double lanes[V_W];
  V_STORE(lanes, v);
  return max_abs_from(m, 0, V_W, lanes);
}

/* The maxima of |x| as max_abs keeps them: maxpd(|x|, m) leaves m on a NaN. */
#define MAX_ABS_INTO(m, x) ((m) = V_MAX(V_ANDNOT(sign, (x)), (m)))

EW_TARGET static double EW(rnn_cell_backward)(size_t n, const double *dh, const double *slope, double *da) {
  const V_T sign = V_SET1(-0.0);
  V_T m = V_ZERO();
  const size_t end = EW(whole_vectors)(n);
  for (size_t i = 0; i < end; i += V_W) {
    const V_T d = V_MUL(V_LOAD(dh + i), V_LOAD(slope + i));
    V_STORE(da + i, d);
    MAX_ABS_INTO(m, d);
  }
  return rnn_cell_backward_from(EW(max_lane)(0, m), end, n, dh, slope, da);
}

EW_TARGET static void EW(lstm_cell_backward)(size_t N, size_t H, const double *coef, const double *dh,
                                              const double *dc_future, double *dct, double *da, double max[2]) {
  const V_T sign = V_SET1(-0.0);
  V_T m_dct = V_ZERO(), m_da = V_ZERO(), m_da2 = V_ZERO();
  const size_t end = EW(whole_vectors)(H);
  max[0] = max[1] = 0;
  for (size_t n = 0; n < N; n++, coef += 6 * H, dh += H, dc_future += H, dct += H, da += 4 * H) {
    for (size_t j = 0; j < end; j += V_W) {
      const double *k = coef + j;
      const V_T dhj = V_LOAD(dh + j);
      const V_T total = V_ADD(V_LOAD(dc_future + j), V_MUL(dhj, V_LOAD(k)));
      const V_T di = V_MUL(total, V_LOAD(k + H)), df = V_MUL(total, V_LOAD(k + 2 * H));
      const V_T dout = V_MUL(dhj, V_LOAD(k + 3 * H)), dg = V_MUL(total, V_LOAD(k + 4 * H));
      V_STORE(dct + j, total);
      V_STORE(da + j, di);
      V_STORE(da + H + j, df);
      V_STORE(da + 2 * H + j, dout);
      V_STORE(da + 3 * H + j, dg);
      MAX_ABS_INTO(m_dct, total);
      MAX_ABS_INTO(m_da, di);
      MAX_ABS_INTO(m_da2, df);
      MAX_ABS_INTO(m_da, dout);
      MAX_ABS_INTO(m_da2, dg);
    }
    cell_backward_row_from(end, H, coef, dh, dc_future, dct, da, max);
  }
  max[0] = EW(max_lane)(max[0], m_dct);
  max[1] = EW(max_lane)(EW(max_lane)(max[1], m_da), m_da2);
}
#undef MAX_ABS_INTO

EW_TARGET static void EW(lstm_carry)(size_t N, size_t H, const double *dct, const double *coef, double *dc_future) {
  const size_t end = EW(whole_vectors)(H);
  for (size_t n = 0; n < N; n++, dct += H, coef += 6 * H, dc_future += H) {
    const double *f = coef + 5 * H;
    size_t j = 0;
    for (; j < end; j += V_W) V_STORE(dc_future + j, V_MUL(V_LOAD(dct + j), V_LOAD(f + j)));
    for (; j < H; j++) dc_future[j] = dct[j] * f[j];
  }
}

/* Four running maxima (maxpd's latency would otherwise bound the loop), each updated as the JS
 * loop's: maxpd(x, m) = x > m ? x : m, which keeps m on a NaN. They are all +0 or more and never
 * NaN, so which one is combined first does not change the maximum. */
EW_TARGET static double EW(max_abs)(size_t n, const double *v) {
  const V_T sign = V_SET1(-0.0);
  V_T m0 = V_ZERO(), m1 = m0, m2 = m0, m3 = m0;
  const size_t end4 = n - n % (4 * V_W);
  size_t i = 0;
  for (; i < end4; i += 4 * V_W) {
    m0 = V_MAX(V_ANDNOT(sign, V_LOAD(v + i)), m0);
    m1 = V_MAX(V_ANDNOT(sign, V_LOAD(v + i + V_W)), m1);
    m2 = V_MAX(V_ANDNOT(sign, V_LOAD(v + i + 2 * V_W)), m2);
    m3 = V_MAX(V_ANDNOT(sign, V_LOAD(v + i + 3 * V_W)), m3);
  }
  for (; i + V_W <= n; i += V_W) m0 = V_MAX(V_ANDNOT(sign, V_LOAD(v + i)), m0);
  double lanes[4 * V_W];
  V_STORE(lanes, m0);
  V_STORE(lanes + V_W, m1);
  V_STORE(lanes + 2 * V_W, m2);
  V_STORE(lanes + 3 * V_W, m3);
  return max_abs_from(max_abs_from(0, 0, 4 * V_W, lanes), i, n, v);
}

EW_TARGET static void EW(scale)(size_t n, double *v, double factor) {
  const V_T f = V_SET1(factor);
  const size_t end = EW(whole_vectors)(n);
  for (size_t i = 0; i < end; i += V_W) V_STORE(v + i, V_MUL(V_LOAD(v + i), f));
  scale_from(end, n, v, factor);
}

EW_TARGET static void EW(add_bias)(size_t rows, size_t G, double *a, const double *b) {
  const size_t end = EW(whole_vectors)(G);
  for (size_t r = 0; r < rows; r++) {
    double *row = a + r * G;
    for (size_t j = 0; j < end; j += V_W) V_STORE(row + j, V_ADD(V_LOAD(row + j), V_LOAD(b + j)));
  }
  add_bias_from(end, rows, G, a, b);
}

/* Each lane of a vector is one column's sum, in row order as in the scalar version. */
EW_TARGET static void EW(column_sums)(size_t rows, size_t G, const double *da, double *out) {
  const size_t end = EW(whole_vectors)(G);
  for (size_t j = 0; j < end; j += V_W) {
    V_T sum = V_ZERO();
    for (size_t r = 0; r < rows; r++) sum = V_ADD(sum, V_LOAD(da + r * G + j));
    V_STORE(out + j, sum);
  }
  column_sums_from(end, rows, G, da, out);
}

/* SUM_LANES / V_W vectors of lanes (lane l of vector q: the i = q V_W + l mod SUM_LANES). */
EW_TARGET static double EW(sum_squares)(size_t n, const double *v, double factor) {
  enum { Q = SUM_LANES / V_W };
  const V_T f = V_SET1(factor);
  V_T acc[Q];
  for (int q = 0; q < Q; q++) acc[q] = V_ZERO();
  const size_t end = n - n % SUM_LANES;
  for (size_t i = 0; i < end; i += SUM_LANES)
    for (int q = 0; q < Q; q++) {
      const V_T x = V_MUL(V_LOAD(v + i + q * V_W), f);
      acc[q] = V_ADD(acc[q], V_MUL(x, x));
    }
  double lanes[SUM_LANES];
  for (int q = 0; q < Q; q++) V_STORE(lanes + q * V_W, acc[q]);
  return sum_squares_from(end, n, v, factor, lanes);
}

static const struct seq_elementwise EW(ew) = {
    EW(rnn_forward_step), EW(lstm_forward_step), EW(rnn_cell_backward), EW(lstm_cell_backward), EW(lstm_carry),
    EW(max_abs),          EW(scale),             EW(add_bias),          EW(column_sums),        EW(sum_squares),
};

#undef EW_PASTE2
#undef EW_PASTE
#undef EW
