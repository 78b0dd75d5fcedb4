/*
 * The N-API face of the native products (plain C, node_api.h only: N-API is ABI-stable, so
 * one build serves Node and Electron alike). Arguments follow the stdlib-js BLAS convention:
 * sizes first, then each array with its strides and offset. Arrays are Float64Array views,
 * read and written in place (no copies); every element a call can touch is checked to lie
 * inside its view first, so a bad call throws a RangeError instead of touching other memory.
 *
 *   gemm(M, N, K, A, sa1, sa2, oa, B, sb1, sb2, ob, beta, C, sc1, sc2, oc)
 *       C = beta*C + A*B, C M x N, A M x K, B K x N; beta is 0 or 1. Element (i, j) of A is
 *       A[oa + i*sa1 + j*sa2]. With beta = 0, C is only written (NaNs in it do not survive).
 *   packMatrix(K, N, B, sb1, sb2, ob, packed)
 *       B (K x N) into `packed` (K * ceil(N / 8) * 8 doubles) in the layout gemm packs it into,
 *       once for many products with it (gemm.h, seq_pack_matrix).
 *   gemmPacked(M, N, K, A, sa1, sa2, oa, packed, beta, C, sc1, sc2, oc)
 *       gemm with B given packed by packMatrix.
 *   gramUpper(M, K, A, sa1, sa2, oa, C, sc1, sc2, oc)
 *       the entries on and above the diagonal of C = A A^T (M x M); the rest of C untouched.
 *   polarFactors(n, points, factors)
 *       factors[i] = sqrt(-2 log(r2) / r2), r2 = points[3i + 2], with glibc 2.36's log() bit for
 *       bit (glibcLog.c): numpy's polar-method Gaussians (src/engine/rng/numpyRandomState.ts).
 *   glibcLog(x)   that log of one number (tests).
 *   setThreads(n) lets the products use up to n threads (1 .. 16): large ones are split by
 *                 columns of C, with the same results as on one thread; returns how many they
 *                 may use (fewer if threads could not be started, 1 without POSIX threads).
 *   transpose(rows, cols, src, os, dst, od)
 *       dst (cols x rows) = src (rows x cols)^T, both row-major and contiguous from their offsets.
 *   absColumnSums(rows, cols, src, os, out, oo)
 *       out[j] = sum over i of |src[i, j]| (src rows x cols, row-major), in ascending i.
 *       (Both weightPasses.c: the same doubles as transposeInto and absColumnSums of linalg.ts.)
 *   timeMajor(N, T, F, src, os, dst, od)
 *       dst[(t*N + n)*F + f] = src[(n*T + t)*F + f]: (N, T, F) into (T, N, F), from the offsets
 *       (timeMajor.c: copyTimeMajor of linalg.ts).
 *   lossStep(arena, plan)
 *       one step of the loss step's backward pass (lossStep.h) on buffers of `arena`, which the
 *       plan (LOSS_STEP_SLOTS doubles: sizes, offsets, the step's exponents; the norms and the
 *       next exponents come back in it) locates by offset (the plan's layout: enum plan_slot).
 *   forwardStep(arena, plan, products, events)
 *       one forward step (forwardStep.h) on buffers of `arena` located by the plan (enum
 *       forward_slot; the step's sums come back in it), the LSTM's forget-gate products and
 *       events in arrays of their own (ForgetLogSums's).
 *   isa()         "avx512", "avx2-fma", "neon" or "generic": the micro-kernel in use.
 *   isas()        every one this CPU runs, fastest first (tests run each).
 *   useIsa(name)  switches to that micro-kernel if this CPU runs it (tests); returns whether.
 *
 * Outputs must not overlap inputs. Each module instance (one per Node environment, so one per
 * worker thread) has its own scratch and helper threads, so JS threads never share them.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "elementwise.h"
#include "gemm.h"
#include "glibcLog.h"
#include "forwardStep.h"
#include "lossStep.h"
#include "timeMajor.h"
#include "weightPasses.h"

struct instance {
  const struct seq_microkernel *kernel;
  /* The threads a product may use, and each one's packing scratch. */
  struct seq_pool *pool;
};

struct view {
  double *data;
  size_t length;
};

/* Throws (unless a call already threw) and returns 0, so checks read `if (!check(...)) return NULL`. */
static int fail(napi_env env, const char *fn, const char *what) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    char msg[256];
    snprintf(msg, sizeof msg, "%s: %s", fn, what);
    napi_throw_range_error(env, NULL, msg);
  }
  return 0;
}

/* 2^31: dimensions and strides stay below it, so every index sum fits in 64 bits. */
#define INDEX_LIMIT 2147483648.0

/* Reads an integer argument; `name` and `part` (e.g. "A", " stride 1") name it in the error. */
static int get_integer(napi_env env, napi_value v, const char *fn, const char *name, const char *part, int nonnegative,
                       long long *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d == floor(d)) || !(fabs(d) < INDEX_LIMIT) || (nonnegative && d < 0)) {
    char what[96];
    snprintf(what, sizeof what, nonnegative ? "%s%s must be an integer in [0, 2^31)" : "%s%s must be an integer of magnitude below 2^31",
             name, part);
    return fail(env, fn, what);
  }
  *out = (long long)d;
  return 1;
}

static int get_offset(napi_env env, napi_value v, const char *fn, const char *name, long long *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d == floor(d)) || !(d >= 0) || !(d <= 9007199254740991.0)) {
    char what[96];
    snprintf(what, sizeof what, "%s offset must be a nonnegative integer", name);
    return fail(env, fn, what);
  }
  *out = (long long)d;
  return 1;
}

static int get_view(napi_env env, napi_value v, const char *fn, const char *name, struct view *out) {
  napi_typedarray_type type;
  size_t length;
  void *data;
  /* napi_invalid_arg for anything but a typed array (checking first would cost another call). */
  if (napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL) != napi_ok || type != napi_float64_array) {
    char what[96];
    snprintf(what, sizeof what, "%s must be a Float64Array", name);
    return fail(env, fn, what);
  }
  out->data = data; /* already advanced by the view's byteOffset */
  out->length = length;
  return 1;
}

