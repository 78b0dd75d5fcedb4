// WebAssembly SIMD (f64x2) versions of the hot kernels of linalg.ts (products) and
// elementwise.ts (activations, cell backward, norms' helpers), working on a float64 arena that
// lives in WebAssembly memory.
//
// ONE ARENA AT A TIME: there is a single module-level WebAssembly memory per process (strictly,
// per JS realm: each worker thread has its own), and every arena is a view of it from byte 0. createWasmArena reuses that memory,
// growing it when asked for more; growing detaches the old ArrayBuffer, so every view into an
// earlier arena (its `mem` and all subarrays taken from it) becomes empty, and even without a
// grow a new arena overwrites (zeroes) the old one's doubles. So only the most recently created
// arena may be used; finish with one probe's arena before creating the next.
//
// Typical use: `const arena = createWasmArena(size); const ws = new Workspace(arena.mem);` then
// pass the workspace's views (ws.take(...), subarrays) to arena.kernels.
//
// Instantiation is synchronous (new WebAssembly.Module / Instance): fine in Node and Electron
// utility processes, not meant for a browser main thread.
//
// Two builds of the same kernels (see scripts/codegen/build-wasm-kernels.mjs): where the runtime has
// relaxed SIMD (Electron 45; Node 20 only with --experimental-wasm-relaxed-simd) the products
// use the fused f64x2.relaxed_madd, otherwise plain f64x2 mul + add. Everything but the
// products' rounding is identical; wasmKernelVariant() tells which one runs.
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernelsBinary';
import { LSTM_COEFFICIENTS } from '../elementwise';
import {
  absColumnSums,
  copyTimeMajor,
  rowDots,
  stepWeights,
  transposeInto,
  type gemmPaired,
  type Kernels as LinalgKernels,
} from '../linalg';
import { forgetStep } from '../elementwise';

export interface Arena {
  /** The arena's doubles: a view of the WebAssembly memory from byte 0, zero-filled when created. */
  mem: Float64Array;
  kernels: Kernels;
}

/**
 * Same semantics as linalg.ts (see each method); results agree with the JS loops up to rounding
 * (the summation order differs, and the relaxed-SIMD build fuses the products' multiply-adds).
 * Every Float64Array argument MUST be a view into the live arena's `mem` (the kernel uses
 * view.byteOffset + off * 8 as the address); a view of anything else, or a range that runs past
 * the end of its view, throws a RangeError. Outputs must not overlap inputs.
 */
export interface Kernels {
  /** out[M x P] += A[M x K] @ B[K x P], row-major. */
  gemmAcc(
    out: Float64Array,
    oOff: number,
    A: Float64Array,
    aOff: number,
    B: Float64Array,
    bOff: number,
    M: number,
    K: number,
    P: number,
  ): void;
  /** out[M x P] = A[M x K] @ B[K x P], row-major. */
  gemm(
    out: Float64Array,
    oOff: number,
    A: Float64Array,
    aOff: number,
    B: Float64Array,
    bOff: number,
    M: number,
    K: number,
    P: number,
  ): void;
  /** gemmAcc (accumulate) or gemm of A and W.B; W's other forms are for the native kernels. */
  gemmPaired: typeof gemmPaired;
  /** W unpacked: these kernels read B as it is. */
  prepareWeights: LinalgKernels['prepareWeights'];
  /** out[n*M + m] = dot(row n, row m) of A[M x K] at aOff, for m >= n; the lower triangle is left alone. */
  gramUpper(out: Float64Array, A: Float64Array, aOff: number, M: number, K: number): void;
  /**
   * out[K x G] += A_rows^T (K x N) @ da (N x G), where A_rows is N rows of K at aOff; out and da
   * start at their views' index 0 (transposeTimes(..., accumulate = true) of cellBackward.ts).
   * Unlike the JS loop this does not skip zero entries of A, so a non-finite da entry times a
   * zero of A gives NaN here where the JS version leaves out unchanged.
   */
  transposeTimesAcc(A: Float64Array, aOff: number, K: number, da: Float64Array, N: number, G: number, out: Float64Array): void;
  /** The JS ones (linalg.ts): passes over a weight matrix or the given inputs once per probe, bound by memory. */
  transposeInto: LinalgKernels['transposeInto'];
  absColumnSums: LinalgKernels['absColumnSums'];
  copyTimeMajor: LinalgKernels['copyTimeMajor'];
  forgetStep: LinalgKernels['forgetStep'];

