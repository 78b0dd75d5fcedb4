// The native products against a plain triple loop (every micro-kernel this CPU runs, random
// shapes with odd sizes and edge tails, strides and offsets in the stdlib-js convention), the
// Kernels built on them against the WebAssembly and JS kernels, and whole probes on every kernel
// path. The engine's own tests run on the native and the WebAssembly path by vitest's projects
// (vitest.config.ts); this file is where the paths meet.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyTimeMajor, jsKernels, packedDoubles, packsWeights, transposeInto, type Kernels } from '../linalg';
import { createWasmArena, wasmSimdAvailable } from '../wasm/wasmKernels';
import { mulberry32 } from '../testing/mulberry32';
import { runProbe, type ProbeResult } from '../probe';
import { kernelsInUse, setKernelPreference, type KernelPreference } from '../workspace';
import { loadNativeBinding, nativeBinding, requestedKernelPath, withNativeProducts, type NativeBinding } from './nativeKernels';

const native = nativeBinding();
const EPS = 2 ** -52;
/** Every micro-kernel this CPU runs (fastest first); each test of a kernel runs on each. */
const ISAS = native ? (native.isas?.() ?? [...new Set([native.isa(), 'generic'])]) : [];
/** Why the AVX-512 kernels cannot be held to the AVX2 ones here ('' when they can). */
const noAvx512 = !native
  ? 'the native module is not built'
  : !ISAS.includes('avx512')
    ? `this CPU does not run AVX-512F (its kernels: ${ISAS.join(', ')})`
    : '';

/** Uniform in [-1, 1). */
function rng(seed: number): () => number {
  const u = mulberry32(seed);
  return () => u() * 2 - 1;
}

function filled(n: number, next: () => number): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = next();
  return v;
}

/** A strided M x N matrix view: element (i, j) at data[off + i*s1 + j*s2]. */
interface Strided {
  data: Float64Array;
  s1: number;
  s2: number;
  off: number;
}

/**
 * Lays out an rows x cols matrix in one of four ways (row-major, column-major, row-major with
 * padded rows, or with a negative row stride), at a nonzero offset, inside a larger array.
 */
function layout(rows: number, cols: number, kind: number, next: () => number): Strided {
  const pad = 3;
  const span = (rows + 2) * (cols + pad) + 7;
  const data = filled(span, next);
  switch (kind % 4) {
    case 0:
      return { data, s1: cols, s2: 1, off: 5 };
    case 1:
      return { data, s1: 1, s2: rows, off: 2 };
    case 2:
      return { data, s1: cols + pad, s2: 1, off: 1 };
    default:
      return { data, s1: -(cols + pad), s2: 1, off: 1 + Math.max(0, rows - 1) * (cols + pad) };
  }
}

const at = (m: Strided, i: number, j: number) => m.data[m.off + i * m.s1 + j * m.s2];

/**
 * Checks C against the triple loop: C_new(i, j) = beta*C_old(i, j) + sum_k A(i,k) B(k,j) within
 * the rigorous bound (K + 1) eps sum |terms|; every element of C's array outside the matrix is
 * unchanged (and, with `upper`, every element below the diagonal).
 */
function expectProduct(
  M: number,
  N: number,
  K: number,
  A: Strided,
  B: Strided,
  beta: number,
  before: Float64Array,
  C: Strided,
  upper: boolean,
  what: string,
): void {
  const touched = new Set<number>();
  for (let i = 0; i < M; i++) {
    for (let j = upper ? i : 0; j < N; j++) {
      const idx = C.off + i * C.s1 + j * C.s2;
      touched.add(idx);
      let s = beta ? before[idx] : 0;
      let scale = Math.abs(s);
      for (let k = 0; k < K; k++) {
        const t = at(A, i, k) * at(B, k, j);
        s += t;
        scale += Math.abs(t);
      }
      const err = Math.abs(C.data[idx] - s);
      if (!(err <= (K + 1) * EPS * scale)) {
        throw new Error(`${what}: C(${i}, ${j}) is ${C.data[idx]}, want ${s} (error ${err}, scale ${scale})`);
      }
    }
  }
  for (let idx = 0; idx < C.data.length; idx++) {
    if (!touched.has(idx) && !Object.is(C.data[idx], before[idx]))
      throw new Error(`${what}: element ${idx} outside C was written`);
  }
}

/** Shapes around the micro-tile (6 x 8), the K block (256) and the M block (144 on a 1 MiB L2, 288 on 2 MiB). */
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 8, 1],
  [6, 8, 1],
  [5, 7, 3],
  [7, 9, 2],
  [6, 8, 256],
  [6, 8, 257],
  [13, 17, 19],
  [12, 16, 255],
  [2, 33, 64],
  [31, 3, 40],
  [16, 64, 64],
  [145, 9, 5],
  [150, 40, 300],
  // More rows than one block holds (seq_block_rows: at most 288), with a 1-row last panel.
  [301, 24, 300],
  // Multiples of 8 rows (AVX-512's 8-row tiles): beside a lone sliver, past one K block, in
  // blocks of 8-row multiples when there are two.
  [8, 24, 40],
  [24, 40, 300],
  [304, 32, 20],
  [3, 100, 513],
  [64, 40, 1],
];

