/*
 * The blocked product around the micro-kernel. Loop order (outer to inner): K in KC-deep
 * blocks; M in MC-row blocks, each packed into MR-row micro-panels; N in NR-column slivers,
 * each packed; MR-row micro-panels of the A block. One packed B sliver is reused by every
 * micro-panel of the A block while it sits in L1.
 *
 * B is packed one sliver at a time rather than in one large block because the engine's B is a
 * weight matrix of up to 4H columns (8 MiB at H = 512), read once per product by a batch of as
 * few as 16 rows: copying it whole into a second buffer would double the traffic that bounds
 * those products. Packing is still needed: rows of a power-of-two width lie a multiple of 4 KiB
 * apart and would all fall into the same few cache sets.
 */
#include <string.h>
#include <unistd.h>
#include "gemm.h"

#ifndef PREFETCH_SLIVERS
#define PREFETCH_SLIVERS 4
#endif

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

/* Set on first use, by a thread calling a product (the parts read it from struct product); a race
 * between two first calls only stores the same value twice. */
static size_t block_rows;

size_t seq_block_rows(void) {
  size_t rows = __atomic_load_n(&block_rows, __ATOMIC_RELAXED);
  if (rows != 0) return rows;
  long l2 = 0;
#ifdef _SC_LEVEL2_CACHE_SIZE
  l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
  rows = 144;
  if (l2 > 0) {
    rows = ((size_t)l2 * 9 / 32) / (SEQ_KC * sizeof(double)) / SEQ_MR * SEQ_MR;
    if (rows < 8 * SEQ_MR) rows = 8 * SEQ_MR;
    if (rows > SEQ_MC_MAX) rows = SEQ_MC_MAX;
  }
  __atomic_store_n(&block_rows, rows, __ATOMIC_RELAXED);
  return rows;
}

/* The mc x kc block of A at `a` into MR-row micro-panels (a[k*MR + i]), rows past mc zeroed. */
static void pack_a(double *dst, const double *a, ptrdiff_t s1, ptrdiff_t s2, size_t mc, size_t kc) {
  for (size_t ir = 0; ir < mc; ir += SEQ_MR) {
    const size_t mr = min_size(SEQ_MR, mc - ir);
    const double *src = a + (ptrdiff_t)ir * s1;
    if (mr == SEQ_MR) {
      for (size_t k = 0; k < kc; k++) {
        const double *col = src + (ptrdiff_t)k * s2;
        for (size_t i = 0; i < SEQ_MR; i++) dst[k * SEQ_MR + i] = col[(ptrdiff_t)i * s1];
      }
    } else {
      for (size_t k = 0; k < kc; k++) {
        const double *col = src + (ptrdiff_t)k * s2;
        for (size_t i = 0; i < SEQ_MR; i++) dst[k * SEQ_MR + i] = i < mr ? col[(ptrdiff_t)i * s1] : 0.0;
      }
    }
    dst += SEQ_MR * kc;
  }
}

/*
 * The kc x nc block of B at `b` into ceil(nc / NR) slivers, sliver q at dst + q*kc*NR holding
 * dst[k*NR + j] = B(k, q*NR + j), columns past nc zeroed. With unit column stride each row's
 * nc doubles are read in one contiguous run, and the same rows of the next block are
 * prefetched: kc rows at a large stride are too many streams for the hardware prefetchers, and
 * for a batch of 16 rows the loads of B are what the product waits for.
 */
