// The native dense products (C with AVX2+FMA or NEON, chosen at run time; see gemm.h), loaded
// from build/Release/seqlab_kernels.node when `npm install` built it (binding.gyp), else null:
// then the WebAssembly kernels run every product, as they do where no compiler was found.
//
// The engine is pure float64 math with no I/O, and this module is its one contact with the
// file system and the environment: it looks for the compiled library, loads it and reads
// SEQLAB_KERNELS. That is acceptable because it loads code (as compiling the WebAssembly module
// does) and reads no data: every result still depends on the arguments alone. Keeping it here
// keeps the math modules pure. Node's modules are reached through process.getBuiltinModule, so
// that importing the engine where there is no Node (a browser) still works, without them.
import type { Kernels } from '../linalg';

/** The module's exports (binding.c documents each). Arrays are passed in place, never copied. */
export interface NativeBinding {
  /** C = beta*C + A*B (C M x N); element (i, j) of A is A[oa + i*sa1 + j*sa2]; beta 0 or 1. */
  gemm(
    M: number,
    N: number,
    K: number,
    A: Float64Array,
    sa1: number,
    sa2: number,
    oa: number,
    B: Float64Array,
    sb1: number,
    sb2: number,
    ob: number,
    beta: number,
    C: Float64Array,
    sc1: number,
    sc2: number,
    oc: number,
  ): void;
  /** The entries of C = A A^T (M x M) on and above the diagonal; the rest of C is left alone. */
  gramUpper(
    M: number,
    K: number,
    A: Float64Array,
    sa1: number,
    sa2: number,
    oa: number,
    C: Float64Array,
    sc1: number,
    sc2: number,
    oc: number,
  ): void;
  /**
   * factors[i] = sqrt(-2 log(r2) / r2) for the r2 = points[3i + 2] of n points (x1, x2, r2), with
   * glibc 2.36's log() bit for bit: numpy's polar-method factors (src/engine/rng/numpyRandomState.ts).
   * Absent from a library built before it (then the JS glibcLog runs).
   */
  polarFactors?(n: number, points: Float64Array, factors: Float64Array): void;
  /** glibc 2.36's log() of one number, bit for bit (tests). */
  glibcLog?(x: number): number;
  /** The micro-kernel in use: 'avx2-fma', 'neon' or 'generic'. */
  isa(): string;
  /** Switches to that micro-kernel if this CPU runs it (tests pin 'generic'); returns whether it did. */
  useIsa(isa: string): boolean;
}

/** Where node-gyp puts the library, relative to the folder holding binding.gyp (the repository root). */
const LIBRARY_PATH = ['build', 'Release', 'seqlab_kernels.node'];
/** Folders searched upwards from this module's: src/engine/native in the sources, out/main when bundled. */
const SEARCH_DEPTH = 6;

interface NodeProcess {
  getBuiltinModule?(id: string): unknown;
  dlopen?(module: { exports: unknown }, filename: string): void;
  env?: Record<string, string | undefined>;
}
interface NodeFs {
  existsSync(path: string): boolean;
}
interface NodePath {
  join(...parts: string[]): string;
  dirname(path: string): string;
}
interface NodeUrl {
  fileURLToPath(url: string): string;
}

function nodeProcess(): NodeProcess | undefined {
  return (globalThis as { process?: NodeProcess }).process;
}

let loaded: { binding: NativeBinding | null; reason: string } | undefined;

/** The native kernels, loaded once per process (per worker thread), or null when they are not built. */
export function nativeBinding(): NativeBinding | null {
  loaded ??= loadNativeBinding(moduleFolder());
  return loaded.binding;
}

/** Why nativeBinding() is null ('' when it is not). */
export function nativeUnavailableReason(): string {
  nativeBinding();
  return loaded!.reason;
}

function moduleFolder(): string | null {
  const proc = nodeProcess();
  const url = proc?.getBuiltinModule?.('node:url') as NodeUrl | undefined;
  const path = proc?.getBuiltinModule?.('node:path') as NodePath | undefined;
  if (!url || !path || !import.meta.url.startsWith('file:')) return null;
  return path.dirname(url.fileURLToPath(import.meta.url));
}