  // The elementwise kernels of elementwise.ts, same arguments and formulas. The activations use
  // a SIMD copy of the exponential of expTerms.ts, so values and slopes agree with the JS ones
  // bit for bit on every test point (at most 4 ulps is asserted); the products, maxAbs and
  // columnSums agree bit for bit; sumSquares adds in another order.
  // An odd-sized range is read in whole 16- or 32-byte blocks, up to three doubles past its end
  // (always inside the arena's slack); nothing outside the range is written.
  /** A[aOff + r*G + j] += b[j] for r < rows, j < G (the bias of the pre-activations). */
  addBias(A: Float64Array, aOff: number, rows: number, G: number, b: Float64Array): void;
  /** One LSTM step (gates, cells, hidden states, backward coefficients) over N rows of H units. */
  lstmForwardStep(
    A: Float64Array,
    aOff: number,
    slope: Float64Array,
    C: Float64Array,
    cOff: number,
    Hs: Float64Array,
    hOff: number,
    coef: Float64Array,
    kOff: number,
    N: number,
    H: number,
    hasPrev: boolean,
  ): void;
  /** RNN step: Hs := tanh(A), slope := tanh'(A), over len doubles. */
  rnnForwardStep(
    A: Float64Array,
    aOff: number,
    slope: Float64Array,
    sOff: number,
    Hs: Float64Array,
    hOff: number,
    len: number,
  ): void;
  /** da[i] = dh[i] * slope[sOff + i]. */
  rnnCellBackward(dh: Float64Array, slope: Float64Array, sOff: number, da: Float64Array, len: number): void;
  /** LSTM cell backward at one step from its coefficients: dct and da from dh and dcFuture. */
  lstmCellBackward(
    coef: Float64Array,
    kOff: number,
    dh: Float64Array,
    dcFuture: Float64Array,
    dct: Float64Array,
    da: Float64Array,
    N: number,
    H: number,
  ): void;
  /** dcFuture[n*H + j] = dct[n*H + j] * f, f = coef[kOff + n*6H + 5H + j]. */
  lstmCarry(dct: Float64Array, coef: Float64Array, kOff: number, dcFuture: Float64Array, N: number, H: number): void;
  /** max |v[i]| over [off, off + len), 0 when empty; NaNs are skipped. */
  maxAbs(v: Float64Array, off: number, len: number): number;
  /** v[i] *= factor over [off, off + len). */
  scale(v: Float64Array, off: number, len: number, factor: number): void;
  /** sum of (v[i] * factor)^2 over [off, off + len). */
  sumSquares(v: Float64Array, off: number, len: number, factor: number): number;
  /** out[j] = sum_n da[n*G + j], j < G. */
  columnSums(da: Float64Array, N: number, G: number, out: Float64Array): void;
  /**
   * out[i] = sum_j S[i*n + j] * v[j], i < n, each sum from 0 in j order, mul then add: the same
   * values as the JS loop, bit for bit. S must be exactly symmetric (it is read by columns).
   */
  symv(S: Float64Array, n: number, v: Float64Array, out: Float64Array): void;
  /** out[i] = sum_j A[aOff + i*n + j] * v[j], i < rows (rowDots of linalg.ts, which runs it). */
  rowDots(A: Float64Array, aOff: number, rows: number, n: number, v: Float64Array, out: Float64Array): void;
}

// The WebAssembly API, typed locally: the node tsconfig has no DOM lib, and @types/node does
// not declare WebAssembly.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  validate(bytes: Uint8Array): boolean;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}
interface WasmExports {
  gemm(o: number, a: number, b: number, m: number, k: number, p: number, acc: number): void;
  transposeTimesAcc(a: number, k: number, da: number, n: number, g: number, o: number): void;
  gramUpper(out: number, a: number, m: number, k: number): void;
  lstmForwardStep(a: number, s: number, c: number, h: number, k: number, rows: number, H: number, prev: number): void;
  rnnForwardStep(a: number, s: number, h: number, n: number): void;
  addBias(a: number, rows: number, g: number, b: number): void;
  mul(dst: number, x: number, y: number, n: number): void;
  lstmCellBackward(k: number, dh: number, dcf: number, dct: number, da: number, rows: number, H: number): void;
  lstmCarry(dct: number, f: number, dcf: number, rows: number, H: number): void;
  maxAbs(p: number, n: number): number;
  scale(p: number, n: number, f: number): void;
  sumSquares(p: number, n: number, f: number): number;
  columnSums(da: number, rows: number, g: number, out: number): void;
  symv(s: number, n: number, v: number, out: number): void;
}

