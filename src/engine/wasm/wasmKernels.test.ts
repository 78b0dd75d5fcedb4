import { describe, expect, it } from 'vitest';
import { createWasmArena, releaseWasmMemory, wasmSimdAvailable, MAX_WASM_ARENA_DOUBLES, type Arena } from './wasmKernels';
import { KERNELS_WASM_BASE64 } from './kernelsBinary';
import { expectGeneratedWasmCurrent } from '../testing/generatedWasm';
import { mulberry32 } from '../testing/mulberry32';

/** Uniform in [-1, 1). */
function rng(seed: number): () => number {
  const u = mulberry32(seed);
  return () => u() * 2 - 1;
}

/** Hands out consecutive, randomly filled views of the arena, at odd offsets to test alignment. */
class Taker {
  private used = 0;
  constructor(
    private readonly arena: Arena,
    private readonly next: () => number,
  ) {}
  take(n: number, pad = 1): Float64Array {
    this.used += pad;
    const v = this.arena.mem.subarray(this.used, this.used + n);
    this.used += n;
    for (let i = 0; i < n; i++) v[i] = this.next();
    return v;
  }
}

function refGemmAcc(
  out: Float64Array,
  oOff: number,
  A: Float64Array,
  aOff: number,
  B: Float64Array,
  bOff: number,
  M: number,
  K: number,
  P: number,
): void {
  for (let m = 0; m < M; m++) {
    for (let p = 0; p < P; p++) {
      let s = out[oOff + m * P + p];
      for (let k = 0; k < K; k++) s += A[aOff + m * K + k] * B[bOff + k * P + p];
      out[oOff + m * P + p] = s;
    }
  }
}

/** The same product with |A| @ |B| (+ |out|): the scale each entry's rounding error is relative to. */
function absScale(
  out: Float64Array,
  oOff: number,
  A: Float64Array,
  aOff: number,
  B: Float64Array,
  bOff: number,
  M: number,
  K: number,
  P: number,
): Float64Array {
  const s = new Float64Array(M * P);
  for (let m = 0; m < M; m++) {
    for (let p = 0; p < P; p++) {
      let t = Math.abs(out[oOff + m * P + p]);
      for (let k = 0; k < K; k++) t += Math.abs(A[aOff + m * K + k] * B[bOff + k * P + p]);
      s[m * P + p] = t;
    }
  }
  return s;
}

/** Asserts |got - want| <= 1e-14 * scale elementwise (scale = the sum of the terms' magnitudes). */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, scale: ArrayLike<number>, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= 1e-14 * scale[i]) && err !== 0) {
      throw new Error(`${what}: element ${i} is ${got[i]}, want ${want[i]} (error ${err}, scale ${scale[i]})`);
    }
  }
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 1, 2],
  [1, 2, 1],
  [2, 1, 1],
  [3, 5, 7],
  [17, 3, 9],
  [4, 4, 4],
  [5, 5, 5],
  [4, 1, 3],
  [7, 2, 11],
  [8, 9, 10],
  [13, 17, 19],
  [3, 1, 8],
  [1, 8, 16],
  [6, 7, 15],
  [16, 64, 64],
  [16, 64, 256],
  [16, 256, 64],
  [17, 63, 255],
  [33, 31, 29],
  [2, 100, 3],
  [64, 16, 257],
  [9, 0, 5],
];

