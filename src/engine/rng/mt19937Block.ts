// MT19937 a block at a time, plus numpy's polar-method attempts over the block's words: the hot
// loops behind NumpyRandomState's bulk methods (fillGauss, fillGaussRange, skipGauss).
//
// Two interchangeable implementations give identical results:
//  - 'wasm': mt19937.wat (i32x4 SIMD twist and tempering, SIMD and branch-free attempt loops),
//    on one small WebAssembly instance shared by all generators of the realm (see below); used
//    when the runtime has WebAssembly SIMD;
//  - 'js': the same words and attempts in plain scalar JS, the fallback (~4x slower).
//
// Instantiation is synchronous (new WebAssembly.Module / Instance of a ~3 KB module, once per
// realm), like wasmKernels.ts: fine in Node, Electron utility processes and workers.
import { MT19937_WASM_BASE64 } from './mt19937Binary';

export const STATE_WORDS = 624;
const SHIFT_WORDS = 397;
const MATRIX_A = 0x9908b0df | 0;
const UPPER_MASK = 0x80000000 | 0;
const LOWER_MASK = 0x7fffffff;
const TWO26 = 67108864.0;
const TWO53 = 9007199254740992.0;

/** The most points one `points` call may ask for. */
export const POINTS_CAPACITY = 2048;

export type BlockBackend = 'wasm' | 'js';

/**
 * One MT19937 generator. A stream position `pos` in words (0..624; 624: the block is used up) is
 * kept by the caller: out[pos] is the next word of the stream.
 *
 * A polar attempt takes four words a1, b1, a2, b2 and is accepted when r2 = x1*x1 + x2*x2 is in
 * (0, 1), with x = 2 * ((a >>> 5) * 2^26 + (b >>> 6)) / 2^53 - 1, exactly numpy's legacy_gauss.
 */
export interface BlockGenerator {
  readonly backend: BlockBackend;
  /**
   * The 624 state words (int32 views of the uint32 words); seed by writing them, then regen.
   * Like `out`, the array may be replaced by any operation: read the property each time.
   */
  readonly mt: Int32Array;
  /** The tempered words of the current block, as int32 (see `mt`). */
  readonly out: Int32Array;
  /** (x1, r2) of the last point accepted by `skip`; valid until the next operation of any generator. */
  readonly last: Float64Array;
  /** (x1, x2, r2) of each point accepted by `points`, in order; valid like `last`. */
  readonly pts: Float64Array;
  /** Twists mt to the next block and tempers it into out (the caller's pos becomes 0). */
  regen(): void;
  /** Runs attempts from `pos` until n >= 1 points are accepted; returns the new position. */
  skip(pos: number, n: number): number;
  /** Like skip, also writing the n (1..POINTS_CAPACITY) accepted points to pts. */
  points(pos: number, n: number): number;
}

/** A generator on the given backend, or the best available one ('wasm' when it can run). */
export function createBlockGenerator(backend?: BlockBackend): BlockGenerator {
  if (backend === 'js') return new JsBlockGenerator();
  const shared = sharedInstance();
  if (shared) return new WasmBlockGenerator(shared);
  if (backend === 'wasm') throw new Error('WebAssembly SIMD is not available for the MT19937 generator');
  return new JsBlockGenerator();
}

/** Whether the WebAssembly generator can run here. */
export function wasmBlockGeneratorAvailable(): boolean {
  return sharedInstance() !== null;
}

// ---- WebAssembly ----
//
// ONE INSTANCE PER REALM, SHARED: a WebAssembly memory reserves gigabytes of address space, so a
// memory per generator would cap the number of live generators (~13,000 here) and cost ~50 us
// each. Instead all wasm generators of a realm (each worker thread is its own) share one instance,
// whose memory holds the state of the generator that used it last (the owner). A generator's
// `mt` and `out` are views of that memory while it is the owner, and its own arrays otherwise;
// an operation on a generator that is not the owner first swaps the states (2 x 5 KB of copying),
// so interleaving generators is correct, just not free.

// The WebAssembly API, typed locally: the node tsconfig has no DOM lib, and @types/node does
// not declare WebAssembly.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  validate(bytes: Uint8Array): boolean;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
interface WasmExports {
  memory: { readonly buffer: ArrayBuffer };
  regen(): void;
  skip(pos: number, n: number): number;
  points(pos: number, n: number): number;
}
interface SharedInstance {
  w: WasmExports;
  mt: Int32Array;
  out: Int32Array;
  last: Float64Array;
  pts: Float64Array;
  owner: WasmBlockGenerator | null;
}

// Byte offsets of mt19937.wat's memory layout.
const MT_BYTE = 0;
const OUT_BYTE = 2560;
const LAST_BYTE = 5120;
const PTS_BYTE = 5184;

let shared: SharedInstance | null | undefined; // undefined: not tried yet; null: unavailable