/* Every element (i, j), i < rows, j < cols, of `off + i*s1 + j*s2` lies in [0, length). */
static int check_reach(napi_env env, const char *fn, const char *name, const struct view *v, long long off,
                       long long rows, long long s1, long long cols, long long s2) {
  if (rows == 0 || cols == 0) return 1;
  const long long r = (rows - 1) * s1, c = (cols - 1) * s2;
  const long long lo = off + (r < 0 ? r : 0) + (c < 0 ? c : 0);
  const long long hi = off + (r > 0 ? r : 0) + (c > 0 ? c : 0);
  if (lo >= 0 && (unsigned long long)hi < v->length) return 1;
  char what[160];
  snprintf(what, sizeof what, "%s's elements [%lld, %lld] are outside its view of %zu doubles", name, lo, hi, v->length);
  return fail(env, fn, what);
}

struct matrix {
  struct view view;
  long long s1, s2, off;
};

/* Reads an array argument and its two strides and offset from args[0..3]. */
static int get_matrix(napi_env env, napi_value *args, const char *fn, const char *name, struct matrix *m) {
  return get_view(env, args[0], fn, name, &m->view) && get_integer(env, args[1], fn, name, " stride 1", 0, &m->s1) &&
         get_integer(env, args[2], fn, name, " stride 2", 0, &m->s2) && get_offset(env, args[3], fn, name, &m->off);
}

/* Reads exactly `count` arguments into args; otherwise throws "fn: takes count arguments (usage)". */
static int get_args(napi_env env, napi_callback_info info, const char *fn, size_t count, const char *usage, napi_value *args) {
  size_t argc = count;
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) == napi_ok && argc == count) return 1;
  char what[192];
  snprintf(what, sizeof what, "takes %zu arguments (%s)", count, usage);
  return fail(env, fn, what);
}

static struct instance *instance_of(napi_env env) {
  struct instance *inst = NULL;
  napi_get_instance_data(env, (void **)&inst);
  return inst;
}

static napi_value gemm(napi_env env, napi_callback_info info) {
  static const char fn[] = "gemm";
  napi_value args[16];
  if (!get_args(env, info, fn, 16, "M, N, K, A, sa1, sa2, oa, B, sb1, sb2, ob, beta, C, sc1, sc2, oc", args)) return NULL;
  long long M, N, K, beta;
  struct matrix A, B, C;
  if (!get_integer(env, args[0], fn, "M", "", 1, &M) || !get_integer(env, args[1], fn, "N", "", 1, &N) ||
      !get_integer(env, args[2], fn, "K", "", 1, &K) || !get_matrix(env, args + 3, fn, "A", &A) ||
      !get_matrix(env, args + 7, fn, "B", &B) || !get_integer(env, args[11], fn, "beta", "", 1, &beta) ||
      !get_matrix(env, args + 12, fn, "C", &C)) {
    return NULL;
  }
  if (beta != 0 && beta != 1) {
    fail(env, fn, "beta must be 0 or 1");
    return NULL;
  }
  if (M == 0 || N == 0) return NULL;
  if (!check_reach(env, fn, "A", &A.view, A.off, M, A.s1, K, A.s2) ||
      !check_reach(env, fn, "B", &B.view, B.off, K, B.s1, N, B.s2) ||
      !check_reach(env, fn, "C", &C.view, C.off, M, C.s1, N, C.s2)) {
    return NULL;
  }
  struct instance *inst = instance_of(env);
  seq_gemm(inst->kernel, inst->pool, (size_t)M, (size_t)N, (size_t)K,
           A.view.data + A.off, A.s1, A.s2, B.view.data + B.off, B.s1, B.s2,
           (int)beta, C.view.data + C.off, C.s1, C.s2, 0);
  return NULL;
}

/* Checks that `packed` holds the packed form of a K x N matrix (seq_packed_doubles). */
static int check_packed(napi_env env, const char *fn, const struct view *packed, long long K, long long N) {
  if (packed->length >= seq_packed_doubles((size_t)K, (size_t)N)) return 1;
  char what[128];
  snprintf(what, sizeof what, "packed holds %zu doubles; a %lld x %lld matrix packs into %zu", packed->length, K, N,
           seq_packed_doubles((size_t)K, (size_t)N));
  return fail(env, fn, what);
}

static napi_value pack_matrix(napi_env env, napi_callback_info info) {
  static const char fn[] = "packMatrix";
  napi_value args[7];
  if (!get_args(env, info, fn, 7, "K, N, B, sb1, sb2, ob, packed", args)) return NULL;
  long long K, N;
  struct matrix B;
  struct view packed;
  if (!get_integer(env, args[0], fn, "K", "", 1, &K) || !get_integer(env, args[1], fn, "N", "", 1, &N) ||
      !get_matrix(env, args + 2, fn, "B", &B) || !get_view(env, args[6], fn, "packed", &packed)) {
    return NULL;
  }
  if (!check_reach(env, fn, "B", &B.view, B.off, K, B.s1, N, B.s2) || !check_packed(env, fn, &packed, K, N)) return NULL;
  seq_pack_matrix((size_t)K, (size_t)N, B.view.data + B.off, B.s1, B.s2, packed.data);
  return NULL;
}

static napi_value gemm_packed(napi_env env, napi_callback_info info) {
  static const char fn[] = "gemmPacked";
  napi_value args[13];
  if (!get_args(env, info, fn, 13, "M, N, K, A, sa1, sa2, oa, packed, beta, C, sc1, sc2, oc", args)) return NULL;
  long long M, N, K, beta;
  struct matrix A, C;
  struct view packed;
  if (!get_integer(env, args[0], fn, "M", "", 1, &M) || !get_integer(env, args[1], fn, "N", "", 1, &N) ||
      !get_integer(env, args[2], fn, "K", "", 1, &K) || !get_matrix(env, args + 3, fn, "A", &A) ||
      !get_view(env, args[7], fn, "packed", &packed) || !get_integer(env, args[8], fn, "beta", "", 1, &beta) ||
      !get_matrix(env, args + 9, fn, "C", &C)) {
    return NULL;
  }
  if (beta != 0 && beta != 1) {
    fail(env, fn, "beta must be 0 or 1");
    return NULL;
  }
  if (M == 0 || N == 0) return NULL;
  if (!check_reach(env, fn, "A", &A.view, A.off, M, A.s1, K, A.s2) || !check_packed(env, fn, &packed, K, N) ||
      !check_reach(env, fn, "C", &C.view, C.off, M, C.s1, N, C.s2)) {
    return NULL;
  }
  struct instance *inst = instance_of(env);
  seq_gemm_with(inst->kernel, inst->pool, (size_t)M, (size_t)N, (size_t)K, A.view.data + A.off, A.s1, A.s2, NULL, 0, 0,
                packed.data, (int)beta, C.view.data + C.off, C.s1, C.s2, 0);
  return NULL;
}