static void pack_b(double *dst, const double *b, ptrdiff_t s1, ptrdiff_t s2, size_t kc, size_t nc) {
  const size_t whole = nc / SEQ_NR;
  const size_t sliver = kc * SEQ_NR;
  if (s2 == 1) {
    for (size_t k = 0; k < kc; k++) {
      const double *row = b + (ptrdiff_t)k * s1;
      for (size_t q = 0; q < SEQ_NB; q++) __builtin_prefetch(row + (SEQ_NB + q) * SEQ_NR);
      for (size_t q = 0; q < whole; q++) memcpy(dst + q * sliver + k * SEQ_NR, row + q * SEQ_NR, SEQ_NR * sizeof(double));
    }
  } else {
    for (size_t q = 0; q < whole; q++) {
      for (size_t k = 0; k < kc; k++) {
        const double *row = b + (ptrdiff_t)k * s1 + (ptrdiff_t)(q * SEQ_NR) * s2;
        for (size_t j = 0; j < SEQ_NR; j++) dst[q * sliver + k * SEQ_NR + j] = row[(ptrdiff_t)j * s2];
      }
    }
  }
  const size_t rest = nc - whole * SEQ_NR;
  if (rest > 0) {
    double *d = dst + whole * sliver;
    for (size_t k = 0; k < kc; k++) {
      const double *row = b + (ptrdiff_t)k * s1 + (ptrdiff_t)(whole * SEQ_NR) * s2;
      for (size_t j = 0; j < SEQ_NR; j++) d[k * SEQ_NR + j] = j < rest ? row[(ptrdiff_t)j * s2] : 0.0;
    }
  }
}

/*
 * Writes the mr x nr corner of a computed tile t[MR x NR] into C at c (its element (row0,
 * col0)); with `upper`, only entries with col >= row.
 */
static void store_tile(double *c, ptrdiff_t sc1, ptrdiff_t sc2, const double *t, size_t mr, size_t nr,
                       int accumulate, int upper, size_t row0, size_t col0) {
  for (size_t i = 0; i < mr; i++) {
    for (size_t j = 0; j < nr; j++) {
      if (upper && col0 + j < row0 + i) continue;
      double *d = c + (ptrdiff_t)i * sc1 + (ptrdiff_t)j * sc2;
      *d = accumulate ? *d + t[i * SEQ_NR + j] : t[i * SEQ_NR + j];
    }
  }
}

static void zero_output(size_t M, size_t N, double *C, ptrdiff_t sc1, ptrdiff_t sc2, int upper) {
  for (size_t i = 0; i < M; i++) {
    for (size_t j = upper ? i : 0; j < N; j++) C[(ptrdiff_t)i * sc1 + (ptrdiff_t)j * sc2] = 0.0;
  }
}

/* Whether a micro-panel of mr rows can be read in place: the in-place kernels have tiles of 6
 * rows and (where run4_in_place is set) of 4. */
static int in_place_rows(const struct seq_microkernel *kernel, size_t mr) {
  return mr == SEQ_MR || (mr == 4 && kernel->run4_in_place);
}

/* Whether blocks of `rows` rows read in place are cut into 8-row tiles: where the kernel has
 * them and the rows are a multiple of 8. The 8-row kernel is the 6-row one with two more rows
 * (every entry the same chain of FMAs), and on a batch of 16 it leaves no 4-row tile, whose
 * eight accumulators barely cover the FMA latency. On this project's Xeon (AVX-512), 16 x 64 x
 * 256 went from 49 to 67 GFLOP/s (B unpacked; 66 to 69 packed), and the standard sweep's engine
 * pass from 0.70 to 0.61 s and 0.64 to 0.53 s (best of 8, alternating with the 6-row set in one
 * process). */
static int eight_rows(const struct seq_microkernel *kernel, size_t rows) {
  return kernel->run8_pair_in_place != NULL && rows % 8 == 0;
}

/* The micro-kernel (the 4-row one with `four`) on an A micro-panel packed (lda 0) or read in place
 * from A's rows, lda apart. */
static void run_tile(const struct seq_microkernel *kernel, int four, size_t kc, const double *a_panel, ptrdiff_t lda,
                     const double *b_sliver, ptrdiff_t b_row, double *c, ptrdiff_t ldc, int add) {
  if (lda) (four ? kernel->run4_in_place : kernel->run_in_place)(kc, a_panel, lda, b_sliver, b_row, c, ldc, add);
  else (four ? kernel->run4 : kernel->run)(kc, a_panel, b_sliver, b_row, c, ldc, add);
}

