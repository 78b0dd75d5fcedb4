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
import { PairedRoute, packedDoubles, packsWeights, stepWeights, type Kernels, type StepWeights } from '../linalg';

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
  /**
   * B (K x N; element (k, j) at B[ob + k*sb1 + j*sb2]) into `packed` (packedDoubles(K, N) of
   * linalg.ts) for gemmPacked. Absent from a library built before it.
   */
  packMatrix?(K: number, N: number, B: Float64Array, sb1: number, sb2: number, ob: number, packed: Float64Array): void;
  /** gemm with B given as packMatrix packed it. */
  gemmPacked?(
    M: number,
    N: number,
    K: number,
    A: Float64Array,
    sa1: number,
    sa2: number,
    oa: number,
    packed: Float64Array,
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
  /**
   * Lets the products use up to `threads` threads (1 .. 16; large products are split by columns of
   * C, every entry computed as on one thread); returns how many they may use. Absent from a library
   * built before it (then they use one).
   */
  setThreads?(threads: number): number;
  /** The micro-kernel in use: 'avx512', 'avx2-fma', 'neon' or 'generic'. */
  isa(): string;
  /** Every micro-kernel this CPU runs, fastest first (tests run each). Absent from a library built before it. */
  isas?(): string[];
  /** Switches to that micro-kernel if this CPU runs it (tests pin each in turn); returns whether it did. */
  useIsa(isa: string): boolean;
  // The elementwise kernels of elementwise.ts (and maxAbs of linalg.ts), bit for bit the same
  // results, sizes first and then each array with its offset; in the instruction set of the
  // micro-kernel in use (AVX-512 or AVX2; useIsa('generic') pins the portable C). Absent from a
  // library built before them (then the base kernels run).
  /** Hs[oh + i] = tanh(A[oa + i]), slope[os + i] = tanh'(A[oa + i]) for i < n. */
  rnnForwardStep?(n: number, A: Float64Array, oa: number, slope: Float64Array, os: number, Hs: Float64Array, oh: number): void;
  /** lstmForwardStep of elementwise.ts, its slopes at `os` in `slope`. */
  lstmForwardStep?(
    N: number,
    H: number,
    hasPrev: boolean,
    A: Float64Array,
    oa: number,
    slope: Float64Array,
    os: number,
    C: Float64Array,
    oc: number,
    Hs: Float64Array,
    oh: number,
    coef: Float64Array,
    ok: number,
  ): void;
  /** da[oda + i] = dh[odh + i] * slope[os + i] for i < n (rnnCellBackward of elementwise.ts); returns max |da| (maxAbs's). */
  rnnCellBackward?(
    n: number,
    dh: Float64Array,
    odh: number,
    slope: Float64Array,
    os: number,
    da: Float64Array,
    oda: number,
  ): number;
  /** forgetStep of elementwise.ts (the forget gates of coef from ok), with an offset for each array. */
  forgetStep?(
    N: number,
    H: number,
    coef: Float64Array,
    ok: number,
    products: Float64Array,
    op: number,
    events: Float64Array,
    oe: number,
  ): number;
  /** lstmCellBackward of elementwise.ts, with an offset for each array; returns [max |dct|, max |da|] (maxAbs's). */
  lstmCellBackward?(
    N: number,
    H: number,
    coef: Float64Array,
    ok: number,
    dh: Float64Array,
    odh: number,
    dcFuture: Float64Array,
    odc: number,
    dct: Float64Array,
    odt: number,
    da: Float64Array,
    oda: number,
  ): [number, number];
  /** lstmCarry of elementwise.ts, with an offset for each array. */
  lstmCarry?(
    N: number,
    H: number,
    dct: Float64Array,
    odt: number,
    coef: Float64Array,
    ok: number,
    dcFuture: Float64Array,
    odc: number,
  ): void;
  /** max |v[ov + i]| for i < n, NaNs skipped, 0 when there is none (maxAbs of linalg.ts). */
  maxAbs?(n: number, v: Float64Array, ov: number): number;
  /** v[ov + i] *= factor for i < n (scale of elementwise.ts). */
  scale?(n: number, v: Float64Array, ov: number, factor: number): void;
  /**
   * The sum of (v[ov + i] * factor)^2 for i < n (sumSquares of elementwise.ts), in 16 lanes added
   * at the end: the same bits on every instruction set, not those of the JS or WebAssembly sum.
   */
  sumSquares?(n: number, v: Float64Array, ov: number, factor: number): number;
  /** A[oa + r*G + j] += b[ob + j] for r < rows, j < G (addBias of elementwise.ts). */
  addBias?(rows: number, G: number, A: Float64Array, oa: number, b: Float64Array, ob: number): void;
  /** out[oo + j] = the sum over the rows, in order, of da[oda + r*G + j] (columnSums of elementwise.ts). */
  columnSums?(rows: number, G: number, da: Float64Array, oda: number, out: Float64Array, oo: number): void;
  /** dst (cols x rows) = src (rows x cols)^T (transposeInto of linalg.ts, with offsets). */
  transpose?(rows: number, cols: number, src: Float64Array, os: number, dst: Float64Array, od: number): void;
  /** out[j] = sum over ascending i of |src[i, j]| (absColumnSums of linalg.ts, with offsets). */
  absColumnSums?(rows: number, cols: number, src: Float64Array, os: number, out: Float64Array, oo: number): void;
  /** dst[(t*N + n)*F + f] = src[(n*T + t)*F + f] (copyTimeMajor of linalg.ts, with offsets). */
  timeMajor?(N: number, T: number, F: number, src: Float64Array, os: number, dst: Float64Array, od: number): void;
  /**
   * One step of LossStepBackward (lossStep.h) on buffers of `arena`, located by the plan
   * (fusedLossStep.ts, LOSS_STEP_SLOTS), which also receives the results. Absent from a library built before it.
   */
  lossStep?(arena: Float64Array, plan: Float64Array): void;
  /**
   * One forward step (forwardStep.h) on buffers of `arena` located by the plan (fusedForwardStep.ts,
   * FORWARD_STEP_SLOTS), which receives the step's sums; the LSTM's forget-gate products and events
   * apart. Absent from a library built before it.
   */
  forwardStep?(arena: Float64Array, plan: Float64Array, products: Float64Array, events: Float64Array): void;
  /**
   * c[j] = a . Bt_j (j < N, Bt's rows K apart) with half of a Lanczos product riding on it:
   * half 1, y[j] = x . Bt_j; half 2, w += Bt^T y (dotsRider of linalg.ts, with offsets;
   * seq_dots_rider_fn of gemm.h). Absent from a library built before it.
   */
  dotsRider?(
    N: number,
    K: number,
    a: Float64Array,
    oa: number,
    Bt: Float64Array,
    obt: number,
    c: Float64Array,
    oc: number,
    half: number,
    x: Float64Array,
    ox: number,
    y: Float64Array,
    oy: number,
    w: Float64Array,
    ow: number,
  ): void;
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
 * 4096 multiply-adds. One shape stays in WebAssembly at any size: a rank-1..3 update
 * (transposeTimesAcc over a batch of 1 to 3), where the native path is about 0.7x. A Gram matrix
 * of fewer than 32 rows runs natively as dot products (dots_avx2.c): 1.6 against 2.6 us at 16 x
 * 64, 2.9 against 7.7 at 16 x 256, 1.2 against 1.4 at 16 x 16 (best of 5 runs of 2000).
 */
export const NATIVE_RULE = {
  /** Fewer multiply-adds than this: WebAssembly. */
  minMultiplyAdds: 8192,
  /** transposeTimesAcc: the smallest inner (batch) size. */
  minInner: 4,
  /** gramUpper: fewer multiply-adds (M^2 K / 2) than this, WebAssembly. */
  minGramMultiplyAdds: 2048,
  // The elementwise kernels (elementwise.c, AVX2 against the wasm SIMD ones, best of 7 runs on
  // the same arena views the engine uses, this machine): a native call of theirs costs 0.12 us
  // (maxAbs, one array) to 0.45 us (lstmCellBackward, five) before any arithmetic, a wasm call
  // 0.02 us. The LSTM step (five exponentials a unit) breaks even at N*H = 16 and is 1.3x at 32,
  // 1.5x at 64, 2.2x at 1024; the RNN step (one tanh a double) breaks even at 64 doubles (1.0x), 1.3x
  // at 128, 1.9x at 1024. The kernels of a few multiplies a double lose below that: at 128 units
  // (doubles for maxAbs) 0.6-0.7x, at 256 0.6-1.1x, at 512 1.0-1.8x, at 1024 1.4-1.7x.
  /** lstmForwardStep: the fewest units (N*H). */
  minLstmUnits: 32,
  /** rnnForwardStep: the fewest doubles. */
  minTanhs: 64,
  /** rnnCellBackward, forgetStep, lstmCellBackward and lstmCarry (units N*H), maxAbs (doubles): the fewest. */
  minMultiplies: 512,
  // The passes of a few operations a double, AVX-512 against wasm SIMD at 512, 1024 and 4096
  // doubles (best of 15 runs of 5000 calls, the Xeon of this project's 2026-12 sessions): scale
  // 0.12/0.15/0.52 against 0.24/0.31/1.32 us, addBias 0.19/0.21/0.62 against 0.38/0.38/1.90,
  // columnSums 0.24/0.28/0.78 against 0.38/0.48/1.70, sumSquares 0.24/0.20/0.62 against
  // 0.21/0.38/1.89 (its wasm loop is one chain of adds; at 256 doubles each was about even).
  /** scale, addBias and columnSums (doubles): the fewest. */
  minPasses: 512,
  /** sumSquares: the fewest doubles. */
  minSums: 1024,
} as const;

/** The largest batch gemmPaired runs unpacked, row by row or as dot products (SEQ_ROWS_MAX_M in gemm.h). */
const DOT_PRODUCT_MAX_ROWS = 4;
/** Doubles of the largest B a pair of rows reads row by row: 8 MiB (past it, from memory, dot products were faster). */
const ROWS_PAIR_MAX_DOUBLES = 1024 ** 2;

/**
 * Doubles of the smallest B a single row reads as dot products even where B is wider than deep:
 * 16 MiB (WIDE_DOTS_DOUBLES of dots_avx2.c, from which those take 8 rows of Bt per pass). The
 * LSTM's forward product at H = 1024 (1 x 1024 x 4096, 32 MiB from memory) took 0.94-1.18 ms so
 * against 1.16-1.19 row by row (2026-12-04).
 */
const STREAMED_DOTS_MIN_DOUBLES = 2 * 1024 ** 2;

/** Whether gemmPaired's batch of M (1 to 4) rows reads the K x P weights row by row rather than as dot products. */
function readsRows(M: number, K: number, P: number): boolean {
  if (M === 1 && K * P >= STREAMED_DOTS_MIN_DOUBLES) return false;
  return P > K || M >= 3 || (M === 2 && K * P <= ROWS_PAIR_MAX_DOUBLES);
}

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
  // out[i] = A's row i (of n, from aOff) . v for i < rows: v times A^T, which the native product runs as dot products.
  const rowDots: Kernels['rowDots'] = (A, aOff, rows, n, v, out) =>
    native.gemm(1, rows, n, v, n, 1, 0, A, 1, n, aOff, 0, out, rows, 1, 0);
  // A batch of 1 to 4 rows: B row by row (rows_simd.h) where it is wider than deep, as the
  // LSTM's forward product (K = H, P = 4H) is, and for 2 to 4 rows (their FMAs share each load
  // of B: 4 x 1024 x 1024 ran at 41 GFLOP/s so, 25 as dot products, from L3); a single row
  // against a B no wider than deep streams Bt's longer rows as dot products (dots_avx2.c),
  // as does a pair against one past L3 (2 x 4096 x 1024: 9-10 against 8 GFLOP/s row by row).
  // Larger batches read B, packed once (prepareWeights) where that pays.
  const pairedRoute = (W: StepWeights, M: number): PairedRoute => {
    if (M <= DOT_PRODUCT_MAX_ROWS) return readsRows(M, W.K, W.P) ? PairedRoute.B : PairedRoute.Bt;
    return W.packed && native.gemmPacked ? PairedRoute.Packed : PairedRoute.B;
  };
  const { lossStep, forwardStep, dotsRider } = native;
  return {
    ...base,
    // Every rider is native, whatever its size: it exists to ride on a product read from memory.
    dotsRider: dotsRider
      ? (N, K, a, Bt, c, half, x, y, w) => dotsRider(N, K, a, 0, Bt, 0, c, 0, half, x, 0, y, 0, w, 0)
      : undefined,
    ...nativeElementwise(base, native, every),
    // Every product of a fused step is native, whatever its size: as `every` runs them.
    fusedSteps:
      lossStep && forwardStep
        ? {
            lossStep: (arena, plan) => lossStep(arena, plan),
            forwardStep: (arena, plan, products, events) => forwardStep(arena, plan, products, events),
            route: pairedRoute,
          }
        : undefined,
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
    // S v as dot products with S's rows (dots_avx2.c; S is symmetric, so its rows are its
    // columns): the Lanczos products of sigma_max(Wh) (theory.ts), where the WebAssembly kernel
    // walks S by columns (0.12 s of 73 products at H = 1024, native 0.01 s).
    symv(S, n, v, out) {
      if (every || n * n >= r.minMultiplyAdds) rowDots(S, 0, n, n, v, out);
      else base.symv(S, n, v, out);
    },
    // The same dot products with a rectangular A's rows: the Lanczos basis's projections (theory.ts).
    rowDots(A, aOff, rows, n, v, out) {
      if (every || rows * n >= r.minMultiplyAdds) rowDots(A, aOff, rows, n, v, out);
      else base.rowDots(A, aOff, rows, n, v, out);
    },
    gemmPaired(accumulate, out, oOff, A, aOff, W, M) {
      const { K, P } = W;
      const beta = accumulate ? 1 : 0;
      if (!product(M, K, P)) base.gemmPaired(accumulate, out, oOff, A, aOff, W, M);
      else {
        const route = pairedRoute(W, M);
        if (route === PairedRoute.Packed) native.gemmPacked!(M, P, K, A, K, 1, aOff, W.packed!, beta, out, P, 1, oOff);
        else if (route === PairedRoute.Bt) native.gemm(M, P, K, A, K, 1, aOff, W.Bt, 1, K, 0, beta, out, P, 1, oOff);
        else native.gemm(M, P, K, A, K, 1, aOff, W.B, P, 1, 0, beta, out, P, 1, oOff);
      }
    },
    prepareWeights(B, Bt, K, P, rows, packInto) {
      if (!native.packMatrix || !packsWeights(rows, K, P)) return stepWeights(B, Bt, K, P);
      const doubles = packedDoubles(K, P);
      if (packInto && packInto.length < doubles)
        throw new RangeError(`prepareWeights: packInto holds ${packInto.length} doubles, not ${doubles}`);
      const packed = packInto ? packInto.subarray(0, doubles) : new Float64Array(doubles);
      native.packMatrix(K, P, B, P, 1, 0, packed);
      return { B, Bt, packed, K, P };
    },
    gramUpper(out, A, aOff, M, K) {
      if (every || (M * M * K) / 2 >= r.minGramMultiplyAdds) native.gramUpper(M, K, A, K, 1, aOff, out, M, 1, 0);
      else base.gramUpper(out, A, aOff, M, K);
    },
  };
}