static napi_value gram_upper(napi_env env, napi_callback_info info) {
  static const char fn[] = "gramUpper";
  napi_value args[10];
  if (!get_args(env, info, fn, 10, "M, K, A, sa1, sa2, oa, C, sc1, sc2, oc", args)) return NULL;
  long long M, K;
  struct matrix A, C;
  if (!get_integer(env, args[0], fn, "M", "", 1, &M) || !get_integer(env, args[1], fn, "K", "", 1, &K) ||
      !get_matrix(env, args + 2, fn, "A", &A) || !get_matrix(env, args + 6, fn, "C", &C)) {
    return NULL;
  }
  if (M == 0) return NULL;
  if (!check_reach(env, fn, "A", &A.view, A.off, M, A.s1, K, A.s2) ||
      !check_reach(env, fn, "C", &C.view, C.off, M, C.s1, M, C.s2)) {
    return NULL;
  }
  struct instance *inst = instance_of(env);
  /* A A^T: B = A^T is A with its strides swapped. */
  seq_gemm(inst->kernel, inst->pool, (size_t)M, (size_t)M, (size_t)K,
           A.view.data + A.off, A.s1, A.s2, A.view.data + A.off, A.s2, A.s1,
           0, C.view.data + C.off, C.s1, C.s2, 1);
  return NULL;
}

static napi_value polar_factors(napi_env env, napi_callback_info info) {
  static const char fn[] = "polarFactors";
  napi_value args[3];
  if (!get_args(env, info, fn, 3, "n, points, factors", args)) return NULL;
  long long n;
  struct view points, factors;
  if (!get_integer(env, args[0], fn, "n", "", 1, &n) || !get_view(env, args[1], fn, "points", &points) ||
      !get_view(env, args[2], fn, "factors", &factors)) {
    return NULL;
  }
  if (n == 0) return NULL;
  if (!check_reach(env, fn, "points", &points, 0, n, 3, 1, 1) || !check_reach(env, fn, "factors", &factors, 0, n, 1, 1, 1))
    return NULL;
  seq_polar_factors((size_t)n, points.data, factors.data);
  return NULL;
}

static napi_value glibc_log_one(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg, out;
  double x;
  if (napi_get_cb_info(env, info, &argc, &arg, NULL, NULL) != napi_ok || argc != 1 || napi_get_value_double(env, arg, &x) != napi_ok) {
    fail(env, "glibcLog", "takes one number");
    return NULL;
  }
  napi_create_double(env, seq_glibc_log(x), &out);
  return out;
}

static napi_value isa(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  napi_create_string_utf8(env, instance_of(env)->kernel->isa, NAPI_AUTO_LENGTH, &out);
  return out;
}

static napi_value isas(napi_env env, napi_callback_info info) {
  (void)info;
  const struct seq_microkernel *all[4];
  const int n = seq_runnable_microkernels(all, 4);
  napi_value out;
  napi_create_array_with_length(env, (size_t)n, &out);
  for (int i = 0; i < n; i++) {
    napi_value name;
    napi_create_string_utf8(env, all[i]->isa, NAPI_AUTO_LENGTH, &name);
    napi_set_element(env, out, (uint32_t)i, name);
  }
  return out;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  static const char fn[] = "setThreads";
  napi_value arg;
  long long n;
  if (!get_args(env, info, fn, 1, "threads", &arg) || !get_integer(env, arg, fn, "threads", "", 1, &n)) return NULL;
  if (n < 1 || n > SEQ_MAX_THREADS) {
    fail(env, fn, "threads must be an integer in [1, 16]");
    return NULL;
  }
  napi_value out;
  napi_create_int32(env, seq_pool_set_threads(instance_of(env)->pool, (int)n), &out);
  return out;
}

static napi_value use_isa(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  char name[32] = "";
  size_t len;
  napi_get_cb_info(env, info, &argc, &arg, NULL, NULL);
  if (argc != 1 || napi_get_value_string_utf8(env, arg, name, sizeof name, &len) != napi_ok) {
    fail(env, "useIsa", "takes one string");
    return NULL;
  }
  const struct seq_microkernel *k = seq_microkernel_named(name);
  if (k != NULL) instance_of(env)->kernel = k;
  napi_value out;
  napi_get_boolean(env, k != NULL, &out);
  return out;
}

/*
 * The elementwise kernels of a step (elementwise.c), bit for bit those of elementwise.ts, in the
 * same convention: sizes first, then each array with its offset (arrays are contiguous).
 *
 *   rnnForwardStep(n, A, oa, slope, os, Hs, oh)
 *   lstmForwardStep(N, H, hasPrev, A, oa, slope, os, C, oc, Hs, oh, coef, ok)
 *   rnnCellBackward(n, dh, odh, slope, os, da, oda)
 *   forgetStep(N, H, coef, ok, products, op, events, oe)   returns the gates' sum
 *   lstmCellBackward(N, H, coef, ok, dh, odh, dcFuture, odc, dct, odt, da, oda)
 *   lstmCarry(N, H, dct, odt, coef, ok, dcFuture, odc)
 *   maxAbs(n, v, ov)    returns max |v[ov + i]|, i < n
 *   scale(n, v, ov, factor)
 *   sumSquares(n, v, ov, factor)   returns the sum of (v[ov + i] * factor)^2, i < n (in lanes:
 *                                  not the bits of the JS sum, elementwise.h)
 *   addBias(rows, G, A, oa, b, ob)
 *   columnSums(rows, G, da, oda, out, oo)
 *
 * In the instruction set of the micro-kernel in use (AVX-512 or AVX2; useIsa('generic') pins the
 * portable kernels): all give the same bits.
 */

/* Reads the batch N and the units H; N*H stays below 2^31, so every index below 6*N*H fits. */
static int get_units(napi_env env, napi_value *args, const char *fn, long long *N, long long *H) {
  if (!get_integer(env, args[0], fn, "N", "", 1, N) || !get_integer(env, args[1], fn, "H", "", 1, H)) return 0;
  if (*N * *H >= (long long)INDEX_LIMIT) return fail(env, fn, "N*H must be below 2^31");
  return 1;
}