/* One MR x NR tile of C (its element (row, j0) at c): the micro-kernel straight into C where
 * the tile is whole, else through a buffer (at the edges, across an upper product's diagonal,
 * or with C's columns strided). */
static void sliver_tile(const struct seq_microkernel *kernel, size_t kc, const double *a_panel, ptrdiff_t lda,
                        const double *b_sliver, ptrdiff_t b_row, size_t mr, size_t nr, size_t row, size_t j0, int add,
                        double *c, ptrdiff_t sc1, ptrdiff_t sc2, int upper) {
  const int four = mr <= 4 && kernel->run4;
  if ((mr == SEQ_MR || (mr == 4 && kernel->run4)) && nr == SEQ_NR && sc2 == 1 && (!upper || j0 + 1 >= row + mr)) {
    run_tile(kernel, four, kc, a_panel, lda, b_sliver, b_row, c, sc1, add);
  } else {
    double tile[SEQ_MR * SEQ_NR] __attribute__((aligned(32)));
    run_tile(kernel, four, kc, a_panel, lda, b_sliver, b_row, tile, SEQ_NR, 0);
    store_tile(c, sc1, sc2, tile, mr, nr, add, upper, row, j0);
  }
}

/* The part of C an A block (rows i0.., mc of them) and a packed B block (columns jb.., nc of
 * them) make, over one kc-deep slice of K: the micro-kernel on every MR x NR tile, or on two
 * side by side (MR x 2NR) where the kernel has a pair version and both slivers are whole. The A
 * block is packed (lda 0: a holds its micro-panels) or read in place (a is A at the block's
 * first row and column, rows lda apart), but for a last micro-panel the in-place kernels have
 * no tile for (1, 2, 3 or 5 rows): that one comes packed, in edge_panel. */
static void multiply_blocks(const struct seq_microkernel *kernel, const double *a, ptrdiff_t lda,
                            const double *edge_panel, const double *b, int b_packed, ptrdiff_t ldb, size_t i0,
                            size_t mc, size_t jb, size_t nc, size_t kc, int add, double *C, ptrdiff_t sc1,
                            ptrdiff_t sc2, int upper) {
  /* Packed: each sliver is a kc x NR block (rows NR apart); else B itself, from column j0. */
  const ptrdiff_t b_row = b_packed ? SEQ_NR : ldb;
  const ptrdiff_t next = b_packed ? (ptrdiff_t)(kc * SEQ_NR) : SEQ_NR;
  for (size_t j0 = jb; j0 < jb + nc;) {
    const size_t nr = min_size(SEQ_NR, jb + nc - j0);
    const double *b_sliver = b_packed ? b + ((j0 - jb) / SEQ_NR) * kc * SEQ_NR : b + (j0 - jb);
    const int pair = kernel->run_pair && j0 + 2 * SEQ_NR <= jb + nc && sc2 == 1;
    const size_t width = pair ? 2 * SEQ_NR : nr;
    if (pair && lda && eight_rows(kernel, mc) && !upper) {
      /* A read in place in whole 8-row tiles (see blocked_columns). */
      for (size_t ir = 0; ir < mc; ir += 8)
        kernel->run8_pair_in_place(kc, a + (ptrdiff_t)ir * lda, lda, b_sliver, next, b_row,
                                   C + (ptrdiff_t)(i0 + ir) * sc1 + (ptrdiff_t)j0 * sc2, sc1, add);
      j0 += width;
      continue;
    }
    for (size_t ir = 0; ir < mc; ir += SEQ_MR) {
      const size_t mr = min_size(SEQ_MR, mc - ir);
      const size_t row = i0 + ir;
      if (upper && j0 + width <= row) break; /* this tile and the rest of the column lie below the diagonal */
      const int in_place = lda && in_place_rows(kernel, mr);
      const ptrdiff_t panel_lda = in_place ? lda : 0;
      const double *a_panel = in_place ? a + (ptrdiff_t)ir * lda : lda ? edge_panel : a + ir * kc;
      double *c = C + (ptrdiff_t)row * sc1 + (ptrdiff_t)j0 * sc2;
      if (pair && (mr == SEQ_MR || (mr == 4 && kernel->run4_pair)) && (!upper || j0 + 1 >= row + mr)) {
        if (in_place)
          (mr == SEQ_MR ? kernel->run_pair_in_place : kernel->run4_pair_in_place)(kc, a_panel, lda, b_sliver, next, b_row,
                                                                                  c, sc1, add);
        else
          (mr == SEQ_MR ? kernel->run_pair : kernel->run4_pair)(kc, a_panel, b_sliver, next, b_row, c, sc1, add);
      } else {
        sliver_tile(kernel, kc, a_panel, panel_lda, b_sliver, b_row, mr, nr, row, j0, add, c, sc1, sc2, upper);
        if (pair)
          sliver_tile(kernel, kc, a_panel, panel_lda, b_sliver + next, b_row, mr, SEQ_NR, row, j0 + SEQ_NR, add,
                      c + (ptrdiff_t)SEQ_NR * sc2, sc1, sc2, upper);
      }
    }
    j0 += width;
  }
}

