/*
 * The native dense products: one blocked, packed float64 matrix product (BLIS style) around a
 * small register-blocked micro-kernel, chosen at run time for the CPU (see microkernels.c).
 *
 * Matrices are given the stdlib-js BLAS way: sizes first, then each array as a pointer to its
 * first element with a stride per dimension (element (i, j) of A is A[i*sa1 + j*sa2]), so a
 * transpose is only a swap of strides and no product ever copies its operands out of place.
 */
#ifndef SEQLAB_GEMM_H
#define SEQLAB_GEMM_H

#include <stddef.h>
#include "parallel.h"

/* The micro-tile: SEQ_MR rows of A times SEQ_NR columns of B, held in registers. 6 x 8 doubles
 * is twelve 256-bit accumulators: enough independent FMA chains to cover two FMA units of
 * latency 4 (Zen 3, Skylake), and the tile BLIS uses for dgemm on these cores. */
#define SEQ_MR 6
#define SEQ_NR 8
/* Cache blocks: a KC-deep sliver of packed B (KC x NR, 16 KiB) stays in L1 while an MC x KC
 * block of A streams from L2, micro-panel by micro-panel. B is packed NB slivers at a time
 * (64 KiB, in L2), so that each row of B is read in runs of NB*NR doubles. MC is chosen at run
 * time from the L2 size (seq_block_rows), up to SEQ_MC_MAX. */
#define SEQ_KC 256
#define SEQ_MC_MAX 288
#define SEQ_NB 4

/* B up to this many doubles (256 KiB, half of L2) with unit column stride is read in place, unpacked. */
#define SEQ_DIRECT_B_DOUBLES 32768

/* Doubles of scratch seq_gemm needs per thread (packed A block and one packed B sliver). */
#define SEQ_SCRATCH_DOUBLES (SEQ_MC_MAX * SEQ_KC + SEQ_NB * SEQ_KC * SEQ_NR)

/* A product is split over the pool's threads (parallel.h) from this many multiply-adds on
 * (below, handing out the parts costs more than it saves), in parts of at least this many
 * columns of C. */
#define SEQ_PARALLEL_MIN_MULTIPLY_ADDS 262144.0
#define SEQ_PARALLEL_MIN_COLUMNS 32

/*
 * c[MR x NR] (row stride ldc, column stride 1) = (accumulate ? c : 0) + a * b, over kc steps of
 * a packed A micro-panel (a[k*MR + i]) and NR columns of B, row k at b + k*ldb: a packed sliver
 * (ldb = NR) or, for a small B, B itself (gemm.c).
 */
typedef void (*seq_microkernel_fn)(size_t kc, const double *a, const double *b, ptrdiff_t ldb, double *c, ptrdiff_t ldc,
                                   int accumulate);

/*
 * C[M x N] (+)= A[M x K] B[K x N] with unit column strides in B and C, row by row (rows.h): for
 * products of at most SEQ_ROWS_MAX_M rows or inner size SEQ_ROWS_MAX_K.
 */
typedef void (*seq_rows_fn)(size_t M, size_t N, size_t K, const double *A, ptrdiff_t sa1, ptrdiff_t sa2,
                            const double *B, ptrdiff_t sb1, int accumulate, double *C, ptrdiff_t sc1);
#define SEQ_ROWS_MAX_M 4
#define SEQ_ROWS_MAX_K 8

/*
 * C[M x N] (+)= A[M x K] Bt^T, where row j of Bt is B's column j (K contiguous doubles, rows ldb
 * apart) and A's rows are contiguous, as dot products (dots_avx2.c): for M of 1 to
 * SEQ_ROWS_MAX_M, and with `upper` (only the entries with column >= row written; Bt = A, a Gram
 * matrix) for M up to SEQ_GRAM_DOTS_MAX_M.
 */
typedef void (*seq_dots_fn)(size_t M, size_t N, size_t K, const double *A, ptrdiff_t sa1, const double *Bt,
                            ptrdiff_t ldb, int accumulate, double *C, ptrdiff_t sc1, int upper);
/* Below 32 rows a Gram matrix's 6 x 8 tiles are mostly padding. */
#define SEQ_GRAM_DOTS_MAX_M 31

/*
 * The micro-kernel on two adjacent slivers of B at once: c[MR x 2NR] (+)= a * [b | b + next],
 * the second sliver `next` doubles past the first (kc * NR when packed, NR in B itself). Each
 * entry is computed exactly as seq_microkernel_fn computes it, only wider.
 */
typedef void (*seq_microkernel_pair_fn)(size_t kc, const double *a, const double *b, ptrdiff_t next, ptrdiff_t ldb,
                                        double *c, ptrdiff_t ldc, int accumulate);

/*
 * seq_microkernel_fn and seq_microkernel_pair_fn reading A in place rather than packed: row i's
 * coefficient at step k is a[i*lda + k] (A's rows, unit column stride). Every entry gets the
 * packed kernel's FMAs in their order. gemm.c reads every A with unit column stride in place.
 */