/* Reads an array and its offset from args[0..1], checks that `count` elements from the offset lie
 * in its view, and points *out at the first (NULL when count is 0: the kernel is not called). */
static int get_span(napi_env env, napi_value *args, const char *fn, const char *name, long long count, double **out) {
  struct view v;
  long long off;
  if (!get_view(env, args[0], fn, name, &v) || !get_offset(env, args[1], fn, name, &off) ||
      !check_reach(env, fn, name, &v, off, 1, 0, count, 1)) {
    return 0;
  }
  *out = count == 0 ? NULL : v.data + off;
  return 1;
}

/* Reads coef and its offset from args[0..1] when only its forget gates are read (block 5 of each
 * row of 6H: N rows of H, 6H apart, from the offset + 5H), checks they lie in its view, and points
 * *out at coef's element at the offset. */
static int get_forget_gates(napi_env env, napi_value *args, const char *fn, long long N, long long H, double **out) {
  struct view coef;
  long long ok;
  if (!get_view(env, args[0], fn, "coef", &coef) || !get_offset(env, args[1], fn, "coef", &ok) ||
      !check_reach(env, fn, "coef", &coef, ok + 5 * H, N, 6 * H, H, 1)) {
    return 0;
  }
  *out = coef.data + ok;
  return 1;
}

static const struct seq_elementwise *elementwise_of(napi_env env) {
  return seq_elementwise_for(instance_of(env)->kernel->isa);
}

static napi_value rnn_forward_step(napi_env env, napi_callback_info info) {
  static const char fn[] = "rnnForwardStep";
  napi_value args[7];
  if (!get_args(env, info, fn, 7, "n, A, oa, slope, os, Hs, oh", args)) return NULL;
  long long n;
  double *a, *slope, *h;
  if (!get_integer(env, args[0], fn, "n", "", 1, &n) || !get_span(env, args + 1, fn, "A", n, &a) ||
      !get_span(env, args + 3, fn, "slope", n, &slope) || !get_span(env, args + 5, fn, "Hs", n, &h)) {
    return NULL;
  }
  if (n > 0) elementwise_of(env)->rnn_forward_step((size_t)n, a, slope, h);
  return NULL;
}

static napi_value lstm_forward_step(napi_env env, napi_callback_info info) {
  static const char fn[] = "lstmForwardStep";
  napi_value args[13];
  if (!get_args(env, info, fn, 13, "N, H, hasPrev, A, oa, slope, os, C, oc, Hs, oh, coef, ok", args)) return NULL;
  long long N, H;
  bool has_prev;
  double *a, *slope, *c, *h, *coef;
  if (!get_units(env, args, fn, &N, &H)) return NULL;
  if (napi_get_value_bool(env, args[2], &has_prev) != napi_ok) {
    fail(env, fn, "hasPrev must be a boolean");
    return NULL;
  }
  const long long NH = N * H;
  if (!get_span(env, args + 3, fn, "A", 4 * NH, &a) || !get_span(env, args + 5, fn, "slope", 4 * NH, &slope) ||
      !get_span(env, args + 7, fn, "C", NH, &c) || !get_span(env, args + 9, fn, "Hs", NH, &h) ||
      !get_span(env, args + 11, fn, "coef", 6 * NH, &coef)) {
    return NULL;
  }
  if (NH > 0) elementwise_of(env)->lstm_forward_step((size_t)N, (size_t)H, has_prev, a, slope, c, h, coef);
  return NULL;
}

static napi_value lstm_cell_backward(napi_env env, napi_callback_info info) {
  static const char fn[] = "lstmCellBackward";
  napi_value args[12];
  if (!get_args(env, info, fn, 12, "N, H, coef, ok, dh, odh, dcFuture, odc, dct, odt, da, oda", args)) return NULL;
  long long N, H;
  double *coef, *dh, *dc_future, *dct, *da;
  if (!get_units(env, args, fn, &N, &H)) return NULL;
  const long long NH = N * H;
  if (!get_span(env, args + 2, fn, "coef", 6 * NH, &coef) || !get_span(env, args + 4, fn, "dh", NH, &dh) ||
      !get_span(env, args + 6, fn, "dcFuture", NH, &dc_future) || !get_span(env, args + 8, fn, "dct", NH, &dct) ||
      !get_span(env, args + 10, fn, "da", 4 * NH, &da)) {
    return NULL;
  }
  double max[2] = {0, 0};
  if (NH > 0) elementwise_of(env)->lstm_cell_backward((size_t)N, (size_t)H, coef, dh, dc_future, dct, da, max);
  /* [max |dct|, max |da|], as the fused step takes them from the kernel (tests hold them to maxAbs). */
  napi_value out, value;
  napi_create_array_with_length(env, 2, &out);
  for (uint32_t i = 0; i < 2; i++) {
    napi_create_double(env, max[i], &value);
    napi_set_element(env, out, i, value);
  }
  return out;
}

static napi_value rnn_cell_backward(napi_env env, napi_callback_info info) {
  static const char fn[] = "rnnCellBackward";
  napi_value args[7];
  if (!get_args(env, info, fn, 7, "n, dh, odh, slope, os, da, oda", args)) return NULL;
  long long n;
  double *dh, *slope, *da;
  if (!get_integer(env, args[0], fn, "n", "", 1, &n) || !get_span(env, args + 1, fn, "dh", n, &dh) ||
      !get_span(env, args + 3, fn, "slope", n, &slope) || !get_span(env, args + 5, fn, "da", n, &da)) {
    return NULL;
  }
  /* max |da|, as the fused step takes it from the kernel. */
  napi_value out;
  napi_create_double(env, n > 0 ? elementwise_of(env)->rnn_cell_backward((size_t)n, dh, slope, da) : 0, &out);
  return out;
}

static napi_value forget_step(napi_env env, napi_callback_info info) {
  static const char fn[] = "forgetStep";
  napi_value args[8], out;
  if (!get_args(env, info, fn, 8, "N, H, coef, ok, products, op, events, oe", args)) return NULL;
  long long N, H;
  double *coef, *products, *events;
  if (!get_units(env, args, fn, &N, &H)) return NULL;
  const long long NH = N * H;
  if (!get_forget_gates(env, args + 2, fn, N, H, &coef) || !get_span(env, args + 4, fn, "products", NH, &products) ||
      !get_span(env, args + 6, fn, "events", 1 + 2 * NH, &events)) {
    return NULL;
  }
  napi_create_double(env, NH > 0 ? seq_forget_step((size_t)N, (size_t)H, coef, products, events) : 0, &out);
  if (NH == 0) events[0] = 0;
  return out;
}