size_t seq_packed_doubles(size_t K, size_t N) { return K * ((N + SEQ_NR - 1) / SEQ_NR) * SEQ_NR; }

void seq_pack_matrix(size_t K, size_t N, const double *B, ptrdiff_t sb1, ptrdiff_t sb2, double *packed) {
  const size_t width = ((N + SEQ_NR - 1) / SEQ_NR) * SEQ_NR;
  for (size_t p0 = 0; p0 < K; p0 += SEQ_KC) pack_b(packed + p0 * width, B + (ptrdiff_t)p0 * sb1, sb1, sb2, min_size(SEQ_KC, K - p0), N);
}

void seq_gemm(const struct seq_microkernel *kernel, struct seq_pool *pool,
              size_t M, size_t N, size_t K,
              const double *A, ptrdiff_t sa1, ptrdiff_t sa2,
              const double *B, ptrdiff_t sb1, ptrdiff_t sb2,
              int accumulate, double *C, ptrdiff_t sc1, ptrdiff_t sc2, int upper) {
  seq_gemm_with(kernel, pool, M, N, K, A, sa1, sa2, B, sb1, sb2, NULL, accumulate, C, sc1, sc2, upper);
}

enum product_path { PATH_DOTS, PATH_ROWS, PATH_BLOCKED };

/* One product, its path chosen for the whole of it, and the columns of C each part computes. */
struct product {
  const struct seq_microkernel *kernel;
  size_t M, N, K;
  const double *A;
  ptrdiff_t sa1, sa2;
  const double *B;
  ptrdiff_t sb1, sb2;
  const double *packed;
  int accumulate;
  double *C;
  ptrdiff_t sc1, sc2;
  int upper;
  enum product_path path;
  /* MC (seq_block_rows), read once by the calling thread. */
  size_t block_rows;
  /* B read in place, unpacked (decided on the whole product, so every part reads it alike). */
  int direct_b;
  /* Part p computes columns [bounds[p], bounds[p + 1]). */
  size_t bounds[SEQ_MAX_THREADS + 1];
};