/**
 * The elementwise kernels the native module has, and its once-per-probe passes over a weight
 * matrix (weightPasses.c), in place of base's: the same results bit for bit, so the choice is
 * one of speed alone; but for sumSquares, which adds in other lanes (its sums differ in the last
 * bits, as the WebAssembly one's already differ from the JS one's).
 */
function nativeElementwise(base: Kernels, native: NativeBinding, every: boolean): Partial<Kernels> {
  const r = NATIVE_RULE;
  const {
    rnnForwardStep,
    lstmForwardStep,
    rnnCellBackward,
    forgetStep,
    lstmCellBackward,
    lstmCarry,
    maxAbs,
    scale,
    sumSquares,
    addBias,
    columnSums,
    transpose,
    absColumnSums,
    timeMajor,
  } = native;
  const kernels: Partial<Kernels> = {};
  if (rnnForwardStep)
    kernels.rnnForwardStep = (A, aOff, slope, sOff, Hs, hOff, len) => {
      if (every || len >= r.minTanhs) rnnForwardStep(len, A, aOff, slope, sOff, Hs, hOff);
      else base.rnnForwardStep(A, aOff, slope, sOff, Hs, hOff, len);
    };
  if (lstmForwardStep)
    kernels.lstmForwardStep = (A, aOff, slope, C, cOff, Hs, hOff, coef, kOff, N, H, hasPrev) => {
      if (every || N * H >= r.minLstmUnits) lstmForwardStep(N, H, hasPrev, A, aOff, slope, aOff, C, cOff, Hs, hOff, coef, kOff);
      else base.lstmForwardStep(A, aOff, slope, C, cOff, Hs, hOff, coef, kOff, N, H, hasPrev);
    };
  if (rnnCellBackward)
    kernels.rnnCellBackward = (dh, slope, sOff, da, len) => {
      if (every || len >= r.minMultiplies) rnnCellBackward(len, dh, 0, slope, sOff, da, 0);
      else base.rnnCellBackward(dh, slope, sOff, da, len);
    };
  if (forgetStep)
    kernels.forgetStep = (coef, kOff, N, H, products, events) =>
      every || N * H >= r.minMultiplies
        ? forgetStep(N, H, coef, kOff, products, 0, events, 0)
        : base.forgetStep(coef, kOff, N, H, products, events);
  if (lstmCellBackward)
    kernels.lstmCellBackward = (coef, kOff, dh, dcFuture, dct, da, N, H) => {
      if (every || N * H >= r.minMultiplies) lstmCellBackward(N, H, coef, kOff, dh, 0, dcFuture, 0, dct, 0, da, 0);
      else base.lstmCellBackward(coef, kOff, dh, dcFuture, dct, da, N, H);
    };
  if (lstmCarry)
    kernels.lstmCarry = (dct, coef, kOff, dcFuture, N, H) => {
      if (every || N * H >= r.minMultiplies) lstmCarry(N, H, dct, 0, coef, kOff, dcFuture, 0);
      else base.lstmCarry(dct, coef, kOff, dcFuture, N, H);
    };
  if (maxAbs)
    kernels.maxAbs = (v, off, len) => (every || len >= r.minMultiplies ? maxAbs(len, v, off) : base.maxAbs(v, off, len));
  if (scale)
    kernels.scale = (v, off, len, factor) =>
      every || len >= r.minPasses ? scale(len, v, off, factor) : base.scale(v, off, len, factor);
  if (sumSquares)
    kernels.sumSquares = (v, off, len, factor) =>
      every || len >= r.minSums ? sumSquares(len, v, off, factor) : base.sumSquares(v, off, len, factor);
  if (addBias)
    kernels.addBias = (A, aOff, rows, G, b) =>
      every || rows * G >= r.minPasses ? addBias(rows, G, A, aOff, b, 0) : base.addBias(A, aOff, rows, G, b);
  if (columnSums)
    kernels.columnSums = (da, N, G, out) =>
      every || N * G >= r.minPasses ? columnSums(N, G, da, 0, out, 0) : base.columnSums(da, N, G, out);
  if (transpose)
    kernels.transposeInto = (dst, src, rows, cols) =>
      every || rows * cols >= r.minMultiplies ? transpose(rows, cols, src, 0, dst, 0) : base.transposeInto(dst, src, rows, cols);
  if (absColumnSums)
    kernels.absColumnSums = (src, rows, cols, out) =>
      every || rows * cols >= r.minMultiplies
        ? absColumnSums(rows, cols, src, 0, out, 0)
        : base.absColumnSums(src, rows, cols, out);
  // (One step's rows, or past the binding's 2^31 doubles, stay in JS.)
  if (timeMajor)
    kernels.copyTimeMajor = (a, out, N, T, F, onlyStep) =>
      onlyStep === undefined && (every || N * T * F >= r.minMultiplies) && N * T * F < 2 ** 31
        ? timeMajor(N, T, F, a, 0, out, 0)
        : base.copyTimeMajor(a, out, N, T, F, onlyStep);
  return kernels;
}
