{
  # The native float64 products (src/engine/native), built by node-gyp at `npm install`
  # into build/Release/seqlab_kernels.node. Optional: when this fails, the engine runs its
  # WebAssembly kernels instead (see src/engine/native/nativeKernels.ts).
  "targets": [
    {
      "target_name": "seqlab_kernels",
      "sources": [
        "src/engine/native/binding.c",
        "src/engine/native/gemm.c",
        "src/engine/native/parallel.c",
        "src/engine/native/microkernels.c",
        "src/engine/native/microkernel_generic.c",
        "src/engine/native/microkernel_avx2.c",
        "src/engine/native/microkernel_avx512.c",
        "src/engine/native/dots_avx2.c",
        "src/engine/native/microkernel_neon.c",
        "src/engine/native/glibcLog.c",
        "src/engine/native/elementwise.c",
        "src/engine/native/weightPasses.c",
        "src/engine/native/timeMajor.c",
        "src/engine/native/lossStep.c",
        "src/engine/native/forwardStep.c",
        "src/engine/native/pairedProduct.c"
      ],
      # No -march=native: the AVX2 kernel is chosen at run time, so one build runs on any
      # CPU of its architecture. No -ffast-math, and no contraction of a*b + c into an fma:
      # the products and glibc's log (glibcLog.c) must round as written.
      "cflags": ["-O3", "-std=c11", "-ffp-contract=off", "-Wall", "-Wextra", "-pthread"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-O3", "-std=c11", "-ffp-contract=off", "-Wall", "-Wextra"]
      }
    }
  ]
}