describe.skipIf(native === null)('native products', () => {
  const n = native as NativeBinding;
  const best = native?.isa() ?? '';
  afterEach(() => {
    n.useIsa(best);
  });

  it(`runs its best micro-kernel (${best}), and can be pinned to the generic one`, () => {
    expect(['avx512', 'avx2-fma', 'neon', 'generic']).toContain(best);
    expect(ISAS[0]).toBe(best);
    expect(ISAS).toContain('generic');
    expect(n.useIsa('generic')).toBe(true);
    expect(n.isa()).toBe('generic');
    expect(n.useIsa('no-such-isa')).toBe(false);
    expect(n.isa()).toBe('generic');
  });

  for (const isa of ISAS) {
    it(`${isa}: gemm matches the triple loop on many shapes and layouts, with beta 0 and 1`, () => {
      n.useIsa(isa);
      const next = rng(11);
      let kind = 0;
      for (const [M, N, K] of SHAPES) {
        for (const beta of [0, 1]) {
          const A = layout(M, K, kind++, next),
            B = layout(K, N, kind++, next),
            C = layout(M, N, kind++, next);
          if (beta === 0) C.data.fill(NaN); // only written: NaNs must not survive
          const before = C.data.slice();
          n.gemm(M, N, K, A.data, A.s1, A.s2, A.off, B.data, B.s1, B.s2, B.off, beta, C.data, C.s1, C.s2, C.off);
          expectProduct(M, N, K, A, B, beta, before, C, false, `${isa} gemm ${M}x${N}x${K} beta ${beta}`);
        }
      }
    });

    it(`${isa}: A read in place (its rows, unit column stride) gives the bits A packed (strided columns) gives`, () => {
      n.useIsa(isa);
      const next = rng(12);
      // Whole 6-row and 4-row panels, ragged last panels (1, 2, 3 and 5 rows), lone slivers,
      // past one K block, with B packed ahead, in place (small) and packed per product.
      for (const [M, N, K] of [
        [13, 7, 9],
        [20, 8, 12],
        [16, 16, 16],
        [17, 24, 9],
        [21, 40, 300],
        [256, 16, 16],
        [64, 2048, 16],
        [130, 72, 70],
        [8, 24, 40],
        [24, 40, 300],
        [304, 32, 20],
      ] as [number, number, number][]) {
        const rowMajor = layout(M, K, 0, next);
        const columns = { data: new Float64Array(M * K), s1: 1, s2: M, off: 0 };
        for (let i = 0; i < M; i++)
          for (let k = 0; k < K; k++) columns.data[i + k * M] = rowMajor.data[rowMajor.off + i * rowMajor.s1 + k];
        const B = layout(K, N, 0, next);
        const packed = new Float64Array(packedDoubles(K, N));
        n.packMatrix!(K, N, B.data, B.s1, B.s2, B.off, packed);
        const C0 = filled(M * N, next);
        for (const beta of [0, 1]) {
          const product = (A: Strided, withPacked: boolean) => {
            const C = C0.slice();
            if (withPacked) n.gemmPacked!(M, N, K, A.data, A.s1, A.s2, A.off, packed, beta, C, N, 1, 0);
            else n.gemm(M, N, K, A.data, A.s1, A.s2, A.off, B.data, B.s1, B.s2, B.off, beta, C, N, 1, 0);
            return C;
          };
          for (const withPacked of [false, true]) {
            const inPlace = product(rowMajor, withPacked);
            const viaPacking = product(columns, withPacked);
            const i = inPlace.findIndex((v, j) => !Object.is(v, viaPacking[j]));
            if (i >= 0)
              throw new Error(
                `${isa} ${M}x${N}x${K} beta ${beta}${withPacked ? ' packed B' : ''}: element ${i} is ${inPlace[i]} in place, ${viaPacking[i]} packed`,
              );
          }
        }
      }
    });

    it(`${isa}: a batch of 1 to 4 rows against B given as its transpose (the dot-product path) matches the triple loop`, () => {
      n.useIsa(isa);
      const next = rng(15);
      let kind = 0;
      for (const M of [1, 2, 3, 4]) {
        for (const [N, K] of [
          [1, 1],
          [3, 5],
          [4, 4],
          [9, 7],
          [17, 64],
          [33, 259],
          [64, 1024],
        ]) {
          for (const beta of [0, 1]) {
            // A row-major (contiguous rows, padded or with a negative row stride) and B column-major (unit row stride).
            const A = layout(M, K, [0, 2, 3][kind++ % 3], next),
              B = layout(K, N, 1, next),
              C = layout(M, N, kind++, next);
            if (beta === 0) C.data.fill(NaN);
            const before = C.data.slice();
            n.gemm(M, N, K, A.data, A.s1, A.s2, A.off, B.data, B.s1, B.s2, B.off, beta, C.data, C.s1, C.s2, C.off);
            expectProduct(M, N, K, A, B, beta, before, C, false, `${isa} dots ${M}x${N}x${K} beta ${beta}`);
          }
        }
      }
    });

    it(`${isa}: a batch of 1 to 4 rows against B row-major (the row-by-row path) matches the triple loop, past one slice of columns`, () => {
      n.useIsa(isa);
      const next = rng(19);
      let kind = 0;
      for (const M of [1, 2, 3, 4, 6]) {
        // Column tails of 1 to 3 (n mod 4), inner tails of 1 to 3 (K mod 4), and N past the AVX2
        // kernel's 2048-column slice (microkernel_avx2.c) and rows.h's 512.
        for (const [N, K] of [
          [1, 1],
          [5, 3],
          [9, 6],
          [513, 7],
          [2051, 10],
          [4099, 5],
        ]) {
          if (M > 4 && K > 8) continue; // more rows take the row-by-row path only for K <= 8
          for (const beta of [0, 1]) {
            const A = layout(M, K, [0, 1, 2, 3][kind++ % 4], next),
              B = layout(K, N, [0, 2, 3][kind++ % 3], next),
              C = layout(M, N, [0, 2, 3][kind++ % 3], next);
            if (beta === 0) C.data.fill(NaN);
            const before = C.data.slice();
            n.gemm(M, N, K, A.data, A.s1, A.s2, A.off, B.data, B.s1, B.s2, B.off, beta, C.data, C.s1, C.s2, C.off);
            expectProduct(M, N, K, A, B, beta, before, C, false, `${isa} rows ${M}x${N}x${K} beta ${beta}`);
          }
        }
      }
    });

    it(`${isa}: gramUpper writes the upper triangle of A A^T and leaves the rest alone`, () => {
      n.useIsa(isa);
      const next = rng(12);
      let kind = 0;
      for (const [M, K] of [
        [1, 1],
        [2, 3],
        [6, 8],
        [7, 300],
        [9, 16],
        [16, 64],
        [37, 5],
        [150, 20],
      ]) {
        const A = layout(M, K, kind++, next),
          C = layout(M, M, kind++, next);
        const before = C.data.slice();
        n.gramUpper(M, K, A.data, A.s1, A.s2, A.off, C.data, C.s1, C.s2, C.off);
        const At: Strided = { data: A.data, s1: A.s2, s2: A.s1, off: A.off };
        expectProduct(M, M, K, A, At, 0, before, C, true, `${isa} gramUpper ${M}x${K}`);
      }
    });

    it(`${isa}: a product with an 8 MiB B (the LSTM's Wh at H = 512, past L2) matches the triple loop`, () => {
      n.useIsa(isa);
      const next = rng(13);
      const [M, N, K] = [16, 2048, 512];
      const A = layout(M, K, 0, next),
        B = layout(K, N, 0, next),
        C = layout(M, N, 0, next);
      const before = C.data.slice();
      n.gemm(M, N, K, A.data, A.s1, A.s2, A.off, B.data, B.s1, B.s2, B.off, 1, C.data, C.s1, C.s2, C.off);
      expectProduct(M, N, K, A, B, 1, before, C, false, `${isa} 16x2048x512`);
    });
  }

  it('gemmPacked with B packed once by packMatrix matches the triple loop, and gemm bit for bit where gemm packs too', () => {
    const next = rng(18);
    // The first three are shapes gemm also runs blocked (packing B as it goes): the same sums.
    for (const [M, N, K, sameAsGemm] of [
      [16, 300, 1030, true],
      [5, 129, 513, true],
      [7, 9, 300, true],
      [63, 257, 8, false],
      [1, 1, 1, false],
    ] as const) {
      for (const beta of [0, 1]) {
        const A = layout(M, K, 0, next),
          B = layout(K, N, 2, next),
          C = layout(M, N, 0, next);
        const before = C.data.slice();
        const viaGemm = C.data.slice();
        n.gemm(M, N, K, A.data, A.s1, A.s2, A.off, B.data, B.s1, B.s2, B.off, beta, viaGemm, C.s1, C.s2, C.off);
        const packed = new Float64Array(packedDoubles(K, N));
        n.packMatrix!(K, N, B.data, B.s1, B.s2, B.off, packed);
        n.gemmPacked!(M, N, K, A.data, A.s1, A.s2, A.off, packed, beta, C.data, C.s1, C.s2, C.off);
        expectProduct(M, N, K, A, B, beta, before, C, false, `gemmPacked ${M}x${N}x${K} beta ${beta}`);
        if (sameAsGemm && C.data.some((v, i) => !Object.is(v, viaGemm[i])))
          throw new Error(`gemmPacked ${M}x${N}x${K} beta ${beta}: not gemm's result to the bit`);
      }
    }
    const A = new Float64Array(4 * 20);
    const C = new Float64Array(4 * 9);
    expect(() => n.gemmPacked!(4, 9, 20, A, 20, 1, 0, new Float64Array(packedDoubles(20, 9) - 1), 0, C, 9, 1, 0)).toThrow(
      /gemmPacked: packed holds 319 doubles; a 20 x 9 matrix packs into 320/,
    );
  });

  // The AVX-512 set's wider tiles and rows compute every entry with the AVX2 kernels' FMAs in
  // their order, so a CPU's choice of set changes the speed alone (microkernel_avx512.c).
  it.skipIf(noAvx512 !== '')(
    `avx512 gives the bits avx2-fma gives on every product path${noAvx512 ? ` (skipped: ${noAvx512})` : ''}`,
    () => {
      const next = rng(23);
      const run = (isa: string, f: () => Float64Array): Float64Array => {
        expect(n.useIsa(isa)).toBe(true);
        return f();
      };
      const expectSame = (label: string, f: () => Float64Array) => {
        const wide = run('avx512', f);
        const narrow = run('avx2-fma', f);
        const i = wide.findIndex((v, j) => !Object.is(v, narrow[j]));
        if (i >= 0) throw new Error(`${label}: element ${i} is ${wide[i]} with avx512, ${narrow[i]} with avx2-fma`);
      };
      // Blocked (odd widths leave a lone sliver beside the pairs; 4-row and ragged panels; packed
      // and in-place B), rows (1 to 4 rows, tails of n mod 8), and larger than one K block.
      const shapes: [number, number, number][] = [
        ...SHAPES,
        [16, 64, 256],
        [16, 40, 300],
        [10, 24, 7],
        [128, 512, 300],
        [1, 4099, 70],
        [3, 2051, 9],
        [4, 17, 600],
        [2000, 203, 4],
      ];
      let kind = 0;
      for (const [M, N, K] of shapes) {
        for (const beta of [0, 1]) {
          const A = layout(M, K, kind++, next),
            B = layout(K, N, kind++ % 3 === 1 ? 0 : kind, next),
            C = layout(M, N, kind++, next);
          const label = `gemm ${M}x${N}x${K} beta ${beta}`;
          expectSame(label, () => {
            const out = C.data.slice();
            n.gemm(M, N, K, A.data, A.s1, A.s2, A.off, B.data, B.s1, B.s2, B.off, beta, out, C.s1, C.s2, C.off);
            return out;
          });
          const packed = new Float64Array(packedDoubles(K, N));
          n.packMatrix!(K, N, B.data, B.s1, B.s2, B.off, packed);
          expectSame(`packed ${label}`, () => {
            const out = C.data.slice();
            n.gemmPacked!(M, N, K, A.data, A.s1, A.s2, A.off, packed, beta, out, C.s1, C.s2, C.off);
            return out;
          });
        }
        if (M === N || M < 200) {
          const A = layout(M, K, kind++, next),
            C = layout(M, M, kind++, next);
          expectSame(`gramUpper ${M}x${K}`, () => {
            const out = C.data.slice();
            n.gramUpper(M, K, A.data, A.s1, A.s2, A.off, out, C.s1, C.s2, C.off);
            return out;
          });
        }
      }
    },
  );

  it('the loaded library is newer than its sources (if not: npm run build:native)', () => {
    const root = resolve(import.meta.dirname, '..', '..', '..');
    const built = statSync(join(root, 'build', 'Release', 'seqlab_kernels.node')).mtimeMs;
    const sources = readdirSync(import.meta.dirname)
      .filter((f) => /\.[ch]$/.test(f))
      .map((f) => join(import.meta.dirname, f));
    for (const source of [...sources, join(root, 'binding.gyp')]) {
      expect(
        statSync(source).mtimeMs,
        `${source} changed after the last native build: run npm run build:native`,
      ).toBeLessThanOrEqual(built);
    }
  });

  it('timeMajor gives exactly what copyTimeMajor of linalg.ts gives, at offsets, past one tile of steps', () => {
    const next = rng(21);
    for (const [N, T, F] of [
      [1, 1, 1],
      [3, 37, 5],
      [16, 16, 16],
      [256, 40, 16],
      [2, 1000, 3],
    ]) {
      const src = filled(N * T * F + 4, next);
      src[1] = -0; // signed zeros and a NaN are moved as they are
      src[3] = NaN;
      const view = src.subarray(1, 1 + N * T * F);
      const want = new Float64Array(N * T * F);
      copyTimeMajor(view, want, N, T, F);
      const got = new Float64Array(N * T * F + 2).fill(7);
      n.timeMajor!(N, T, F, src, 1, got, 2);
      expect(got.subarray(0, 2).every((v) => v === 7)).toBe(true);
      for (let i = 0; i < N * T * F; i++)
        if (!Object.is(got[2 + i], want[i]))
          throw new Error(`timeMajor ${N}x${T}x${F}: element ${i} is ${got[2 + i]}, JS ${want[i]}`);
    }
    expect(() => n.timeMajor!(2, 3, 4, new Float64Array(23), 0, new Float64Array(24), 0)).toThrow(
      /timeMajor: src's elements \[0, 23\] are outside its view of 23/,
    );
  });

  it('transpose and absColumnSums give exactly what transposeInto and absColumnSums of linalg.ts give, at offsets', () => {
    const next = rng(20);
    for (const [rows, cols] of [
      [1, 1],
      [3, 7],
      [8, 8],
      [9, 17],
      [64, 256],
      [1024, 40],
    ]) {
      const src = filled(rows * cols + 5, next);
      src[2] = -0; // signed zeros and a NaN pass through the transpose as they are
      src[4] = NaN;
      const view = src.subarray(2, 2 + rows * cols);
      const want = new Float64Array(rows * cols);
      transposeInto(want, view, rows, cols);
      const got = new Float64Array(rows * cols + 3).fill(7);
      n.transpose!(rows, cols, src, 2, got, 3);
      expect(got.subarray(0, 3).every((v) => v === 7)).toBe(true);
      for (let i = 0; i < rows * cols; i++)
        if (!Object.is(got[3 + i], want[i]))
          throw new Error(`transpose ${rows}x${cols}: element ${i} is ${got[3 + i]}, JS ${want[i]}`);
      const sums = new Float64Array(cols);
      jsKernels.absColumnSums(view, rows, cols, sums);
      const nativeSums = new Float64Array(cols + 1).fill(NaN);
      n.absColumnSums!(rows, cols, src, 2, nativeSums, 1);
      for (let j = 0; j < cols; j++)
        if (!Object.is(nativeSums[1 + j], sums[j]))
          throw new Error(`absColumnSums ${rows}x${cols}: column ${j} is ${nativeSums[1 + j]}, JS ${sums[j]}`);
    }
    const v = new Float64Array(12);
    expect(() => n.transpose!(3, 4, v, 1, new Float64Array(12), 0)).toThrow(
      /transpose: src's elements \[1, 12\] are outside its view of 12/,
    );
    expect(() => n.transpose!(3, 4, v, 0, new Float64Array(11), 0)).toThrow(/transpose: dst's elements/);
    expect(() => n.absColumnSums!(3, 4, v, 0, new Float64Array(3), 0)).toThrow(/absColumnSums: out's elements/);
    expect(() => n.absColumnSums!(3, -4, v, 0, new Float64Array(4), 0)).toThrow(
      /absColumnSums: cols must be an integer in \[0, 2\^31\)/,
    );
  });

  it('with K = 0, gemm with beta 0 zeroes C and with beta 1 leaves it', () => {
    const C = new Float64Array(12).fill(7);
    n.gemm(3, 4, 0, new Float64Array(0), 0, 1, 0, new Float64Array(0), 4, 1, 0, 1, C, 4, 1, 0);
    expect(Array.from(C)).toEqual(new Array(12).fill(7));
    n.gemm(3, 4, 0, new Float64Array(0), 0, 1, 0, new Float64Array(0), 4, 1, 0, 0, C, 4, 1, 0);
    expect(Array.from(C)).toEqual(new Array(12).fill(0));
  });

  it('refuses ranges past a view, arrays that are not Float64Arrays and bad numbers, with a RangeError naming the argument', () => {
    const v = new Float64Array(16);
    const gemm =
      (...a: unknown[]) =>
      () =>
        (n.gemm as (...x: unknown[]) => void)(...a);
    expect(gemm(4, 4, 4, v, 4, 1, 1, v, 4, 1, 0, 0, new Float64Array(16), 4, 1, 0)).toThrow(
      /A's elements \[1, 16\] are outside its view of 16/,
    );
    expect(gemm(4, 4, 4, v.subarray(1), 4, 1, 0, v, 4, 1, 0, 0, new Float64Array(16), 4, 1, 0)).toThrow(RangeError);
    expect(gemm(4, 4, 4, v, 4, 1, 0, v, 4, 1, 0, 0, new Float64Array(15), 4, 1, 0)).toThrow(/C's elements/);
    expect(gemm(2, 2, 2, v, -2, 1, 0, v, 2, 1, 0, 0, new Float64Array(4), 2, 1, 0)).toThrow(/A's elements \[-2, 1\]/);
    expect(gemm(2, 2, 2, [1, 2, 3, 4], 2, 1, 0, v, 2, 1, 0, 0, v, 2, 1, 0)).toThrow(/A must be a Float64Array/);
    expect(gemm(2, 2, 2, new Float32Array(4), 2, 1, 0, v, 2, 1, 0, 0, v, 2, 1, 0)).toThrow(/A must be a Float64Array/);
    expect(gemm(2, 1.5, 2, v, 2, 1, 0, v, 2, 1, 0, 0, v, 2, 1, 0)).toThrow(/N must be an integer in \[0, 2\^31\)/);
    expect(gemm(-1, 2, 2, v, 2, 1, 0, v, 2, 1, 0, 0, v, 2, 1, 0)).toThrow(/M must be an integer/);
    expect(gemm(2, 2, 2, v, 2, 1, 0, v, 2, 1, -1, 0, v, 2, 1, 0)).toThrow(/B offset must be a nonnegative integer/);
    expect(gemm(2, 2, 2, v, 2, 1, 0, v, 2, 1, 0, 2, v.subarray(8), 2, 1, 0)).toThrow(/beta must be 0 or 1/);
    expect(gemm(2, 2, 2, v, 2, 1, 0)).toThrow(/takes 16 arguments/);
    expect(() => n.gramUpper(3, 2, v, 2, 1, 0, new Float64Array(8), 3, 1, 0)).toThrow(/gramUpper: C's elements/);
  });

  describe.skipIf(!wasmSimdAvailable())("as the engine's Kernels, on the WebAssembly arena", () => {
    it('gemm, gemmAcc, transposeTimesAcc and gramUpper agree with the wasm and JS kernels to 1e-13 on random shapes at odd offsets', () => {
      const next = rng(14);
      const dim = (max: number) => 1 + Math.floor(((next() + 1) / 2) * max);
      const arena = createWasmArena(1 << 18)!;
      const viaNative = withNativeProducts(arena.kernels, n, true);
      /** Runs `call` on the JS kernels (on a copy), the wasm ones and the native ones, from the same arena contents. */
      function compare(what: string, scale: number, call: (k: Kernels, mem: Float64Array) => void): void {
        const start = arena.mem.slice();
        const js = start.slice();
        call(jsKernels, js);
        for (const [name, k] of [
          ['wasm', arena.kernels],
          ['native', viaNative],
        ] as const) {
          arena.mem.set(start);
          call(k, arena.mem);
          for (let i = 0; i < js.length; i++) {
            const err = Math.abs(arena.mem[i] - js[i]);
            if (!(err <= 1e-13 * scale)) throw new Error(`${what}: ${name} element ${i} is ${arena.mem[i]}, JS ${js[i]}`);
          }
        }
        arena.mem.set(start);
      }
      for (let trial = 0; trial < 25; trial++) {
        for (let i = 0; i < arena.mem.length; i++) arena.mem[i] = next();
        const [M, K, P] = [dim(40), dim(300), dim(70)];
        const aOff = dim(9),
          bOff = 20_000 + dim(9),
          oOff = 100_000 + dim(9);
        // Entries lie in [-1, 1): the terms of an output entry add up to at most its inner size (+1 for the old value).
        compare(`gemm ${M}x${K}x${P}`, K, (k, mem) => k.gemm(mem, oOff, mem, aOff, mem, bOff, M, K, P));
        compare(`gemmAcc ${M}x${K}x${P}`, K + 1, (k, mem) => k.gemmAcc(mem, oOff, mem, aOff, mem, bOff, M, K, P));
        // transposeTimesAcc reads da and writes out from their views' index 0.
        compare(`transposeTimesAcc K=${K} N=${M} G=${P}`, M + 1, (k, mem) =>
          k.transposeTimesAcc(mem, aOff, K, mem.subarray(bOff), M, P, mem.subarray(oOff)),
        );
        compare(`gramUpper ${M}x${K}`, K, (k, mem) => k.gramUpper(mem.subarray(oOff), mem, aOff, M, K));
      }
    });

    it('symv agrees with the JS one to 1e-13 (n = 1 to 300)', () => {
      const next = rng(17);
      const arena = createWasmArena(1 << 18)!;
      const viaNative = withNativeProducts(arena.kernels, n, true);
      for (const size of [1, 2, 5, 64, 91, 300]) {
        const S = arena.mem.subarray(0, size * size);
        for (let i = 0; i < size; i++) for (let j = 0; j <= i; j++) S[i * size + j] = S[j * size + i] = next();
        const v = arena.mem.subarray(100_000, 100_000 + size);
        for (let i = 0; i < size; i++) v[i] = next();
        const out = arena.mem.subarray(110_000, 110_000 + size);
        const want = new Float64Array(size);
        jsKernels.symv(S.slice(), size, v.slice(), want);
        viaNative.symv(S, size, v, out);
        for (let i = 0; i < size; i++) expect(Math.abs(out[i] - want[i])).toBeLessThanOrEqual(1e-13 * size);
      }
    });

    it('rowDots agrees with the JS one to 1e-13 on rectangular rows at an offset, and leaves the rest of out alone', () => {
      const next = rng(18);
      const arena = createWasmArena(1 << 18)!;
      const viaNative = withNativeProducts(arena.kernels, n, true);
      for (const [rows, size, off] of [
        [1, 1, 0],
        [3, 7, 5],
        [17, 64, 1],
        [73, 300, 9],
        [160, 1024, 3],
      ]) {
        const A = arena.mem.subarray(0, off + rows * size);
        for (let i = 0; i < A.length; i++) A[i] = next();
        const v = arena.mem.subarray(200_000, 200_000 + size);
        for (let i = 0; i < size; i++) v[i] = next();
        const out = arena.mem.subarray(210_000, 210_000 + rows + 1);
        out.fill(7);
        const want = new Float64Array(rows);
        jsKernels.rowDots(A.slice(), off, rows, size, v.slice(), want);
        viaNative.rowDots(A, off, rows, size, v, out);
        for (let i = 0; i < rows; i++) expect(Math.abs(out[i] - want[i])).toBeLessThanOrEqual(1e-13 * size);
        expect(out[rows]).toBe(7);
      }
    });

    it('gemmPaired reads B or its transpose and agrees with gemm and gemmAcc to 1e-13, batches of 1 to 4 rows included', () => {
      const next = rng(16);
      const dim = (max: number) => 1 + Math.floor(((next() + 1) / 2) * max);
      const arena = createWasmArena(1 << 18)!;
      const mem = arena.mem;
      const viaNative = withNativeProducts(arena.kernels, n, true);
      for (let trial = 0; trial < 40; trial++) {
        // Batches of 1 to 4 against a B deeper than wide (dot products with Bt) and wider than
        // deep (B row by row), any batch, and batches of 5 to 130 against a B large enough to be
        // packed once (packsWeights).
        const M = trial < 20 ? 1 + (trial % 4) : trial < 30 ? dim(40) : 5 + Math.floor(((next() + 1) / 2) * 126);
        const [K, P] =
          trial < 20 && trial % 8 >= 4 ? [dim(60), 70 + dim(230)] : trial < 30 ? [dim(300), dim(70)] : [300, 110 + dim(20)];
        const [aOff, bOff, btOff, oOff] = [dim(9), 40_000 + dim(9), 80_000 + dim(9), 120_000 + dim(9)];
        for (let i = 0; i < mem.length; i++) mem[i] = next();
        transposeInto(mem.subarray(btOff, btOff + P * K), mem.subarray(bOff, bOff + K * P), K, P);
        for (const accumulate of [false, true]) {
          const start = mem.slice();
          const expected = start.slice();
          (accumulate ? jsKernels.gemmAcc : jsKernels.gemm)(expected, oOff, expected, aOff, expected, bOff, M, K, P);
          for (const [name, k] of [
            ['wasm', arena.kernels],
            ['native', viaNative],
          ] as const) {
            mem.set(start);
            const W = k.prepareWeights(mem.subarray(bOff, bOff + K * P), mem.subarray(btOff, btOff + P * K), K, P, M);
            if (name === 'native') expect(W.packed !== null).toBe(packsWeights(M, K, P));
            k.gemmPaired(accumulate, mem, oOff, mem, aOff, W, M);
            for (let i = 0; i < mem.length; i++) {
              if (!(Math.abs(mem[i] - expected[i]) <= 1e-13 * (K + 1)))
                throw new Error(`${name} gemmPaired(${accumulate}) ${M}x${K}x${P}: element ${i} is ${mem[i]}, JS ${expected[i]}`);
            }
          }
          mem.set(start);
        }
      }
    });

    it('prepareWeights packs into the view it is given (the probe arena), as into its own array, and refuses one too short', () => {
      const next = rng(19);
      const arena = createWasmArena(1 << 18)!;
      const viaNative = withNativeProducts(arena.kernels, n, true);
      const [K, P, M] = [64, 256, 16];
      expect(packsWeights(M, K, P)).toBe(true);
      const B = arena.mem.subarray(0, K * P);
      for (let i = 0; i < B.length; i++) B[i] = next();
      const Bt = arena.mem.subarray(K * P, 2 * K * P);
      transposeInto(Bt, B, K, P);
      const into = arena.mem.subarray(2 * K * P + 3, 2 * K * P + 3 + packedDoubles(K, P) + 5);
      const inArena = viaNative.prepareWeights(B, Bt, K, P, M, into);
      const own = viaNative.prepareWeights(B, Bt, K, P, M);
      expect(inArena.packed!.buffer).toBe(arena.mem.buffer);
      expect(inArena.packed!.byteOffset).toBe(into.byteOffset);
      expect(own.packed!.buffer).not.toBe(arena.mem.buffer);
      expect(Array.from(inArena.packed!)).toEqual(Array.from(own.packed!));
      expect(() => viaNative.prepareWeights(B, Bt, K, P, M, into.subarray(0, packedDoubles(K, P) - 1))).toThrow(/packInto holds/);
    });
  });
});

describe.skipIf(!native?.setThreads)('native products on several threads', () => {
  const n = native as NativeBinding;
  const best = native?.isa() ?? '';
  afterEach(() => {
    n.setThreads!(1);
    n.useIsa(best);
  });

  /** C from gemm (or gemmPacked, or gramUpper) on `threads` threads, from the same C before. */
  type Run = (C: Strided) => void;
  function onThreads(threads: number, before: Float64Array, C: Strided, run: Run): Float64Array {
    expect(n.setThreads!(threads)).toBe(threads);
    const out: Strided = { ...C, data: before.slice() };
    run(out);
    return out.data;
  }

  function expectSameOnThreads(label: string, before: Float64Array, C: Strided, run: Run): Float64Array {
    const one = onThreads(1, before, C, run);
    for (const threads of [2, 3]) {
      const got = onThreads(threads, before, C, run);
      const i = got.findIndex((v, j) => !Object.is(v, one[j]));
      if (i >= 0) throw new Error(`${label}: on ${threads} threads element ${i} is ${got[i]}, on one ${one[i]}`);
    }
    return one;
  }

  for (const isa of ISAS) {
    it(`${isa}: every path gives on 2 and 3 threads what it gives on one, bit for bit, and that is the product`, () => {
      n.useIsa(isa);
      const next = rng(21);
      // [M, N, K, layout of B]: blocked (B row-major, padded, column-major), rows (few rows, or
      // K <= 8), dots (few rows, B column-major); odd widths leave a partial sliver at a part's end.
      const cases: [number, number, number, number][] = [
        [40, 300, 200, 0],
        [37, 301, 130, 2],
        [19, 333, 90, 1],
        [3, 1000, 200, 0],
        [2000, 203, 4, 0],
        [2, 1001, 300, 1],
        [4, 257, 513, 1],
      ];
      for (const [M, N, K, bKind] of cases) {
        for (const beta of [0, 1]) {
          const A = layout(M, K, 0, next),
            B = layout(K, N, bKind, next),
            C = layout(M, N, 0, next);
          const before = C.data.slice();
          const label = `${isa} gemm ${M}x${N}x${K} B layout ${bKind} beta ${beta}`;
          const one = expectSameOnThreads(label, before, C, (out) =>
            n.gemm(M, N, K, A.data, A.s1, A.s2, A.off, B.data, B.s1, B.s2, B.off, beta, out.data, out.s1, out.s2, out.off),
          );
          expectProduct(M, N, K, A, B, beta, before, { ...C, data: one }, false, label);
        }
      }
      // The Gram matrix (split where the upper triangle's work is halved) and a packed B.
      for (const [M, K] of [
        [200, 300],
        [97, 1000],
      ]) {
        const A = layout(M, K, 0, next),
          C = layout(M, M, 0, next);
        const before = C.data.slice();
        const label = `${isa} gramUpper ${M}x${K}`;
        const one = expectSameOnThreads(label, before, C, (out) =>
          n.gramUpper(M, K, A.data, A.s1, A.s2, A.off, out.data, out.s1, out.s2, out.off),
        );
        const At: Strided = { data: A.data, s1: A.s2, s2: A.s1, off: A.off };
        expectProduct(M, M, K, A, At, 0, before, { ...C, data: one }, true, label);
      }
      const [M, N, K] = [16, 1000, 300];
      const A = layout(M, K, 0, next),
        B = layout(K, N, 0, next),
        C = layout(M, N, 0, next);
      const packed = new Float64Array(packedDoubles(K, N));
      n.packMatrix!(K, N, B.data, B.s1, B.s2, B.off, packed);
      const before = C.data.slice();
      const one = expectSameOnThreads(`${isa} gemmPacked`, before, C, (out) =>
        n.gemmPacked!(M, N, K, A.data, A.s1, A.s2, A.off, packed, 1, out.data, out.s1, out.s2, out.off),
      );
      expectProduct(M, N, K, A, B, 1, before, { ...C, data: one }, false, `${isa} gemmPacked`);
    });
  }

  it('refuses a thread count outside [1, 16], naming it', () => {
    for (const bad of [0, 17, 1.5, -1, NaN])
      expect(() => n.setThreads!(bad)).toThrow(/setThreads: threads must be an integer in/);
    expect(n.setThreads!(16)).toBe(16);
  });

  it('gives whole probes on 2 threads the results of one, bit for bit', () => {
    setKernelPreference('native');
    try {
      for (const c of [
        { arch: 'lstm' as const, T: 20, N: 16, D: 16, H: 128, seed: 1 },
        { arch: 'rnn' as const, T: 30, N: 2, D: 8, H: 512, seed: 2, whGain: 0.9 },
        { arch: 'gru' as const, T: 10, N: 64, D: 4, H: 96, seed: 3 },
      ]) {
        const options = { fullGradients: true, ...(c.arch === 'gru' ? {} : { lyapunov: { k: 2 } }) };
        const one = runProbe(c, options);
        const two = runProbe(c, { ...options, threads: 2 });
        expect(JSON.stringify(two)).toBe(JSON.stringify(one));
      }
      expect(() => runProbe({ arch: 'rnn', T: 2, N: 1, D: 1, H: 1, seed: 1 }, { threads: 0 })).toThrow(
        'threads must be an integer in [1, 16] (got 0)',
      );
    } finally {
      setKernelPreference('auto');
    }
  });
});

describe('loading the native module', () => {
  it('finds nothing where no build/Release/seqlab_kernels.node exists, and says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqlab-native-'));
    try {
      const got = loadNativeBinding(dir);
      expect(got.binding).toBeNull();
      expect(got.reason).toMatch(/build\/Release\/seqlab_kernels\.node is not built/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SEQLAB_KERNELS chooses the path, and a bad value names the variable and the allowed values', () => {
    const saved = process.env.SEQLAB_KERNELS;
    try {
      for (const v of ['native', 'wasm', 'js'] as const) {
        process.env.SEQLAB_KERNELS = v;
        expect(requestedKernelPath()).toBe(v);
      }
      process.env.SEQLAB_KERNELS = '';
      expect(requestedKernelPath()).toBe('auto');
      process.env.SEQLAB_KERNELS = 'avx';
      expect(() => requestedKernelPath()).toThrow('SEQLAB_KERNELS must be one of auto, native, wasm, js (got "avx")');
    } finally {
      if (saved === undefined) delete process.env.SEQLAB_KERNELS;
      else process.env.SEQLAB_KERNELS = saved;
    }
  });
});

describe('whole probes on every kernel path', () => {
  const paths: KernelPreference[] = [
    'js',
    ...(wasmSimdAvailable() ? (['wasm'] as const) : []),
    ...(native ? (['native', 'auto'] as const) : []),
  ];
  // Small batches and wide ones, so that 'auto' sends some products to each side. (No chaotic
  // RNN: there any two summation orders part ways after a few steps, whatever the kernels.)
  const configs = [
    { arch: 'lstm' as const, T: 40, N: 16, D: 16, H: 64, seed: 1, forgetBias: 1, fullGradients: true },
    { arch: 'lstm' as const, T: 30, N: 2, D: 3, H: 40, seed: 2, forgetBias: 4, whGain: 3, bScale: 2, fullGradients: true },
    { arch: 'lstm' as const, T: 12, N: 40, D: 5, H: 24, seed: 3, h0Scale: 1 },
    { arch: 'rnn' as const, T: 200, N: 9, D: 4, H: 70, seed: 4, whGain: 1.5, fullGradients: true },
    { arch: 'rnn' as const, T: 50, N: 64, D: 3, H: 33, seed: 5, whGain: 0.9, bScale: 3 },
  ];
  afterEach(() => setKernelPreference('auto'));

  function probeOn(p: KernelPreference, config: (typeof configs)[number]): ProbeResult {
    setKernelPreference(p);
    const { fullGradients, ...c } = config;
    return runProbe(c, { fullGradients });
  }

  it(`the paths run are named by kernelsInUse (${paths.join(', ')})`, () => {
    setKernelPreference('js');
    expect(kernelsInUse()).toBe('js');
    if (native) {
      setKernelPreference('native');
      expect(kernelsInUse()).toMatch(new RegExp(`^native ${native.isa()} \\(every product\\) \\+ wasm`));
    }
  });

  for (const config of configs) {
    it(`agree to 1e-12: ${JSON.stringify(config)}`, () => {
      const js = probeOn('js', config);
      for (const p of paths.slice(1)) {
        const got = probeOn(p, config);
        for (const key of ['dh', 'dWx', 'dWh', 'db', 'dc'] as const) {
          const want = js.lossStepNorms[key];
          if (!want) continue;
          const have = got.lossStepNorms[key]!;
          for (let k = 0; k < want.length; k++) {
            // log10 values: 1e-12 relative in the norm is about 4.3e-13 absolute in log10.
            if (!(Math.abs(have[k] - want[k]) <= 5e-13 || have[k] === want[k])) {
              throw new Error(`${p}: ${key}[${k}] is ${have[k]}, JS ${want[k]}`);
            }
          }
        }
        expect(Math.abs(got.forward.hFro - js.forward.hFro)).toBeLessThanOrEqual(1e-13 * js.forward.hFro);
        if (config.fullGradients) {
          for (const key of ['dWx', 'dWh', 'db', 'dh0', 'dx'] as const) {
            expect(Math.abs(got.fullGradNorms![key] - js.fullGradNorms![key]), `${p} fullGradNorms ${key}`).toBeLessThanOrEqual(
              1e-12 * js.fullGradNorms![key],
            );
          }
        }
      }
    });
  }
});