typedef void (*seq_microkernel_in_place_fn)(size_t kc, const double *a, ptrdiff_t lda, const double *b, ptrdiff_t ldb,
                                            double *c, ptrdiff_t ldc, int accumulate);
typedef void (*seq_microkernel_pair_in_place_fn)(size_t kc, const double *a, ptrdiff_t lda, const double *b,
                                                 ptrdiff_t next, ptrdiff_t ldb, double *c, ptrdiff_t ldc,
                                                 int accumulate);

/*
 * The carry's dot products with half of a Lanczos product of sigma_max(Wh) riding on them
 * (SpectralRider of src/engine/spectralRider.ts): c[j] = a . Bt_j for j < N, bit for bit as
 * dots(1, N, K, a, K, Bt, ldb, 0, c, N, 0) computes them, and
 *  - half SEQ_RIDER_Y: y[j] = x . Bt_j, the same dot products of x (the same bits as dots of x);
 *  - half SEQ_RIDER_W: w[k] += sum_j y[j] Bt_j[k], w += Bt^T y, the rows of Bt in order;
 * reading each row of Bt once. The carry at N = 1 streams the LSTM's 32 MiB Wh from memory at
 * H = 1024: the rider's multiply-adds fit in that stream, where sigma_max's Gram matrix Wh Wh^T
 * cost 2.1e9 of its own.
 */
enum seq_rider_half { SEQ_RIDER_Y = 1, SEQ_RIDER_W = 2 };
typedef void (*seq_dots_rider_fn)(size_t N, size_t K, const double *a, const double *Bt, ptrdiff_t ldb, double *c,
                                  int half, const double *x, double *y, double *w);

struct seq_microkernel {
  /* "avx512", "avx2-fma", "neon" or "generic": which instruction set the kernels run in. */
  const char *isa;
  seq_microkernel_fn run;
  /* The same for micro-panels of at most 4 rows (rows 4 and 5 of c untouched), or NULL: run does them. */
  seq_microkernel_fn run4;
  /* run and run4 on two slivers at once, or NULL: the sets whose vectors hold 2 NR doubles. */
  seq_microkernel_pair_fn run_pair;
  seq_microkernel_pair_fn run4_pair;
  /* run, run4, run_pair and run4_pair reading A in place, or NULL (then A is always packed). Set
   * with run, run4 (and the pairs where those are set). */
  seq_microkernel_in_place_fn run_in_place;
  seq_microkernel_in_place_fn run4_in_place;
  seq_microkernel_pair_in_place_fn run_pair_in_place;
  seq_microkernel_pair_in_place_fn run4_pair_in_place;
  /* run_pair_in_place on 8 rows, or NULL: the sets with registers for its 16 accumulators. An
   * A block whose rows are a multiple of 8 (batches of 16 to 256) is then cut into 8-row tiles,
   * with no 4-row tile left over as 16 = 6 + 6 + 4 leaves one. */
  seq_microkernel_pair_in_place_fn run8_pair_in_place;
  seq_rows_fn rows;
  seq_dots_fn dots;
  /* dots for one row of A with a rider (seq_dots_rider_fn), giving dots' bits for c. */
  seq_dots_rider_fn dots_rider;
};

/*
 * MC, the rows of A per block: about 28% of this core's L2 (as sysconf reports it) in KC-deep
 * rows, a multiple of MR from 48 to SEQ_MC_MAX; 144 where the size is not reported. On a 2 MiB
 * L2 that is 288, so a batch of 256 rows is one block and B is packed once per K slice: 3-6%
 * faster than 144 on the 256-row products of the size grid (Xeon, AVX-512, 40 alternating
 * rounds against two copies of the 144 build). On a 1 MiB L2 (Zen 5, where 144 was tuned) it
 * is 144. The blocks only group rows: every entry of C gets the same FMAs whatever MC is.
 */
size_t seq_block_rows(void);

/* The fastest micro-kernel this CPU runs. */
const struct seq_microkernel *seq_best_microkernel(void);
/* The micro-kernel called `isa` if this CPU runs it, else NULL (tests pin each in turn). */
const struct seq_microkernel *seq_microkernel_named(const char *isa);
/* Every micro-kernel this CPU runs, fastest first, into out (at most `max`); returns how many. */
int seq_runnable_microkernels(const struct seq_microkernel **out, int max);

/*
 * C[M x N] = (accumulate ? C : 0) + A[M x K] * B[K x N]. With `upper`, C is square (M == N)
 * and only its entries on and above the diagonal (column >= row) are written; the rest of C is
 * neither read nor written. C must not overlap A or B. Large products are split by columns of C
 * over `pool`'s threads, each part computing its entries exactly as one thread would.
 */
void seq_gemm(const struct seq_microkernel *kernel, struct seq_pool *pool,
              size_t M, size_t N, size_t K,
              const double *A, ptrdiff_t sa1, ptrdiff_t sa2,
              const double *B, ptrdiff_t sb1, ptrdiff_t sb2,
              int accumulate, double *C, ptrdiff_t sc1, ptrdiff_t sc2, int upper);