const PAGE_BYTES = 65536;
/** wasm32 addresses 4 GiB: 65536 pages. */
const MAX_PAGES = 65536;
/** Doubles of slack past every arena: the elementwise kernels load whole 32-byte blocks (see kernels.wat). */
const SLACK_DOUBLES = 4;
/** The most doubles an arena can hold (all of wasm32's memory but the slack). */
export const MAX_WASM_ARENA_DOUBLES = (MAX_PAGES * PAGE_BYTES) / 8 - SLACK_DOUBLES;

let compiled: object | null | undefined; // undefined: not tried yet; null: unavailable
let variant: KernelVariant | null = null;
let memory: WasmMemory | null = null;
let exportsOf: WasmExports | null = null;
/** The kernels over exportsOf, made once per instance (see createWasmArena). */
let kernelsOf: Kernels | null = null;
/** The memory's current ArrayBuffer: views of any other (an earlier, detached one) are refused. */
let liveBuffer: ArrayBuffer | null = null;
/** Doubles from byte 0 that may be nonzero (everything past them is still fresh, zero memory). */
let dirtyDoubles = 0;

function wasmApi(): WasmApi | null {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  return api && typeof api.Module === 'function' ? api : null;
}

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** Which build of the kernels runs: fused multiply-adds (relaxed SIMD) or plain f64x2 SIMD. */
export type KernelVariant = 'relaxed-simd' | 'simd';

/**
 * The compiled kernel module, or null when this runtime has no WebAssembly or no SIMD: the
 * relaxed-SIMD build when the runtime validates it, else the plain SIMD one.
 */
function compiledModule(): object | null {
  if (compiled === undefined) {
    compiled = null;
    const api = wasmApi();
    if (api) {
      const candidates: [KernelVariant, string][] = [
        ['relaxed-simd', KERNELS_RELAXED_WASM_BASE64],
        ['simd', KERNELS_WASM_BASE64],
      ];
      for (const [name, base64] of candidates) {
        const bytes = decodeBase64(base64);
        try {
          if (!api.validate(bytes)) continue;
          compiled = new api.Module(bytes);
          variant = name;
          break;
        } catch {
          // CompileError: this feature (or WebAssembly itself) is disabled; try the next build
        }
      }
    }
  }
  return compiled;
}

/** The build of the kernels that createWasmArena uses, or null when WebAssembly SIMD is unavailable. */
export function wasmKernelVariant(): KernelVariant | null {
  return compiledModule() === null ? null : variant;
}

/** Whether WebAssembly with fixed-width SIMD is available, so createWasmArena can succeed. */
export function wasmSimdAvailable(): boolean {
  return compiledModule() !== null;
}

/**
 * A float64 arena of at least `doubles` elements (exactly `doubles`, zero-filled) backed by
 * WebAssembly memory, or null if WebAssembly SIMD is unavailable, `doubles` exceeds wasm32's
 * 4 GiB (MAX_WASM_ARENA_DOUBLES) or the memory cannot grow that far (out of memory).
 *
 * Reuses and grows one module-level memory, which never shrinks (see releaseWasmMemory).
 * Creating an arena invalidates every earlier arena: only one arena is live at a time per
 * process.
 */
export function createWasmArena(doubles: number, zeroFill = true): Arena | null {
  if (!Number.isSafeInteger(doubles) || doubles < 0) throw new RangeError(`createWasmArena: bad size ${doubles}`);
  if (doubles > MAX_WASM_ARENA_DOUBLES) return null;
  const module = compiledModule();
  const api = wasmApi();
  if (module === null || api === null) return null;
  // Slack past the arena: the elementwise kernels read whole blocks of four doubles, past the end
  // of a range whose length is not a multiple of four (see kernels.wat).
  const pages = Math.max(1, Math.ceil(((doubles + SLACK_DOUBLES) * 8) / PAGE_BYTES));
  try {
    if (memory === null) {
      const mem = new api.Memory({ initial: pages, maximum: MAX_PAGES });
      // Growing detaches the old ArrayBuffer, and V8's first detach in a process deoptimizes
      // every function optimized on the assumption that none ever happens (the detaching
      // protector): in a fresh sweep worker, all of the engine's JavaScript, right in its first
      // large probe. Detaching once now, before anything is optimized, avoids that.
      mem.grow(0);
      const instance = new api.Instance(module, { env: { memory: mem } });
      memory = mem;
      exportsOf = instance.exports as unknown as WasmExports;
      dirtyDoubles = 0;
    } else {
      const have = memory.buffer.byteLength / PAGE_BYTES;
      if (pages > have) memory.grow(pages - have);
    }
  } catch {
    return null; // RangeError: the memory cannot be reserved or grown this far
  }
  const mem = new Float64Array(memory.buffer, 0, doubles);
  // A probe writes every buffer before reading it, so it may skip clearing a large arena.
  if (zeroFill) mem.fill(0, 0, Math.min(doubles, dirtyDoubles));
  dirtyDoubles = Math.max(dirtyDoubles, doubles);
  liveBuffer = memory.buffer;
  // One kernels object per instance, reading the live buffer at each call: optimized code that
  // inlined a kernel closure is tied to its context, and fresh closures for every probe (or every
  // growth) made V8 drop and recompile that code, on the core a second worker needs.
  kernelsOf ??= makeKernels(exportsOf!);
  return { mem, kernels: kernelsOf };
}