static napi_value lstm_carry(napi_env env, napi_callback_info info) {
  static const char fn[] = "lstmCarry";
  napi_value args[8];
  if (!get_args(env, info, fn, 8, "N, H, dct, odt, coef, ok, dcFuture, odc", args)) return NULL;
  long long N, H;
  double *dct, *coef, *dc_future;
  if (!get_units(env, args, fn, &N, &H)) return NULL;
  const long long NH = N * H;
  if (!get_span(env, args + 2, fn, "dct", NH, &dct) || !get_forget_gates(env, args + 4, fn, N, H, &coef) ||
      !get_span(env, args + 6, fn, "dcFuture", NH, &dc_future)) {
    return NULL;
  }
  if (NH > 0) elementwise_of(env)->lstm_carry((size_t)N, (size_t)H, dct, coef, dc_future);
  return NULL;
}

static napi_value max_abs(napi_env env, napi_callback_info info) {
  static const char fn[] = "maxAbs";
  napi_value args[3], out;
  if (!get_args(env, info, fn, 3, "n, v, ov", args)) return NULL;
  long long n;
  double *v;
  if (!get_integer(env, args[0], fn, "n", "", 1, &n) || !get_span(env, args + 1, fn, "v", n, &v)) return NULL;
  napi_create_double(env, n > 0 ? elementwise_of(env)->max_abs((size_t)n, v) : 0, &out);
  return out;
}

/* Reads a number argument (any double: a factor of 2^-1000 or an infinity is the caller's to pass). */
static int get_number(napi_env env, napi_value v, const char *fn, const char *name, double *out) {
  if (napi_get_value_double(env, v, out) == napi_ok) return 1;
  char what[96];
  snprintf(what, sizeof what, "%s must be a number", name);
  return fail(env, fn, what);
}

/* The arguments n, v, ov, factor of scale and sumSquares: *v is NULL when n is 0. */
static int get_scaled_span(napi_env env, napi_callback_info info, const char *fn, long long *n, double **v,
                           double *factor) {
  napi_value args[4];
  return get_args(env, info, fn, 4, "n, v, ov, factor", args) && get_integer(env, args[0], fn, "n", "", 1, n) &&
         get_span(env, args + 1, fn, "v", *n, v) && get_number(env, args[3], fn, "factor", factor);
}

static napi_value scale(napi_env env, napi_callback_info info) {
  long long n;
  double *v, factor;
  if (!get_scaled_span(env, info, "scale", &n, &v, &factor)) return NULL;
  if (n > 0) elementwise_of(env)->scale((size_t)n, v, factor);
  return NULL;
}

static napi_value sum_squares(napi_env env, napi_callback_info info) {
  napi_value out;
  long long n;
  double *v, factor;
  if (!get_scaled_span(env, info, "sumSquares", &n, &v, &factor)) return NULL;
  napi_create_double(env, n > 0 ? elementwise_of(env)->sum_squares((size_t)n, v, factor) : 0, &out);
  return out;
}

/* Reads rows and G (the row width) from args[0..1]; rows*G stays below 2^31. */
static int get_rows(napi_env env, napi_value *args, const char *fn, long long *rows, long long *G) {
  if (!get_integer(env, args[0], fn, "rows", "", 1, rows) || !get_integer(env, args[1], fn, "G", "", 1, G)) return 0;
  if ((double)*rows * (double)*G >= INDEX_LIMIT) return fail(env, fn, "rows*G must be below 2^31");
  return 1;
}

/* The arguments rows, G, then a rows x G array and a G-long one, each with its offset (addBias, columnSums). */
static int get_rows_and_row(napi_env env, napi_callback_info info, const char *fn, const char *usage, const char *matrix,
                            const char *row, long long *rows, long long *G, double **m, double **r) {
  napi_value args[6];
  return get_args(env, info, fn, 6, usage, args) && get_rows(env, args, fn, rows, G) &&
         get_span(env, args + 2, fn, matrix, *rows * *G, m) && get_span(env, args + 4, fn, row, *G, r);
}

static napi_value add_bias(napi_env env, napi_callback_info info) {
  long long rows, G;
  double *a, *b;
  if (!get_rows_and_row(env, info, "addBias", "rows, G, A, oa, b, ob", "A", "b", &rows, &G, &a, &b)) return NULL;
  if (rows * G > 0) elementwise_of(env)->add_bias((size_t)rows, (size_t)G, a, b);
  return NULL;
}

static napi_value column_sums(napi_env env, napi_callback_info info) {
  long long rows, G;
  double *da, *out;
  if (!get_rows_and_row(env, info, "columnSums", "rows, G, da, oda, out, oo", "da", "out", &rows, &G, &da, &out)) return NULL;
  /* With rows = 0, da is NULL and unread: the sums are zeros. */
  if (G > 0) elementwise_of(env)->column_sums((size_t)rows, (size_t)G, da, out);
  return NULL;
}

/*
 * A weight pass (weightPasses.h): args are rows, cols, src and its offset, the output and its
 * offset, which holds rows x cols doubles (`out_is_matrix`) or cols.
 */
static napi_value weight_pass(napi_env env, napi_callback_info info, const char *fn, const char *usage, const char *out_name,
                              int out_is_matrix, void (*pass)(size_t rows, size_t cols, const double *src, double *out)) {
  napi_value args[6];
  long long rows, cols;
  double *src, *out;
  if (!get_args(env, info, fn, 6, usage, args) || !get_integer(env, args[0], fn, "rows", "", 1, &rows) ||
      !get_integer(env, args[1], fn, "cols", "", 1, &cols)) {
    return NULL;
  }
  if ((double)rows * (double)cols >= INDEX_LIMIT) {
    fail(env, fn, "rows*cols must be below 2^31");
    return NULL;
  }
  if (!get_span(env, args + 2, fn, "src", rows * cols, &src) ||
      !get_span(env, args + 4, fn, out_name, out_is_matrix ? rows * cols : cols, &out)) {
    return NULL;
  }
  /* With rows = 0, src is NULL and unread: the transpose has nothing to move, the sums are zeros. */
  if (cols > 0) pass((size_t)rows, (size_t)cols, src, out);
  return NULL;
}