/* The dot-product path (dots_avx2.c; plain C in microkernel_generic.c, which NEON uses too). */
void seq_dots_generic(size_t M, size_t N, size_t K, const double *A, ptrdiff_t sa1, const double *Bt, ptrdiff_t ldb,
                      int accumulate, double *C, ptrdiff_t sc1, int upper);
void seq_dots_rider_generic(size_t N, size_t K, const double *a, const double *Bt, ptrdiff_t ldb, double *c, int half,
                            const double *x, double *y, double *w);
#if defined(__x86_64__) || defined(__i386__)
void seq_dots_rider_avx2(size_t N, size_t K, const double *a, const double *Bt, ptrdiff_t ldb, double *c, int half,
                         const double *x, double *y, double *w);
void seq_dots_avx2(size_t M, size_t N, size_t K, const double *A, ptrdiff_t sa1, const double *Bt, ptrdiff_t ldb,
                   int accumulate, double *C, ptrdiff_t sc1, int upper);
void seq_dots_avx512(size_t M, size_t N, size_t K, const double *A, ptrdiff_t sa1, const double *Bt, ptrdiff_t ldb,
                     int accumulate, double *C, ptrdiff_t sc1, int upper);
#endif

/*
 * A K x N matrix B packed once for many products with it (the engine's weights, used every
 * step): the slivers pack_b makes for each KC-deep block, block p0 at packed + p0 * width
 * (width = N rounded up to NR), so that seq_gemm_with skips packing B and reads it in the order
 * it computes. seq_packed_doubles: the doubles `packed` must hold.
 */
size_t seq_packed_doubles(size_t K, size_t N);
void seq_pack_matrix(size_t K, size_t N, const double *B, ptrdiff_t sb1, ptrdiff_t sb2, double *packed);

/* seq_gemm, with B also given packed (`packed`, from seq_pack_matrix; NULL: pack as needed). With
 * `packed`, B itself is not read: the packed product is always the blocked one. */
void seq_gemm_with(const struct seq_microkernel *kernel, struct seq_pool *pool,
                   size_t M, size_t N, size_t K,
                   const double *A, ptrdiff_t sa1, ptrdiff_t sa2,
                   const double *B, ptrdiff_t sb1, ptrdiff_t sb2, const double *packed,
                   int accumulate, double *C, ptrdiff_t sc1, ptrdiff_t sc2, int upper);

/* The kernels of each instruction set (each file compiles to nothing on other architectures). */
#define SEQ_DECLARE_KERNELS(isa)                                                                       \
  void seq_microkernel_##isa(size_t kc, const double *a, const double *b, ptrdiff_t ldb, double *c, ptrdiff_t ldc,     \
                             int accumulate);                                                                     \
  void seq_rows_##isa(size_t M, size_t N, size_t K, const double *A, ptrdiff_t sa1, ptrdiff_t sa2,       \
                      const double *B, ptrdiff_t sb1, int accumulate, double *C, ptrdiff_t sc1);
SEQ_DECLARE_KERNELS(generic)
#if defined(__x86_64__) || defined(__i386__)
SEQ_DECLARE_KERNELS(avx2)
void seq_microkernel4_avx2(size_t kc, const double *a, const double *b, ptrdiff_t ldb, double *c, ptrdiff_t ldc,
                           int accumulate);
void seq_microkernel_in_place_avx2(size_t kc, const double *a, ptrdiff_t lda, const double *b, ptrdiff_t ldb, double *c,
                                   ptrdiff_t ldc, int accumulate);
void seq_microkernel4_in_place_avx2(size_t kc, const double *a, ptrdiff_t lda, const double *b, ptrdiff_t ldb,
                                    double *c, ptrdiff_t ldc, int accumulate);
void seq_microkernel_pair_avx512(size_t kc, const double *a, const double *b, ptrdiff_t next, ptrdiff_t ldb, double *c,
                                 ptrdiff_t ldc, int accumulate);
void seq_microkernel4_pair_avx512(size_t kc, const double *a, const double *b, ptrdiff_t next, ptrdiff_t ldb, double *c,
                                  ptrdiff_t ldc, int accumulate);
void seq_microkernel_pair_in_place_avx512(size_t kc, const double *a, ptrdiff_t lda, const double *b, ptrdiff_t next,
                                          ptrdiff_t ldb, double *c, ptrdiff_t ldc, int accumulate);
void seq_microkernel4_pair_in_place_avx512(size_t kc, const double *a, ptrdiff_t lda, const double *b, ptrdiff_t next,
                                           ptrdiff_t ldb, double *c, ptrdiff_t ldc, int accumulate);
void seq_microkernel8_pair_in_place_avx512(size_t kc, const double *a, ptrdiff_t lda, const double *b, ptrdiff_t next,
                                           ptrdiff_t ldb, double *c, ptrdiff_t ldc, int accumulate);
void seq_rows_avx512(size_t M, size_t N, size_t K, const double *A, ptrdiff_t sa1, ptrdiff_t sa2, const double *B,
                     ptrdiff_t sb1, int accumulate, double *C, ptrdiff_t sc1);
#endif
#if defined(__aarch64__)
SEQ_DECLARE_KERNELS(neon)
#endif

#endif