/**
 * Drops the module-level memory (and with it every arena), so the garbage collector can return
 * it to the system; the next createWasmArena starts a fresh one. For long-lived processes after
 * a very large probe.
 */
export function releaseWasmMemory(): void {
  memory = null;
  exportsOf = null;
  kernelsOf = null;
  liveBuffer = null;
  dirtyDoubles = 0;
}

function checkDim(name: string, d: number): void {
  if (!Number.isInteger(d) || d < 0 || d > 0x7fffffff) throw new RangeError(`${name}: bad dimension ${d}`);
}

/** The byte address of view[off], checking that view[off .. off+len) lies in a view of the live buffer. */
function viewAddr(view: Float64Array, off: number, len: number, name: string, part = ''): number {
  if (view.buffer !== liveBuffer) {
    throw new RangeError(`${label(name, part)}: not a view into the live wasm arena (arenas are invalidated by createWasmArena)`);
  }
  if (!(Number.isInteger(off) && off >= 0 && off + len <= view.length)) {
    throw new RangeError(`${label(name, part)}: [${off}, ${off + len}) is outside its view of ${view.length} doubles`);
  }
  return view.byteOffset + off * 8;
}

/** "name part": built only for an error message, so the hot path allocates no strings. */
function label(name: string, part: string): string {
  return part === '' ? name : `${name} ${part}`;
}

