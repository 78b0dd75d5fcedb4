// One contiguous float64 arena per probe: every buffer of a probe is a view into it, so the
// whole probe's memory is sized (and checked) up front and stays O(T·N·G). When WebAssembly
// SIMD is available the arena lives in WebAssembly memory and the elementwise kernels run there;
// the dense products run natively (native/) when the native module is built and the product is
// big enough to gain from it, else in WebAssembly too.
import { jsKernels, type Kernels } from './linalg';
import { createWasmArena, wasmKernelVariant } from './wasm/wasmKernels';
import {
  nativeBinding,
  nativeUnavailableReason,
  requestedKernelPath,
  withNativeProducts,
  type KernelPath,
} from './native/nativeKernels';

export class Workspace {
  readonly mem: Float64Array;
  readonly kernels: Kernels;
  private used = 0;

  private constructor(mem: Float64Array, kernels: Kernels) {
    this.mem = mem;
    this.kernels = kernels;
  }

  /**
   * A fresh arena of `size` doubles. Only one WebAssembly-backed arena is live per process:
   * creating the next one invalidates the previous one's views.
   */
  static create(size: number, preference: KernelPreference = kernelPreference()): Workspace {
    const native = nativeFor(preference);
    // Every probe buffer is written before it is read: no need to clear a reused arena.
    const arena = preference === 'js' ? null : createWasmArena(size, false);
    const base = arena ? arena.kernels : jsKernels;
    const kernels = native ? withNativeProducts(base, native, preference === 'native') : base;
    return new Workspace(arena ? arena.mem : new Float64Array(size), kernels);
  }

  /** An arena over part of another one (reuses its memory and kernels). */
  static within(parent: Workspace, view: Float64Array): Workspace {
    return new Workspace(view, parent.kernels);
  }

  take(length: number): Float64Array {
    if (this.used + length > this.mem.length) {
      throw new Error(`workspace exhausted: need ${this.used + length} doubles, have ${this.mem.length}`);
    }
    const view = this.mem.subarray(this.used, this.used + length);
    this.used += length;
    return view;
  }

  /**
   * Grows the process's arena to `doubles` and writes all of it once. The arena stays (one per
   * process, reused by every probe), and memory is faulted in page by page the first time it is
   * written: so the probes after this one run in memory already touched, as a worker's do after
   * its first probe of that size.
   */
  static ready(doubles: number): void {
    Workspace.create(doubles).take(doubles).fill(0);
  }
}

/**
 * Which kernels run a probe. 'auto': the dense products natively when the native module is built
 * and the product is one it runs faster (NATIVE_RULE in native/nativeKernels.ts), everything else
 * in WebAssembly SIMD (plain JS without it). 'native': every product natively (an error when the
 * module is not built). 'wasm': no native code. 'js': the plain JavaScript kernels.
 */
export type KernelPreference = 'auto' | KernelPath;

let preference: KernelPreference = 'auto';

/**
 * Forces a kernel path (comparisons and tests); 'auto' goes back to the default, which is
 * $SEQLAB_KERNELS when set (so tests and benchmarks can force one for a whole process tree).
 */
export function setKernelPreference(p: KernelPreference): void {
  preference = p;
}

function kernelPreference(): KernelPreference {
  return preference === 'auto' ? requestedKernelPath() : preference;
}

function nativeFor(p: KernelPreference) {
  if (p !== 'auto' && p !== 'native') return null;
  const native = nativeBinding();
  if (native === null && p === 'native')
    throw new Error(`native kernels requested (SEQLAB_KERNELS=native), but ${nativeUnavailableReason()}`);
  return native;
}

/** The kernels the next probe runs, for benchmarks and logs: e.g. 'native avx2-fma + wasm relaxed-simd'. */
export function kernelsInUse(): string {
  const p = kernelPreference();
  const native = nativeFor(p);
  const wasm = p === 'js' ? null : wasmKernelVariant();
  const rest = wasm ? `wasm ${wasm}` : 'js';
  if (!native) return rest;
  return p === 'native'
    ? `native ${native.isa()} (every product) + ${rest}`
    : `native ${native.isa()} (the products and elementwise steps it runs faster) + ${rest}`;
}

/**
 * Runs `run` with the native products allowed `threads` threads (native/parallel.h), then one
 * again (the WebAssembly and JS paths have no threads: there it only runs `run`). The results
 * are the same for any count: only large products are split, by columns of C.
 */
export function withProductThreads<R>(threads: number, run: () => R): R {
  const native = threads > 1 ? nativeFor(kernelPreference()) : null;
  if (!native?.setThreads) return run();
  native.setThreads(threads);
  try {
    return run();
  } finally {
    native.setThreads(1);
  }
}