static napi_value transpose(napi_env env, napi_callback_info info) {
  return weight_pass(env, info, "transpose", "rows, cols, src, os, dst, od", "dst", 1, seq_transpose);
}

static napi_value abs_column_sums(napi_env env, napi_callback_info info) {
  return weight_pass(env, info, "absColumnSums", "rows, cols, src, os, out, oo", "out", 0, seq_abs_column_sums);
}

static napi_value time_major(napi_env env, napi_callback_info info) {
  const char *fn = "timeMajor";
  napi_value args[7];
  long long N, T, F;
  double *src, *dst;
  if (!get_args(env, info, fn, 7, "N, T, F, src, os, dst, od", args) || !get_integer(env, args[0], fn, "N", "", 1, &N) ||
      !get_integer(env, args[1], fn, "T", "", 1, &T) || !get_integer(env, args[2], fn, "F", "", 1, &F)) {
    return NULL;
  }
  if ((double)N * (double)T * (double)F >= INDEX_LIMIT) {
    fail(env, fn, "N*T*F must be below 2^31");
    return NULL;
  }
  if (!get_span(env, args + 3, fn, "src", N * T * F, &src) || !get_span(env, args + 5, fn, "dst", N * T * F, &dst)) return NULL;
  if (N * T * F > 0) seq_time_major((size_t)N, (size_t)T, (size_t)F, src, dst);
  return NULL;
}

/* dotsRider(N, K, a, oa, Bt, obt, c, oc, half, x, ox, y, oy, w, ow): seq_dots_rider_fn (gemm.h) on
 * views with offsets, Bt's rows K apart: the carry with its rider where a step runs in JS. */
static napi_value dots_rider(napi_env env, napi_callback_info info) {
  static const char fn[] = "dotsRider";
  napi_value args[15];
  if (!get_args(env, info, fn, 15, "N, K, a, oa, Bt, obt, c, oc, half, x, ox, y, oy, w, ow", args)) return NULL;
  long long N, K, half;
  double *a, *bt, *c, *x, *y, *w;
  if (!get_integer(env, args[0], fn, "N", "", 1, &N) || !get_integer(env, args[1], fn, "K", "", 1, &K) ||
      !get_integer(env, args[8], fn, "half", "", 1, &half))
    return NULL;
  if (half != SEQ_RIDER_Y && half != SEQ_RIDER_W) {
    fail(env, fn, "half must be 1 (y = Bt x) or 2 (w += Bt^T y)");
    return NULL;
  }
  if ((double)N * (double)K >= INDEX_LIMIT) {
    fail(env, fn, "N*K must be below 2^31");
    return NULL;
  }
  if (!get_span(env, args + 2, fn, "a", K, &a) || !get_span(env, args + 4, fn, "Bt", N * K, &bt) ||
      !get_span(env, args + 6, fn, "c", N, &c) || !get_span(env, args + 9, fn, "x", half == SEQ_RIDER_Y ? K : 0, &x) ||
      !get_span(env, args + 11, fn, "y", N, &y) || !get_span(env, args + 13, fn, "w", half == SEQ_RIDER_W ? K : 0, &w))
    return NULL;
  if (N > 0) instance_of(env)->kernel->dots_rider((size_t)N, (size_t)K, a, bt, (ptrdiff_t)K, c, (int)half, x, y, w);
  return NULL;
}

/* The slots of lossStep's plan; LOSS_STEP_SLOTS of src/engine/fusedLossStep.ts lists the same. */
enum plan_slot {
  P_N, P_D, P_H, P_G, P_LSTM, P_FLAGS, P_ROUTE,
  P_DH, P_DC_FUTURE, P_DCT, P_DA, P_ROWS, P_G_DA, P_G_X, P_G_H, P_PRODUCT, P_COL_SUM, P_W_B, P_W_BT, P_W_PACKED,
  P_X, P_H_PREV, P_COEF, P_EH, P_EC, P_SCALED_SLOPES, P_SLOPE_EXPONENT, P_CARRY,
  P_RIDER_HALF, P_RIDER_X, P_RIDER_Y, P_RIDER_W,
  P_OUT, /* 5 norms (dh, dc, dWx, dWh, db) as mantissa, exponent; then eh, ec */
  P_SLOTS = P_OUT + 12
};

/* plan[slot] as an integer in [0, 2^31), else throws naming the slot. */
static int plan_integer(napi_env env, const char *fn, const double *plan, int slot, long long *out) {
  const double d = plan[slot];
  if (!(d == floor(d)) || !(d >= 0) || !(d < INDEX_LIMIT)) {
    char what[64];
    snprintf(what, sizeof what, "plan[%d] must be an integer in [0, 2^31)", slot);
    return fail(env, fn, what);
  }
  *out = (long long)d;
  return 1;
}

/* Points *out at the arena's `count` doubles from the offset in plan[slot], after checking they lie in it. */
static int plan_span(napi_env env, const char *fn, const struct view *arena, const double *plan, int slot,
                     long long count, double **out) {
  const double off = plan[slot];
  if (!(off == floor(off)) || !(off >= 0) || !(off + (double)count <= (double)arena->length)) {
    char what[128];
    snprintf(what, sizeof what, "plan[%d]: %lld doubles from %g are outside the arena of %zu", slot, count, off,
             arena->length);
    return fail(env, fn, what);
  }
  *out = arena->data + (size_t)off;
  return 1;
}

/*
 * A fused step's arena (args[0]) and plan (args[1], at least `slots` doubles, `what` naming that
 * count in the error), the plan's first `count` slots (its sizes and flags) read as integers in
 * [0, 2^31) into sizes. Returns the plan's doubles, or NULL having thrown.
 */
static double *get_plan(napi_env env, const char *fn, napi_value *args, size_t slots, const char *what, int count,
                        struct view *arena, long long *sizes) {
  struct view plan;
  if (!get_view(env, args[0], fn, "arena", arena) || !get_view(env, args[1], fn, "plan", &plan)) return NULL;
  if (plan.length < slots) {
    char message[64];
    snprintf(message, sizeof message, "plan must hold %s doubles", what);
    fail(env, fn, message);
    return NULL;
  }
  for (int i = 0; i < count; i++)
    if (!plan_integer(env, fn, plan.data, i, &sizes[i])) return NULL;
  return plan.data;
}

