/* Run-time choice of the micro-kernel: AVX2+FMA where the CPU has it (checked once with
 * __builtin_cpu_supports, so one build runs on any x86-64), NEON on arm64, else generic C.
 * No AVX-512 kernel: the CPUs this is built and tested on have none, and an 8 x 8 / 16-wide
 * kernel nobody can run here would be untested code. */
#include <string.h>
#include "gemm.h"

static const struct seq_microkernel generic = {"generic", seq_microkernel_generic, NULL, seq_rows_generic, seq_dots_generic};
#if defined(__x86_64__) || defined(__i386__)
static const struct seq_microkernel avx2 = {"avx2-fma", seq_microkernel_avx2, seq_microkernel4_avx2, seq_rows_avx2, seq_dots_avx2};
#endif
#if defined(__aarch64__)
static const struct seq_microkernel neon = {"neon", seq_microkernel_neon, NULL, seq_rows_neon, seq_dots_generic};
#endif

const struct seq_microkernel *seq_best_microkernel(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &avx2;
#endif
#if defined(__aarch64__)
  return &neon;
#endif
  return &generic;
}

const struct seq_microkernel *seq_microkernel_named(const char *isa) {
  if (strcmp(isa, generic.isa) == 0) return &generic;
  const struct seq_microkernel *best = seq_best_microkernel();
  return strcmp(isa, best->isa) == 0 ? best : NULL;
}
