// The plain-JS helpers of linalg.ts that no kernel path replaces.
import { describe, expect, it } from 'vitest';
import { absColumnSums, gemm, gemmAcc, gemmPaired, jsKernels, packedDoubles, packsWeights, transposeInto } from './linalg';
import { mulberry32 } from './testing/mulberry32';

function random(n: number, seed: number): Float64Array {
  const u = mulberry32(seed);
  return Float64Array.from({ length: n }, () => u() * 2 - 1);
}

describe('absColumnSums', () => {
  it('sums each column of magnitudes over ascending rows, as the column-by-column loop does, over what out held', () => {
    const [rows, cols] = [37, 11];
    const src = Float64Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 1.7) * 10 ** ((i % 7) - 3));
    const out = new Float64Array(cols).fill(99);
    absColumnSums(src, rows, cols, out);
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += Math.abs(src[i * cols + j]);
      expect(out[j]).toBe(s);
    }
  });
});

describe('transposeInto', () => {
  it('transposes every shape, tile edges included (1 to 70 rows and columns)', () => {
    for (const [rows, cols] of [
      [1, 1],
      [1, 70],
      [70, 1],
      [31, 33],
      [32, 64],
      [65, 47],
    ]) {
      const src = random(rows * cols, rows * 100 + cols);
      const dst = new Float64Array(rows * cols).fill(NaN);
      transposeInto(dst, src, rows, cols);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(dst[j * rows + i]).toBe(src[i * cols + j]);
    }
  });
});

describe('gemmPaired and prepareWeights (JS)', () => {
  it('is gemm or gemmAcc of B, bit for bit, whatever Bt holds; the JS kernels never pack', () => {
    const [M, K, P] = [3, 5, 7];
    const A = random(M * K, 1),
      B = random(K * P, 2),
      start = random(M * P, 3);
    const junk = new Float64Array(P * K).fill(NaN);
    for (const accumulate of [false, true]) {
      const want = start.slice();
      (accumulate ? gemmAcc : gemm)(want, 0, A, 0, B, 0, M, K, P);
      const got = start.slice();
      const W = jsKernels.prepareWeights(B, junk, K, P, M);
      expect(W.packed).toBeNull();
      gemmPaired(accumulate, got, 0, A, 0, W, M);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });

  it('packs for batches of 5 or more against B of 8192 to 8M doubles', () => {
    expect(packsWeights(16, 64, 256)).toBe(true); // 16384 doubles: rows 2 KiB apart, packed
    expect(packsWeights(16, 16, 64)).toBe(false); // 1024 doubles: read in place
    expect(packsWeights(16, 256, 1024)).toBe(true);
    expect(packsWeights(4, 256, 1024)).toBe(false); // dot products
    expect(packsWeights(64, 256, 1024)).toBe(true);
    expect(packsWeights(256, 1024, 1024)).toBe(true); // a batch past one 144-row block packed B twice a product
    expect(packsWeights(16, 1024, 8192)).toBe(true);
    expect(packsWeights(16, 1024, 8193)).toBe(false); // past 64 MiB
    expect(packedDoubles(3, 9)).toBe(48);
  });
});