function makeKernels(w: WasmExports): Kernels {
  const addr = viewAddr;
  /** Checks that every dimension is a nonnegative integer; true when the output is nonempty. */
  function dims(name: string, outRows: number, outCols: number, inner: number): boolean {
    checkDim(name, outRows);
    checkDim(name, outCols);
    checkDim(name, inner);
    return outRows > 0 && outCols > 0;
  }
  function product(acc: 0 | 1, name: string) {
    return (
      out: Float64Array,
      oOff: number,
      A: Float64Array,
      aOff: number,
      B: Float64Array,
      bOff: number,
      M: number,
      K: number,
      P: number,
    ): void => {
      if (!dims(name, M, P, K)) return;
      // With K = 0 the kernel stores zeros (gemm) or leaves out as it is (gemmAcc).
      w.gemm(addr(out, oOff, M * P, name, 'out'), addr(A, aOff, M * K, name, 'A'), addr(B, bOff, K * P, name, 'B'), M, K, P, acc);
    };
  }
  const gemmAcc = product(1, 'gemmAcc');
  const gemm = product(0, 'gemm');
  return {
    gemmAcc,
    gemm,
    // B row-major, as gemmAcc and gemm read it (its other forms are for the native kernels; linalg.ts).
    gemmPaired(accumulate, out, oOff, A, aOff, W, M) {
      (accumulate ? gemmAcc : gemm)(out, oOff, A, aOff, W.B, 0, M, W.K, W.P);
    },
    prepareWeights: (B, Bt, K, P) => stepWeights(B, Bt, K, P),
    gramUpper(out, A, aOff, M, K) {
      if (!dims('gramUpper', M, M, K)) return;
      w.gramUpper(addr(out, 0, M * M, 'gramUpper out'), addr(A, aOff, M * K, 'gramUpper A'), M, K);
    },
    transposeTimesAcc(A, aOff, K, da, N, G, out) {
      if (!dims('transposeTimesAcc', K, G, N) || N === 0) return;
      w.transposeTimesAcc(
        addr(A, aOff, N * K, 'transposeTimesAcc A'),
        K,
        addr(da, 0, N * G, 'transposeTimesAcc da'),
        N,
        G,
        addr(out, 0, K * G, 'transposeTimesAcc out'),
      );
    },
    transposeInto,
    absColumnSums,
    copyTimeMajor,
    // Its running sum is one chain in JS order, and its log2 calls are JS's: two lanes would gain little.
    forgetStep,
    addBias(A, aOff, rows, G, b) {
      if (!dims('addBias', rows, G, 0)) return;
      w.addBias(addr(A, aOff, rows * G, 'addBias A'), rows, G, addr(b, 0, G, 'addBias b'));
    },
    lstmForwardStep(A, aOff, slope, C, cOff, Hs, hOff, coef, kOff, N, H, hasPrev) {
      if (!dims('lstmForwardStep', N, H, 0) || N * H === 0) return;
      const NH = N * H;
      const G = 4 * H;
      w.lstmForwardStep(
        addr(A, aOff, N * G, 'lstmForwardStep A'),
        addr(slope, aOff, N * G, 'lstmForwardStep slope'),
        addr(C, cOff, NH, 'lstmForwardStep C'),
        addr(Hs, hOff, NH, 'lstmForwardStep Hs'),
        addr(coef, kOff, LSTM_COEFFICIENTS * NH, 'lstmForwardStep coef'),
        N,
        H,
        hasPrev ? 1 : 0,
      );
    },
    rnnForwardStep(A, aOff, slope, sOff, Hs, hOff, len) {
      checkDim('rnnForwardStep', len);
      if (len === 0) return;
      w.rnnForwardStep(
        addr(A, aOff, len, 'rnnForwardStep A'),
        addr(slope, sOff, len, 'rnnForwardStep slope'),
        addr(Hs, hOff, len, 'rnnForwardStep Hs'),
        len,
      );
    },
    rnnCellBackward(dh, slope, sOff, da, len) {
      checkDim('rnnCellBackward', len);
      if (len === 0) return;
      w.mul(
        addr(da, 0, len, 'rnnCellBackward da'),
        addr(dh, 0, len, 'rnnCellBackward dh'),
        addr(slope, sOff, len, 'rnnCellBackward slope'),
        len,
      );
    },
    lstmCellBackward(coef, kOff, dh, dcFuture, dct, da, N, H) {
      if (!dims('lstmCellBackward', N, H, 0) || N * H === 0) return;
      const NH = N * H;
      w.lstmCellBackward(
        addr(coef, kOff, LSTM_COEFFICIENTS * NH, 'lstmCellBackward coef'),
        addr(dh, 0, NH, 'lstmCellBackward dh'),
        addr(dcFuture, 0, NH, 'lstmCellBackward dcFuture'),
        addr(dct, 0, NH, 'lstmCellBackward dct'),
        addr(da, 0, 4 * NH, 'lstmCellBackward da'),
        N,
        H,
      );
    },
    lstmCarry(dct, coef, kOff, dcFuture, N, H) {
      if (!dims('lstmCarry', N, H, 0) || N * H === 0) return;
      // The forget gates: N rows of H, 6H apart, from kOff + 5H.
      const rowStride = LSTM_COEFFICIENTS * H;
      w.lstmCarry(
        addr(dct, 0, N * H, 'lstmCarry dct'),
        addr(coef, kOff + 5 * H, (N - 1) * rowStride + H, 'lstmCarry coef'),
        addr(dcFuture, 0, N * H, 'lstmCarry dcFuture'),
        N,
        H,
      );
    },
    maxAbs(v, off, len) {
      checkDim('maxAbs', len);
      return len === 0 ? 0 : w.maxAbs(addr(v, off, len, 'maxAbs'), len);
    },
    scale(v, off, len, factor) {
      checkDim('scale', len);
      if (len > 0) w.scale(addr(v, off, len, 'scale'), len, factor);
    },
    sumSquares(v, off, len, factor) {
      checkDim('sumSquares', len);
      return len === 0 ? 0 : w.sumSquares(addr(v, off, len, 'sumSquares'), len, factor);
    },
    columnSums(da, N, G, out) {
      if (!dims('columnSums', N, G, 0)) {
        if (G > 0) out.fill(0, 0, G);
        return;
      }
      w.columnSums(addr(da, 0, N * G, 'columnSums da'), N, G, addr(out, 0, G, 'columnSums out'));
    },
    symv(S, n, v, out) {
      checkDim('symv', n);
      if (n === 0) return;
      w.symv(addr(S, 0, n * n, 'symv S'), n, addr(v, 0, n, 'symv v'), addr(out, 0, n, 'symv out'));
    },
    // No WebAssembly kernel of its own: the JS loop reads the arena's views as they are.
    rowDots,
  };
}
