/* Run-time choice of the micro-kernel: AVX-512 where the CPU has it, else AVX2+FMA (each checked
 * once with __builtin_cpu_supports, so one build runs on any x86-64), NEON on arm64, else
 * generic C. The AVX-512 set widens the AVX2 one where that pays (the blocked product's tiles,
 * the row-by-row path, the 4-row groups of dot products) and keeps the AVX2 kernels for the rest:
 * wider dot products would sum in another order, and a tile of one sliver is already the AVX2
 * kernel's. */
#include <string.h>
#include "gemm.h"

static const struct seq_microkernel generic = {"generic", seq_microkernel_generic, NULL, NULL, NULL, NULL, NULL,
                                               NULL, NULL, NULL, seq_rows_generic, seq_dots_generic,
                                               seq_dots_rider_generic};
#if defined(__x86_64__) || defined(__i386__)
static const struct seq_microkernel avx2 = {"avx2-fma",
                                            seq_microkernel_avx2,
                                            seq_microkernel4_avx2,
                                            NULL,
                                            NULL,
                                            seq_microkernel_in_place_avx2,
                                            seq_microkernel4_in_place_avx2,
                                            NULL,
                                            NULL,
                                            NULL,
                                            seq_rows_avx2,
                                            seq_dots_avx2,
                                            seq_dots_rider_avx2};
static const struct seq_microkernel avx512 = {"avx512",
                                              seq_microkernel_avx2,
                                              seq_microkernel4_avx2,
                                              seq_microkernel_pair_avx512,
                                              seq_microkernel4_pair_avx512,
                                              seq_microkernel_in_place_avx2,
                                              seq_microkernel4_in_place_avx2,
                                              seq_microkernel_pair_in_place_avx512,
                                              seq_microkernel4_pair_in_place_avx512,
                                              seq_microkernel8_pair_in_place_avx512,
                                              seq_rows_avx512,
                                              seq_dots_avx512,
                                              seq_dots_rider_avx2};
#endif
#if defined(__aarch64__)
static const struct seq_microkernel neon = {"neon", seq_microkernel_neon, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                            NULL, seq_rows_neon, seq_dots_generic, seq_dots_rider_generic};
#endif

int seq_runnable_microkernels(const struct seq_microkernel **out, int max) {
  int n = 0;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  /* AVX-512F implies the OS saves the 512-bit registers (libgcc checks XCR0); its set also runs AVX2 code. */
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    if (__builtin_cpu_supports("avx512f") && n < max) out[n++] = &avx512;
    if (n < max) out[n++] = &avx2;
  }
#endif
#if defined(__aarch64__)
  if (n < max) out[n++] = &neon;
#endif
  if (n < max) out[n++] = &generic;
  return n;
}

const struct seq_microkernel *seq_best_microkernel(void) {
  const struct seq_microkernel *best[1];
  seq_runnable_microkernels(best, 1);
  return best[0];
}

const struct seq_microkernel *seq_microkernel_named(const char *isa) {
  const struct seq_microkernel *all[4];
  const int n = seq_runnable_microkernels(all, 4);
  for (int i = 0; i < n; i++)
    if (strcmp(isa, all[i]->isa) == 0) return all[i];
  return NULL;
}