function sharedInstance(): SharedInstance | null {
  if (shared === undefined) {
    shared = null;
    const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (api && typeof api.Module === 'function') {
      const bin = atob(MT19937_WASM_BASE64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      try {
        if (api.validate(bytes)) {
          const w = new api.Instance(new api.Module(bytes), {}).exports as unknown as WasmExports;
          const buffer = w.memory.buffer; // fixed at one page: never detached
          shared = {
            w,
            mt: new Int32Array(buffer, MT_BYTE, STATE_WORDS),
            out: new Int32Array(buffer, OUT_BYTE, STATE_WORDS),
            last: new Float64Array(buffer, LAST_BYTE, 2),
            pts: new Float64Array(buffer, PTS_BYTE, 3 * POINTS_CAPACITY),
            owner: null,
          };
        }
      } catch {
        // CompileError (SIMD or WebAssembly itself disabled) or no memory: the JS generator is used
      }
    }
  }
  return shared;
}

class WasmBlockGenerator implements BlockGenerator {
  readonly backend = 'wasm' as const;
  mt: Int32Array;
  out: Int32Array;
  readonly last: Float64Array;
  readonly pts: Float64Array;
  private readonly ownMt = new Int32Array(STATE_WORDS);
  private readonly ownOut = new Int32Array(STATE_WORDS);

  constructor(private readonly shared: SharedInstance) {
    this.mt = this.ownMt;
    this.out = this.ownOut;
    this.last = shared.last;
    this.pts = shared.pts;
  }

  /** Makes this generator the owner of the shared memory (its state moves in, the previous owner's out). */
  private acquire(): void {
    const s = this.shared;
    const prev = s.owner;
    if (prev === this) return;
    if (prev) {
      prev.ownMt.set(s.mt);
      prev.ownOut.set(s.out);
      prev.mt = prev.ownMt;
      prev.out = prev.ownOut;
    }
    s.mt.set(this.ownMt);
    s.out.set(this.ownOut);
    this.mt = s.mt;
    this.out = s.out;
    s.owner = this;
  }

  regen(): void {
    this.acquire();
    this.shared.w.regen();
  }

  skip(pos: number, n: number): number {
    this.acquire();
    return this.shared.w.skip(pos, n);
  }

  points(pos: number, n: number): number {
    this.acquire();
    return this.shared.w.points(pos, n);
  }
}

// ---- Plain JS ----

class JsBlockGenerator implements BlockGenerator {
  readonly backend = 'js' as const;
  // Int32Array rather than Uint32Array keeps every word a small integer for V8; a word is
  // reinterpreted as unsigned (>>> 5, >>> 6) wherever its value matters.
  readonly mt = new Int32Array(STATE_WORDS);
  readonly out = new Int32Array(STATE_WORDS);
  readonly last = new Float64Array(2);
  readonly pts = new Float64Array(3 * POINTS_CAPACITY);

  regen(): void {
    const mt = this.mt;
    const out = this.out;
    // Three loops instead of a modulo per word.
    let k = 0;
    for (; k < STATE_WORDS - SHIFT_WORDS; k++) {
      const y = (mt[k] & UPPER_MASK) | (mt[k + 1] & LOWER_MASK);
      let v = mt[k + SHIFT_WORDS] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
      mt[k] = v;
      v ^= v >>> 11;
      v ^= (v << 7) & 0x9d2c5680;
      v ^= (v << 15) & 0xefc60000;
      out[k] = v ^ (v >>> 18);
    }
    for (; k < STATE_WORDS - 1; k++) {
      const y = (mt[k] & UPPER_MASK) | (mt[k + 1] & LOWER_MASK);
      let v = mt[k + SHIFT_WORDS - STATE_WORDS] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
      mt[k] = v;
      v ^= v >>> 11;
      v ^= (v << 7) & 0x9d2c5680;
      v ^= (v << 15) & 0xefc60000;
      out[k] = v ^ (v >>> 18);
    }
    const y = (mt[STATE_WORDS - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    let v = mt[SHIFT_WORDS - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    mt[STATE_WORDS - 1] = v;
    v ^= v >>> 11;
    v ^= (v << 7) & 0x9d2c5680;
    v ^= (v << 15) & 0xefc60000;
    out[STATE_WORDS - 1] = v ^ (v >>> 18);
  }

  skip(pos: number, n: number): number {
    return this.attempts(pos, n, false);
  }

  points(pos: number, n: number): number {
    return this.attempts(pos, n, true);
  }

  private attempts(pos: number, n: number, keep: boolean): number {
    const out = this.out;
    const pts = this.pts;
    let dst = 0;
    let x1 = 0;
    let x2 = 0;
    let r2 = 0;
    while (n > 0) {
      if (pos > STATE_WORDS - 4) {
        // An attempt across the block's end, word by word.
        const w = [0, 0, 0, 0];
        for (let j = 0; j < 4; j++) {
          if (pos === STATE_WORDS) {
            this.regen();
            pos = 0;
          }
          w[j] = out[pos++];
        }
        const u1 = 2.0 * (((w[0] >>> 5) * TWO26 + (w[1] >>> 6)) / TWO53) - 1.0;
        const u2 = 2.0 * (((w[2] >>> 5) * TWO26 + (w[3] >>> 6)) / TWO53) - 1.0;
        const s = u1 * u1 + u2 * u2;
        if (s < 1.0 && s !== 0.0) {
          x1 = u1;
          x2 = u2;
          r2 = s;
          n--;
          if (keep) {
            pts[dst] = x1;
            pts[dst + 1] = x2;
            pts[dst + 2] = r2;
            dst += 3;
          }
        }
        continue;
      }
      // Whole attempts within the block: no call and no block check per word.
      for (; pos <= STATE_WORDS - 4; pos += 4) {
        const u1 = 2.0 * (((out[pos] >>> 5) * TWO26 + (out[pos + 1] >>> 6)) / TWO53) - 1.0;
        const u2 = 2.0 * (((out[pos + 2] >>> 5) * TWO26 + (out[pos + 3] >>> 6)) / TWO53) - 1.0;
        const s = u1 * u1 + u2 * u2;
        if (s < 1.0 && s !== 0.0) {
          x1 = u1;
          x2 = u2;
          r2 = s;
          if (keep) {
            pts[dst] = x1;
            pts[dst + 1] = x2;
            pts[dst + 2] = r2;
            dst += 3;
          }
          if (--n === 0) {
            pos += 4;
            break;
          }
        }
      }
    }
    this.last[0] = x1;
    this.last[1] = r2;
    return pos;
  }
}