static napi_value loss_step(napi_env env, napi_callback_info info) {
  static const char fn[] = "lossStep";
  napi_value args[2];
  if (!get_args(env, info, fn, 2, "arena, plan", args)) return NULL;
  struct view arena;
  long long v[P_ROUTE + 1];
  double *plan = get_plan(env, fn, args, P_SLOTS, "LOSS_STEP_SLOTS", P_ROUTE + 1, &arena, v);
  if (plan == NULL) return NULL;
  const long long N = v[P_N], D = v[P_D], H = v[P_H], G = v[P_G], lstm = v[P_LSTM], flags = v[P_FLAGS], route = v[P_ROUTE];
  if (N == 0 || D == 0 || H == 0 || lstm > 1 || G != (lstm ? 4 * H : H) || route > SEQ_PAIRED_PACKED ||
      (double)N * (double)G * 6 >= INDEX_LIMIT || (double)G * (double)(D > H ? D : H) >= INDEX_LIMIT ||
      (double)N * (double)N >= INDEX_LIMIT) {
    fail(env, fn, "the plan's sizes must be N, D, H >= 1, G = 4H (LSTM) or H (RNN), route 0..2, their products below 2^31");
    return NULL;
  }
  const long long NH = N * H, K = D > H ? D : H;
  const int gram = (flags & SEQ_USE_GRAM) != 0;
  const int direct = !gram || (flags & (SEQ_WANT_DWX | SEQ_WANT_DWH));
  struct seq_loss_step s = {.N = (size_t)N, .D = (size_t)D, .H = (size_t)H, .G = (size_t)G, .lstm = (int)lstm,
                           .flags = (int)flags, .route = (int)route};
  double *x, *h_prev, *coef, *w_b, *w_bt, *w_packed = NULL;
  if (!plan_span(env, fn, &arena, plan, P_DH, NH, &s.dh) ||
      !plan_span(env, fn, &arena, plan, P_DC_FUTURE, lstm ? NH : 0, &s.dc_future) ||
      !plan_span(env, fn, &arena, plan, P_DCT, lstm ? NH : 0, &s.dct) ||
      !plan_span(env, fn, &arena, plan, P_DA, N * G, &s.da) ||
      !plan_span(env, fn, &arena, plan, P_ROWS, gram ? N * K : 0, &s.rows) ||
      !plan_span(env, fn, &arena, plan, P_G_DA, gram ? N * N : 0, &s.g_da) ||
      !plan_span(env, fn, &arena, plan, P_G_X, gram ? N * N : 0, &s.g_x) ||
      !plan_span(env, fn, &arena, plan, P_G_H, gram ? N * N : 0, &s.g_h) ||
      !plan_span(env, fn, &arena, plan, P_PRODUCT, direct ? G * K : 0, &s.product) ||
      !plan_span(env, fn, &arena, plan, P_COL_SUM, G, &s.col_sum) ||
      !plan_span(env, fn, &arena, plan, P_W_B, G * H, &w_b) || !plan_span(env, fn, &arena, plan, P_W_BT, G * H, &w_bt) ||
      (route == SEQ_PAIRED_PACKED &&
       !plan_span(env, fn, &arena, plan, P_W_PACKED, (long long)seq_packed_doubles((size_t)G, (size_t)H), &w_packed)) ||
      !plan_span(env, fn, &arena, plan, P_X, N * D, &x) || !plan_span(env, fn, &arena, plan, P_H_PREV, NH, &h_prev) ||
      !plan_span(env, fn, &arena, plan, P_COEF, lstm ? 6 * NH : NH, &coef)) {
    return NULL;
  }
  s.w_b = w_b;
  s.w_bt = w_bt;
  s.w_packed = w_packed;
  s.x = x;
  s.h_prev = h_prev;
  s.coef = coef;
  s.eh = plan[P_EH];
  s.ec = plan[P_EC];
  s.scaled_slopes = plan[P_SCALED_SLOPES] != 0;
  s.slope_exponent = plan[P_SLOPE_EXPONENT];
  s.carry = plan[P_CARRY] != 0;
  long long half;
  if (!plan_integer(env, fn, plan, P_RIDER_HALF, &half)) return NULL;
  if (half > SEQ_RIDER_W || (half != 0 && (N != 1 || route != SEQ_PAIRED_BT))) {
    fail(env, fn, "the plan's rider half must be 0, or 1 or 2 with N = 1 on route 1");
    return NULL;
  }
  s.rider_half = (int)half;
  if (half != 0) {
    double *rx;
    if (!plan_span(env, fn, &arena, plan, P_RIDER_X, G, &rx) || !plan_span(env, fn, &arena, plan, P_RIDER_Y, H, &s.rider_y) ||
        !plan_span(env, fn, &arena, plan, P_RIDER_W, G, &s.rider_w))
      return NULL;
    s.rider_x = rx;
  }
  struct seq_loss_step_result r;
  struct instance *inst = instance_of(env);
  seq_loss_step(&s, elementwise_of(env), inst->kernel, inst->pool, &r);
  const struct seq_scaled_norm norms[5] = {r.dh, r.dc, r.dwx, r.dwh, r.db};
  for (int i = 0; i < 5; i++) {
    plan[P_OUT + 2 * i] = norms[i].mantissa;
    plan[P_OUT + 2 * i + 1] = norms[i].exponent;
  }
  plan[P_OUT + 10] = r.eh;
  plan[P_OUT + 11] = r.ec;
  return NULL;
}

/* The slots of forwardStep's plan; FORWARD_STEP_SLOTS of src/engine/fusedForwardStep.ts lists the same. */
enum forward_slot {
  F_N, F_H, F_G, F_LSTM, F_ROUTE, F_HAS_PREV, F_SUMS,
  F_A, F_H_PREV, F_W_B, F_W_BT, F_W_PACKED, F_SLOPE, F_HS, F_C, F_COEF,
  F_OUT, /* h_squares, slope_squares, forget_sum */
  F_SLOTS = F_OUT + 3
};

