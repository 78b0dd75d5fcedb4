// One contiguous float64 arena per probe: every buffer of a probe is a view into it, so the
// whole probe's memory is sized (and checked) up front and stays O(T·N·G). When WebAssembly
// SIMD is available the arena lives in WebAssembly memory and the dense kernels run there.
import { jsKernels, type Kernels } from './linalg';
import { createWasmArena } from './wasm/wasmKernels';

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
  static create(size: number, preferWasm = kernelPreference() !== 'js'): Workspace {
    // Every probe buffer is written before it is read: no need to clear a reused arena.
    const arena = preferWasm ? createWasmArena(size, false) : null;
    return arena ? new Workspace(arena.mem, arena.kernels) : new Workspace(new Float64Array(size), jsKernels);
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
}

let preference: 'auto' | 'js' = 'auto';

/** 'js' forces the plain JavaScript kernels (for comparisons and tests). */
export function setKernelPreference(p: 'auto' | 'js'): void {
  preference = p;
}

function kernelPreference(): 'auto' | 'js' {
  return preference;
}