/** Looks for the library in `from` and the folders above it, and loads the first one found. */
export function loadNativeBinding(from: string | null): { binding: NativeBinding | null; reason: string } {
  const proc = nodeProcess();
  const fs = proc?.getBuiltinModule?.('node:fs') as NodeFs | undefined;
  const path = proc?.getBuiltinModule?.('node:path') as NodePath | undefined;
  if (!proc?.dlopen || !fs || !path || from === null) return { binding: null, reason: 'this runtime cannot load native modules' };
  let folder = from;
  for (let depth = 0; depth < SEARCH_DEPTH; depth++) {
    const file = path.join(folder, ...LIBRARY_PATH);
    if (fs.existsSync(file)) {
      try {
        const module = { exports: {} as NativeBinding };
        proc.dlopen(module, file);
        return { binding: module.exports, reason: '' };
      } catch (e) {
        return { binding: null, reason: `${file} did not load: ${(e as Error).message}` };
      }
    }
    const parent = path.dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return {
    binding: null,
    reason: `${LIBRARY_PATH.join('/')} is not built (npm install builds it with node-gyp and a C compiler)`,
  };
}

/** What SEQLAB_KERNELS asks for: the products' kernels for tests and benchmarks to force. */
export type KernelPath = 'native' | 'wasm' | 'js';
const KERNEL_PATHS: readonly KernelPath[] = ['native', 'wasm', 'js'];

/** SEQLAB_KERNELS (native, wasm or js), or 'auto' when it is unset or empty. */
export function requestedKernelPath(): KernelPath | 'auto' {
  const value = nodeProcess()?.env?.SEQLAB_KERNELS ?? '';
  if (value === '' || value === 'auto') return 'auto';
  if ((KERNEL_PATHS as readonly string[]).includes(value)) return value as KernelPath;
  throw new Error(`SEQLAB_KERNELS must be one of auto, ${KERNEL_PATHS.join(', ')} (got "${value}")`);
}

/**
 * Where 'auto' runs a product natively: where the native kernels beat the WebAssembly ones, in a
 * microbenchmark of the engine's shapes on this project's machine (AMD EPYC, Zen 3; native
 * AVX2+FMA against wasm SIMD on the same arena, batches of 1 to 256, H = 16 to 1024). A native
 * call costs about 0.35 us before any arithmetic; the WebAssembly loops are as fast up to about
 * 4096 multiply-adds. Two shapes stay in WebAssembly at any size: a rank-1..3 update
 * (transposeTimesAcc over a batch of 1 to 3), where the native path is about 0.7x, and the Gram
 * matrix of fewer than 32 rows, whose 6 x 8 tiles would be mostly padding.
 */
export const NATIVE_RULE = {
  /** Fewer multiply-adds than this: WebAssembly. */
  minMultiplyAdds: 8192,
  /** transposeTimesAcc: the smallest inner (batch) size. */
  minInner: 4,
  /** gramUpper: the fewest rows. */
  minGramRows: 32,
} as const;

const composed = new Map<boolean, WeakMap<Kernels, Kernels>>();

/**
 * `base` with its dense products (gemm, gemmAcc, transposeTimesAcc, gramUpper) run natively:
 * every one (`everyProduct`, which tests use to run the whole engine on the native path) or
 * those NATIVE_RULE says are faster natively. Same semantics as linalg.ts; results agree with
 * the other kernels up to rounding (FMA, another summation order). The arrays may be any
 * Float64Arrays, WebAssembly memory included, so the native products work in place on the
 * WebAssembly arena that the elementwise kernels use. One object per (base, everyProduct): V8
 * keeps optimized code that inlined these closures only while they stay the same.
 */
export function withNativeProducts(base: Kernels, native: NativeBinding, everyProduct: boolean): Kernels {
  let byBase = composed.get(everyProduct);
  if (!byBase) composed.set(everyProduct, (byBase = new WeakMap()));
  let kernels = byBase.get(base);
  if (!kernels) byBase.set(base, (kernels = composeNative(base, native, everyProduct)));
  return kernels;
}

function composeNative(base: Kernels, native: NativeBinding, every: boolean): Kernels {
  const r = NATIVE_RULE;
  const product = (M: number, K: number, P: number) => every || M * K * P >= r.minMultiplyAdds;
  return {
    ...base,
    gemmAcc(out, oOff, A, aOff, B, bOff, M, K, P) {
      if (product(M, K, P)) native.gemm(M, P, K, A, K, 1, aOff, B, P, 1, bOff, 1, out, P, 1, oOff);
      else base.gemmAcc(out, oOff, A, aOff, B, bOff, M, K, P);
    },
    gemm(out, oOff, A, aOff, B, bOff, M, K, P) {
      if (product(M, K, P)) native.gemm(M, P, K, A, K, 1, aOff, B, P, 1, bOff, 0, out, P, 1, oOff);
      else base.gemm(out, oOff, A, aOff, B, bOff, M, K, P);
    },
    // A_rows^T: its element (i, n) is A[aOff + n*K + i].
    transposeTimesAcc(A, aOff, K, da, N, G, out) {
      if (every || (N >= r.minInner && K * N * G >= r.minMultiplyAdds))
        native.gemm(K, G, N, A, 1, K, aOff, da, G, 1, 0, 1, out, G, 1, 0);
      else base.transposeTimesAcc(A, aOff, K, da, N, G, out);
    },
    gramUpper(out, A, aOff, M, K) {
      if (every || (M >= r.minGramRows && (M * M * K) / 2 >= r.minMultiplyAdds))
        native.gramUpper(M, K, A, K, 1, aOff, out, M, 1, 0);
      else base.gramUpper(out, A, aOff, M, K);
    },
  };
}
