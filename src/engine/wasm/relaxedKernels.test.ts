// The relaxed-SIMD build of the kernels (f64x2.relaxed_madd in the products, see
// scripts/codegen/build-wasm-kernels.mjs). Node 20 has relaxed SIMD only behind
// --experimental-wasm-relaxed-simd, which NODE_OPTIONS does not accept, so this file checks the
// fused kernels in a child `node --experimental-wasm-relaxed-simd` against triple loops, whatever
// flags the test process itself runs with.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { wasmKernelVariant } from './wasmKernels';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernelsBinary';

const root = join(import.meta.dirname, '..', '..', '..');
const FLAG = '--experimental-wasm-relaxed-simd';

function decode(base64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/** Whether this node accepts the flag at all (unknown flags are fatal). */
function nodeAcceptsFlag(): boolean {
  return spawnSync(process.execPath, [FLAG, '-e', '0']).status === 0;
}

// Runs in the child: every product kernel on several shapes at odd offsets, each output compared
// with a triple loop; prints the variant and the largest error relative to the sum of the terms'
// magnitudes (the bound the in-process tests use is 1e-14).
const CHILD = `
const { createWasmArena, wasmKernelVariant } = await import(${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'wasmKernels.ts')).href)});
let s = 12345;
const rnd = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 2147483648 - 1; };
const arena = createWasmArena(1 << 20);
const mem = arena.mem, k = arena.kernels;
let used = 0;
const take = (n) => { used += 3; const v = mem.subarray(used, used + n); used += n; for (let i = 0; i < n; i++) v[i] = rnd(); return v; };
let worst = 0, checked = 0;
const check = (got, terms) => {
  // terms: [old value, a1, b1, a2, b2, ...]; the reference sums in order.
  let want = terms[0], scale = Math.abs(terms[0]);
  for (let i = 1; i < terms.length; i += 2) { want += terms[i] * terms[i + 1]; scale += Math.abs(terms[i] * terms[i + 1]); }
  const err = Math.abs(got - want);
  if (err !== 0) worst = Math.max(worst, err / scale);
  checked++;
};
const shapes = [[1, 1, 1], [3, 5, 7], [4, 4, 4], [5, 9, 6], [7, 2, 11], [13, 17, 19], [16, 64, 256], [16, 256, 64], [17, 63, 255], [64, 16, 257]];
for (const [M, K, P] of shapes) {
  used = 0;
  const A = take(M * K), B = take(K * P), O = take(M * P);
  for (const acc of [true, false]) {
    const before = O.slice();
    (acc ? k.gemmAcc : k.gemm)(O, 0, A, 0, B, 0, M, K, P);
    for (let m = 0; m < M; m++) for (let p = 0; p < P; p++) {
      const t = [acc ? before[m * P + p] : 0];
      for (let q = 0; q < K; q++) t.push(A[m * K + q], B[q * P + p]);
      check(O[m * P + p], t);
    }
  }
  // transposeTimesAcc: out[K x P] += A^T @ da with A = M rows of K, da = M x P.
  const T = take(K * P), Tb = T.slice();
  k.transposeTimesAcc(A, 0, K, O, M, P, T);
  for (let r = 0; r < K; r++) for (let p = 0; p < P; p++) {
    const t = [Tb[r * P + p]];
    for (let n = 0; n < M; n++) t.push(A[n * K + r], O[n * P + p]);
    check(T[r * P + p], t);
  }
  // gramUpper of A's M rows of K.
  const G = take(M * M);
  k.gramUpper(G, A, 0, M, K);
  for (let r = 0; r < M; r++) for (let q = r; q < M; q++) {
    const t = [0];
    for (let i = 0; i < K; i++) t.push(A[r * K + i], A[q * K + i]);
    check(G[r * M + q], t);
  }
}
console.log(JSON.stringify({ variant: wasmKernelVariant(), worst, checked }));
`;

describe('relaxed-SIMD kernels', () => {
  it('both builds are wasm modules; the relaxed one is chosen exactly when the runtime validates it', () => {
    const plain = decode(KERNELS_WASM_BASE64);
    const relaxed = decode(KERNELS_RELAXED_WASM_BASE64);
    expect(Array.from(plain.subarray(0, 4))).toEqual([0, 0x61, 0x73, 0x6d]);
    expect(Array.from(relaxed.subarray(0, 4))).toEqual([0, 0x61, 0x73, 0x6d]);
    expect(WebAssembly.validate(plain)).toBe(true);
    expect(wasmKernelVariant()).toBe(WebAssembly.validate(relaxed) ? 'relaxed-simd' : 'simd');
  });

  it.skipIf(!nodeAcceptsFlag())(`under ${FLAG} the fused kernels load and match triple loops`, () => {
    const res = spawnSync(process.execPath, [FLAG, '--import', 'tsx', '--input-type=module', '-e', CHILD], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const out = JSON.parse(res.stdout.trim().split('\n').pop()!) as { variant: string; worst: number; checked: number };
    expect(out.variant).toBe('relaxed-simd');
    expect(out.checked).toBeGreaterThan(100_000);
    expect(out.worst).toBeLessThanOrEqual(1e-14);
  });
});