static napi_value forward_step(napi_env env, napi_callback_info info) {
  static const char fn[] = "forwardStep";
  napi_value args[4];
  if (!get_args(env, info, fn, 4, "arena, plan, products, events", args)) return NULL;
  struct view arena, products, events;
  long long v[F_SUMS + 1];
  double *plan = get_plan(env, fn, args, F_SLOTS, "FORWARD_STEP_SLOTS", F_SUMS + 1, &arena, v);
  if (plan == NULL || !get_view(env, args[2], fn, "products", &products) || !get_view(env, args[3], fn, "events", &events))
    return NULL;
  const long long N = v[F_N], H = v[F_H], G = v[F_G], lstm = v[F_LSTM], route = v[F_ROUTE], has_prev = v[F_HAS_PREV],
                  sums = v[F_SUMS];
  if (N == 0 || H == 0 || lstm > 1 || G != (lstm ? 4 * H : H) || route > SEQ_PAIRED_PACKED ||
      (double)N * (double)G * 6 >= INDEX_LIMIT || (double)H * (double)G >= INDEX_LIMIT) {
    fail(env, fn, "the plan's sizes must be N, H >= 1, G = 4H (LSTM) or H (RNN), route 0..2, their products below 2^31");
    return NULL;
  }
  const long long NH = N * H;
  const int forget = lstm && sums;
  if (forget && (products.length < (size_t)NH || events.length < (size_t)(1 + 2 * NH))) {
    fail(env, fn, "products must hold N*H doubles and events 1 + 2*N*H");
    return NULL;
  }
  struct seq_forward_step s = {.N = (size_t)N, .H = (size_t)H, .G = (size_t)G, .lstm = (int)lstm, .route = (int)route,
                               .has_prev = has_prev != 0, .sums = sums != 0, .products = products.data,
                               .events = events.data};
  double *h_prev, *w_b, *w_bt, *w_packed = NULL, *c = NULL, *coef = NULL;
  if (!plan_span(env, fn, &arena, plan, F_A, N * G, &s.a) || !plan_span(env, fn, &arena, plan, F_H_PREV, NH, &h_prev) ||
      !plan_span(env, fn, &arena, plan, F_W_B, H * G, &w_b) || !plan_span(env, fn, &arena, plan, F_W_BT, H * G, &w_bt) ||
      (route == SEQ_PAIRED_PACKED &&
       !plan_span(env, fn, &arena, plan, F_W_PACKED, (long long)seq_packed_doubles((size_t)H, (size_t)G), &w_packed)) ||
      !plan_span(env, fn, &arena, plan, F_SLOPE, lstm ? N * G : NH, &s.slope) ||
      !plan_span(env, fn, &arena, plan, F_HS, NH, &s.h) ||
      (lstm && (!plan_span(env, fn, &arena, plan, F_C, NH, &c) || !plan_span(env, fn, &arena, plan, F_COEF, 6 * NH, &coef)))) {
    return NULL;
  }
  s.h_prev = h_prev;
  s.w_b = w_b;
  s.w_bt = w_bt;
  s.w_packed = w_packed;
  s.c = c;
  s.coef = coef;
  struct seq_forward_sums r;
  struct instance *inst = instance_of(env);
  seq_forward_step(&s, elementwise_of(env), inst->kernel, inst->pool, &r);
  plan[F_OUT] = r.h_squares;
  plan[F_OUT + 1] = r.slope_squares;
  plan[F_OUT + 2] = r.forget_sum;
  return NULL;
}

static void free_instance(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  struct instance *inst = data;
  if (inst->pool != NULL) seq_pool_free(inst->pool);
  free(inst);
}

NAPI_MODULE_INIT() {
  struct instance *inst = calloc(1, sizeof *inst);
  struct seq_pool *pool = inst == NULL ? NULL : seq_pool_new(SEQ_SCRATCH_DOUBLES);
  if (pool == NULL) {
    free(inst);
    napi_throw_error(env, NULL, "seqlab native kernels: out of memory");
    return NULL;
  }
  inst->pool = pool;
  inst->kernel = seq_best_microkernel();
  if (napi_set_instance_data(env, inst, free_instance, NULL) != napi_ok) {
    free_instance(env, inst, NULL);
    return NULL;
  }
  const napi_property_descriptor props[] = {
    {"gemm", NULL, gemm, NULL, NULL, NULL, napi_default, NULL},
    {"packMatrix", NULL, pack_matrix, NULL, NULL, NULL, napi_default, NULL},
    {"gemmPacked", NULL, gemm_packed, NULL, NULL, NULL, napi_default, NULL},
    {"gramUpper", NULL, gram_upper, NULL, NULL, NULL, napi_default, NULL},
    {"polarFactors", NULL, polar_factors, NULL, NULL, NULL, napi_default, NULL},
    {"glibcLog", NULL, glibc_log_one, NULL, NULL, NULL, napi_default, NULL},
    {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
    {"isa", NULL, isa, NULL, NULL, NULL, napi_default, NULL},
    {"isas", NULL, isas, NULL, NULL, NULL, napi_default, NULL},
    {"useIsa", NULL, use_isa, NULL, NULL, NULL, napi_default, NULL},
    {"rnnForwardStep", NULL, rnn_forward_step, NULL, NULL, NULL, napi_default, NULL},
    {"lstmForwardStep", NULL, lstm_forward_step, NULL, NULL, NULL, napi_default, NULL},
    {"lstmCellBackward", NULL, lstm_cell_backward, NULL, NULL, NULL, napi_default, NULL},
    {"rnnCellBackward", NULL, rnn_cell_backward, NULL, NULL, NULL, napi_default, NULL},
    {"forgetStep", NULL, forget_step, NULL, NULL, NULL, napi_default, NULL},
    {"lstmCarry", NULL, lstm_carry, NULL, NULL, NULL, napi_default, NULL},
    {"maxAbs", NULL, max_abs, NULL, NULL, NULL, napi_default, NULL},
    {"scale", NULL, scale, NULL, NULL, NULL, napi_default, NULL},
    {"sumSquares", NULL, sum_squares, NULL, NULL, NULL, napi_default, NULL},
    {"addBias", NULL, add_bias, NULL, NULL, NULL, napi_default, NULL},
    {"columnSums", NULL, column_sums, NULL, NULL, NULL, napi_default, NULL},
    {"transpose", NULL, transpose, NULL, NULL, NULL, napi_default, NULL},
    {"absColumnSums", NULL, abs_column_sums, NULL, NULL, NULL, napi_default, NULL},
    {"timeMajor", NULL, time_major, NULL, NULL, NULL, napi_default, NULL},
    {"lossStep", NULL, loss_step, NULL, NULL, NULL, napi_default, NULL},
    {"dotsRider", NULL, dots_rider, NULL, NULL, NULL, napi_default, NULL},
    {"forwardStep", NULL, forward_step, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