/* The blocked product's columns [j_begin, j_end) (multiples of NR but the last). */
static void blocked_columns(const struct product *p, double *scratch, size_t j_begin, size_t j_end) {
  const size_t M = p->M, N = p->N, K = p->K;
  double *packed_a = scratch;
  double *packed_b = scratch + SEQ_MC_MAX * SEQ_KC;
  const size_t packed_width = ((N + SEQ_NR - 1) / SEQ_NR) * SEQ_NR;
  /* A's rows (unit column stride) are read in place rather than packed: for a batch of 256 rows
   * against 16 x 16 weights packing A cost more than the product (2.4 against 1.7 us in all),
   * and no product measured was more than 2% (the noise) slower in place (AVX-512, Zen 5: up
   * to 256 x 1024 x 1024, 3% faster there). An upper (Gram) product packs: its tiles are cut
   * along the diagonal. */
  const int in_place = !p->upper && p->sa2 == 1 && p->sa1 != 0 && p->kernel->run_in_place;
  /* MC-row blocks of near-equal height (in whole micro-panels), so that no block is a sliver. */
  const size_t mc_rows = p->block_rows;
  const size_t blocks = (M + mc_rows - 1) / mc_rows;
  /* Blocks of whole tiles: of 8 rows where they are read in place in 8-row tiles (eight_rows). */
  const size_t tile = in_place && eight_rows(p->kernel, M) ? 8 : SEQ_MR;
  const size_t panels = (M + tile - 1) / tile;
  const size_t mc_step = ((panels + blocks - 1) / blocks) * tile;

  for (size_t p0 = 0; p0 < K; p0 += SEQ_KC) {
    const size_t kc = min_size(SEQ_KC, K - p0);
    /* The first K slice stores (or adds to C, with accumulate); the later ones add. */
    const int add = p->accumulate || p0 > 0;
    for (size_t i0 = 0; i0 < M; i0 += mc_step) {
      const size_t mc = min_size(mc_step, M - i0);
      /* Upper: the columns left of this block's first row hold no entry to write. */
      size_t first = p->upper ? (i0 / SEQ_NR) * SEQ_NR : 0;
      if (first < j_begin) first = j_begin;
      if (first >= j_end) continue;
      const double *a_block = p->A + (ptrdiff_t)i0 * p->sa1 + (ptrdiff_t)p0 * p->sa2;
      const ptrdiff_t lda = in_place ? p->sa1 : 0;
      if (in_place) {
        /* The last micro-panel, when no in-place kernel has its rows, packed alone. */
        const size_t last = (mc - 1) / SEQ_MR * SEQ_MR, rows = mc - last;
        if (!in_place_rows(p->kernel, rows))
          pack_a(packed_a, a_block + (ptrdiff_t)last * p->sa1, p->sa1, p->sa2, rows, kc);
      } else {
        pack_a(packed_a, a_block, p->sa1, p->sa2, mc, kc);
      }
      const double *a = in_place ? a_block : packed_a;
      for (size_t jb = first; jb < j_end; jb += SEQ_NB * SEQ_NR) {
        const size_t nc = min_size(SEQ_NB * SEQ_NR, j_end - jb);
        const double *b_block = p->B + (ptrdiff_t)p0 * p->sb1 + (ptrdiff_t)jb * p->sb2;
        if (p->packed) {
          /* Packed ahead (seq_pack_matrix): this block's slivers, as pack_b would have made them. */
          const double *b_packed = p->packed + p0 * packed_width + (jb / SEQ_NR) * kc * SEQ_NR;
          multiply_blocks(p->kernel, a, lda, packed_a, b_packed, 1, SEQ_NR, i0, mc, jb, nc, kc, add, p->C, p->sc1, p->sc2,
                          p->upper);
        } else if (p->direct_b) {
          multiply_blocks(p->kernel, a, lda, packed_a, b_block, 0, p->sb1, i0, mc, jb, nc, kc, add, p->C, p->sc1, p->sc2,
                          p->upper);
        } else {
          pack_b(packed_b, b_block, p->sb1, p->sb2, kc, nc);
          multiply_blocks(p->kernel, a, lda, packed_a, packed_b, 1, SEQ_NR, i0, mc, jb, nc, kc, add, p->C, p->sc1, p->sc2,
                          p->upper);
        }
      }
    }
  }
}

static void product_part(void *ctx, int part, double *scratch) {
  const struct product *p = ctx;
  const size_t j0 = p->bounds[part], j1 = p->bounds[part + 1];
  if (j0 >= j1) return;
  switch (p->path) {
    case PATH_DOTS:
      p->kernel->dots(p->M, j1 - j0, p->K, p->A, p->sa1, p->B + (ptrdiff_t)j0 * p->sb2, p->sb2, p->accumulate, p->C + j0,
                      p->sc1, p->upper);
      break;
    case PATH_ROWS:
      p->kernel->rows(p->M, j1 - j0, p->K, p->A, p->sa1, p->sa2, p->B + j0, p->sb1, p->accumulate, p->C + j0, p->sc1);
      break;
    case PATH_BLOCKED:
      blocked_columns(p, scratch, j0, j1);
      break;
  }
}