describe.skipIf(!wasmSimdAvailable())('wasm SIMD kernels', () => {
  it('gemmAcc and gemm match a triple loop on many shapes, at nonzero offsets', () => {
    const next = rng(1);
    const arena = createWasmArena(1 << 20)!;
    expect(arena).not.toBeNull();
    for (const [M, K, P] of SHAPES) {
      for (const pad of [0, 1, 2, 3]) {
        const t = new Taker(arena, next);
        // Views with a nonzero byteOffset, and offsets into them.
        const A = t.take(M * K + 5, pad);
        const B = t.take(K * P + 3, pad + 1);
        const O = t.take(M * P + 9, pad + 2);
        const aOff = 5 - pad,
          bOff = pad,
          oOff = 7 - (pad % 3);
        const before = O.slice();

        const want = O.slice();
        refGemmAcc(want, oOff, A, aOff, B, bOff, M, K, P);
        const scale = absScale(O, oOff, A, aOff, B, bOff, M, K, P);
        arena.kernels.gemmAcc(O, oOff, A, aOff, B, bOff, M, K, P);
        expectClose(O.subarray(oOff, oOff + M * P), want.subarray(oOff, oOff + M * P), scale, `gemmAcc ${M}x${K}x${P}`);
        // Nothing outside the output range is touched.
        expect(Array.from(O.subarray(0, oOff))).toEqual(Array.from(before.subarray(0, oOff)));
        expect(Array.from(O.subarray(oOff + M * P))).toEqual(Array.from(before.subarray(oOff + M * P)));

        // gemm overwrites: start from garbage.
        for (let i = 0; i < O.length; i++) O[i] = 1e300;
        const zero = new Float64Array(O.length);
        const want0 = zero.slice();
        refGemmAcc(want0, oOff, A, aOff, B, bOff, M, K, P);
        const scale0 = absScale(zero, oOff, A, aOff, B, bOff, M, K, P);
        arena.kernels.gemm(O, oOff, A, aOff, B, bOff, M, K, P);
        expectClose(O.subarray(oOff, oOff + M * P), want0.subarray(oOff, oOff + M * P), scale0, `gemm ${M}x${K}x${P}`);
        expect(O[oOff - 1 >= 0 ? oOff - 1 : O.length - 1]).toBe(1e300);
        expect(O[oOff + M * P]).toBe(1e300);
      }
    }
  });

  it('gemmAcc accumulates over repeated calls like the JS kernel', () => {
    const next = rng(2);
    const arena = createWasmArena(1 << 16)!;
    const t = new Taker(arena, next);
    const [M, K, P] = [6, 10, 13];
    const A = t.take(M * K),
      B = t.take(K * P),
      O = t.take(M * P);
    const want = O.slice();
    for (let r = 0; r < 3; r++) {
      refGemmAcc(want, 0, A, 0, B, 0, M, K, P);
      arena.kernels.gemmAcc(O, 0, A, 0, B, 0, M, K, P);
    }
    const scale = new Float64Array(M * P).fill(3 * K + 1);
    expectClose(O, want, scale, 'thrice');
  });

  it('gemm with K = 0 zeroes the output, gemmAcc with K = 0 leaves it alone', () => {
    const arena = createWasmArena(64)!;
    const O = arena.mem.subarray(3, 3 + 12).fill(2);
    const A = arena.mem.subarray(20, 20);
    const B = arena.mem.subarray(20, 20);
    arena.kernels.gemmAcc(O, 0, A, 0, B, 0, 3, 0, 4);
    expect(Array.from(O)).toEqual(new Array(12).fill(2));
    arena.kernels.gemm(O, 0, A, 0, B, 0, 3, 0, 4);
    expect(Array.from(O)).toEqual(new Array(12).fill(0));
  });

  it('gramUpper matches plain dots on the upper triangle and leaves the lower one alone', () => {
    const next = rng(3);
    const arena = createWasmArena(1 << 18)!;
    for (let M = 1; M <= 19; M++) {
      for (const K of [0, 1, 2, 3, 7, 16, 64, 65, 256]) {
        const t = new Taker(arena, next);
        const aOff = M % 3;
        const A = t.take(M * K + aOff, (M + K) % 4);
        const out = t.take(M * M, 1);
        for (let i = 0; i < out.length; i++) out[i] = -7;
        arena.kernels.gramUpper(out, A, aOff, M, K);
        for (let n = 0; n < M; n++) {
          for (let m = 0; m < M; m++) {
            const got = out[n * M + m];
            if (m < n) {
              expect(got).toBe(-7);
              continue;
            }
            let want = 0,
              scale = 0;
            for (let k = 0; k < K; k++) {
              want += A[aOff + n * K + k] * A[aOff + m * K + k];
              scale += Math.abs(A[aOff + n * K + k] * A[aOff + m * K + k]);
            }
            expectClose([got], [want], [scale], `gramUpper M=${M} K=${K} (${n},${m})`);
          }
        }
      }
    }
  });

  it('transposeTimesAcc matches A^T @ da added to out', () => {
    const next = rng(4);
    const arena = createWasmArena(1 << 20)!;
    const cases: [number, number, number][] = [
      [1, 1, 1],
      [16, 16, 256],
      [64, 16, 256],
      [3, 5, 7],
      [17, 3, 9],
      [5, 4, 2],
      [7, 1, 13],
      [2, 9, 1],
      [13, 16, 64],
      [4, 4, 4],
    ];
    for (const [K, N, G] of cases) {
      for (const pad of [0, 1, 2]) {
        const t = new Taker(arena, next);
        const aOff = 2 * pad + 1;
        const A = t.take(aOff + N * K + 2, pad);
        const da = t.take(N * G, pad + 1);
        const out = t.take(K * G + 3, pad + 2);
        const want = out.slice();
        const scale = new Float64Array(K * G);
        for (let i = 0; i < K; i++) {
          for (let j = 0; j < G; j++) {
            let s = want[i * G + j];
            let a = Math.abs(s);
            for (let n = 0; n < N; n++) {
              s += A[aOff + n * K + i] * da[n * G + j];
              a += Math.abs(A[aOff + n * K + i] * da[n * G + j]);
            }
            want[i * G + j] = s;
            scale[i * G + j] = a;
          }
        }
        arena.kernels.transposeTimesAcc(A, aOff, K, da, N, G, out);
        expectClose(out.subarray(0, K * G), want.subarray(0, K * G), scale, `transposeTimesAcc K=${K} N=${N} G=${G}`);
        expect(Array.from(out.subarray(K * G))).toEqual(Array.from(want.subarray(K * G)));
      }
    }
  });

  it('one big input projection (16384 x 16 x 256) agrees with the triple loop', () => {
    const next = rng(5);
    const [M, K, P] = [16384, 16, 256];
    const arena = createWasmArena(M * K + K * P + M * P + 8)!;
    const t = new Taker(arena, next);
    const A = t.take(M * K),
      B = t.take(K * P),
      O = t.take(M * P);
    const want = new Float64Array(M * P);
    refGemmAcc(want, 0, A, 0, B, 0, M, K, P);
    arena.kernels.gemm(O, 0, A, 0, B, 0, M, K, P);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(O[i] - want[i]));
    expect(worst).toBeLessThan(1e-14 * K);
  });

  it('rejects views that are not into the live arena, or ranges past a view', () => {
    const arena = createWasmArena(256)!;
    const k = arena.kernels;
    const v = arena.mem.subarray(0, 16);
    expect(() => k.gemmAcc(new Float64Array(16), 0, v, 0, v, 0, 4, 4, 4)).toThrow(RangeError);
    expect(() => k.gemmAcc(v, 1, arena.mem, 0, arena.mem, 0, 4, 4, 4)).toThrow(RangeError);
    expect(() => k.gramUpper(v, arena.mem, 250, 2, 4)).toThrow(RangeError);
    expect(() => k.transposeTimesAcc(arena.mem, 0, 4, arena.mem, 4, 5, v)).toThrow(RangeError);
    expect(() => k.gemm(v, 0, v, 0, v, 0, 2, 1.5, 2)).toThrow(RangeError);
  });

  it('arenas are zero-filled, reuse one memory and one kernels object, and refuse earlier views once it grows', () => {
    releaseWasmMemory(); // start from a fresh, small memory
    const a = createWasmArena(1000)!;
    a.mem.fill(3);
    const b = createWasmArena(500)!;
    expect(b.mem.length).toBe(500);
    expect(b.mem.every((x) => x === 0)).toBe(true);
    expect(b.mem.buffer).toBe(a.mem.buffer); // no growth: same memory
    b.mem.fill(5);
    const c = createWasmArena(3_000_000)!; // grows: earlier views are detached
    expect(c.mem.length).toBe(3_000_000);
    expect(c.mem.every((x) => x === 0)).toBe(true);
    expect(b.mem.length).toBe(0);
    const v = c.mem.subarray(0, 4);
    expect(c.kernels).toBe(b.kernels);
    expect(() => c.kernels.gemmAcc(v, 0, b.mem, 0, v, 0, 1, 1, 1)).toThrow(RangeError);
    c.kernels.gemmAcc(v, 0, v, 0, v, 0, 1, 1, 1);
    expect(createWasmArena(MAX_WASM_ARENA_DOUBLES + 1)).toBeNull();
    releaseWasmMemory();
    const d = createWasmArena(10)!;
    expect(d.mem.buffer).not.toBe(c.mem.buffer);
    expect(d.mem.every((x) => x === 0)).toBe(true);
  });

  it('addresses past 2 GiB work (a 4 GiB arena, when the machine can reserve one)', () => {
    releaseWasmMemory();
    const arena = createWasmArena(MAX_WASM_ARENA_DOUBLES);
    if (arena === null) return; // cannot reserve 4 GiB of address space here
    try {
      const next = rng(6);
      const n = arena.mem.length;
      const [M, K, P] = [5, 7, 9];
      // Views in the last few KiB: byte addresses near 2^32, negative as int32.
      const A = arena.mem.subarray(n - 1000, n - 1000 + M * K);
      const B = arena.mem.subarray(n - 800, n - 800 + K * P);
      const O = arena.mem.subarray(n - M * P);
      const G = arena.mem.subarray(n - 2000, n - 2000 + M * M);
      for (let i = 0; i < A.length; i++) A[i] = next();
      for (let i = 0; i < B.length; i++) B[i] = next();
      const want = new Float64Array(M * P);
      refGemmAcc(want, 0, A, 0, B, 0, M, K, P);
      arena.kernels.gemm(O, 0, A, 0, B, 0, M, K, P);
      expectClose(O, want, new Float64Array(M * P).fill(K), 'gemm near 4 GiB');
      arena.kernels.gramUpper(G, A, 0, M, K);
      let d = 0;
      for (let k = 0; k < K; k++) d += A[k] * A[k];
      expectClose([G[0]], [d], [K], 'gramUpper near 4 GiB');
    } finally {
      releaseWasmMemory();
    }
  });

  it('the committed binary is a wasm module, and current with kernels.wat when wabt is installed', () => {
    expectGeneratedWasmCurrent(KERNELS_WASM_BASE64, 'build-wasm-kernels.mjs');
  });
});

describe('wasm availability', () => {
  it('reports SIMD available on this Node', () => {
    expect(wasmSimdAvailable()).toBe(true);
  });
});