/*
 * How many parts a product is split into: one below SEQ_PARALLEL_MIN_MULTIPLY_ADDS, where the
 * handing out costs more than it saves, and never parts narrower than SEQ_PARALLEL_MIN_COLUMNS.
 * An upper (Gram) product by dot products is not split: its parts would need the diagonal's offset.
 */
static int parts_of(const struct product *p, int threads) {
  if (threads <= 1 || (p->upper && p->path == PATH_DOTS)) return 1;
  const double work = (double)p->M * (double)p->N * (double)p->K * (p->upper ? 0.5 : 1.0);
  if (work < SEQ_PARALLEL_MIN_MULTIPLY_ADDS) return 1;
  const size_t widest = p->N / SEQ_PARALLEL_MIN_COLUMNS;
  return widest < (size_t)threads ? (widest < 1 ? 1 : (int)widest) : threads;
}

/*
 * Column bounds of equal work, in whole slivers of NR: equal widths, or for an upper product
 * (column j holds j + 1 entries, so the work up to column j grows as j^2) widths that shrink
 * to the right, at N sqrt(p / parts).
 */
static void split_columns(struct product *p, int parts) {
  p->bounds[0] = 0;
  for (int q = 1; q < parts; q++) {
    const double share = (double)q / parts;
    const double at = (double)p->N * (p->upper ? __builtin_sqrt(share) : share);
    size_t j = ((size_t)(at + SEQ_NR / 2) / SEQ_NR) * SEQ_NR;
    if (j < p->bounds[q - 1]) j = p->bounds[q - 1];
    if (j > p->N) j = p->N;
    p->bounds[q] = j;
  }
  p->bounds[parts] = p->N;
}

void seq_gemm_with(const struct seq_microkernel *kernel, struct seq_pool *pool,
                   size_t M, size_t N, size_t K,
                   const double *A, ptrdiff_t sa1, ptrdiff_t sa2,
                   const double *B, ptrdiff_t sb1, ptrdiff_t sb2, const double *packed,
                   int accumulate, double *C, ptrdiff_t sc1, ptrdiff_t sc2, int upper) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    if (!accumulate) zero_output(M, N, C, sc1, sc2, upper);
    return;
  }
  struct product p = {kernel, M, N, K, A, sa1, sa2, B, sb1, sb2, packed, accumulate, C, sc1, sc2, upper, PATH_BLOCKED, seq_block_rows(), 0, {0}};
  if (!packed && (upper ? M <= SEQ_GRAM_DOTS_MAX_M : M <= SEQ_ROWS_MAX_M) && sb1 == 1 && sa2 == 1 && sc2 == 1) {
    /* Few rows against a matrix given as its transpose (unit row stride in B), or a small Gram
     * matrix: dot products (dots_avx2.c). */
    p.path = PATH_DOTS;
  } else if (!packed && (M <= SEQ_ROWS_MAX_M || K <= SEQ_ROWS_MAX_K) && sb2 == 1 && sc2 == 1 && !upper) {
    /* Few rows or a short inner size: row by row, unpacked (rows.h; in FMAs, microkernel_avx2.c). */
    p.path = PATH_ROWS;
  } else {
    /* A small B with whole columns of 8 is read in place: for a batch of a few micro-panels,
     * packing it cost as much as a third of the product (16 x 64 x 256: 4.4 of 22 us). */
    p.direct_b = !packed && sb2 == 1 && N % SEQ_NR == 0 && (size_t)K * N <= SEQ_DIRECT_B_DOUBLES && !upper;
  }
  const int parts = parts_of(&p, seq_pool_threads(pool));
  split_columns(&p, parts);
  seq_pool_run(pool, parts, product_part, &p);
}
