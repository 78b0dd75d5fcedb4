// The WebAssembly SIMD elementwise kernels (activations, cell backward, norms' helpers) against
// the JS reference kernels of elementwise.ts / linalg.ts, and whole probes run both ways.
import { describe, expect, it } from 'vitest';
import { createWasmArena, wasmSimdAvailable, type Arena } from './wasmKernels';
import { jsKernels } from '../linalg';
import { sigmoidInPlace } from '../elementwise';
import { lanczosVectorDoubles, largestEigenvalue } from '../theory';
import { runProbe, type ProbeResult } from '../probe';
import { setKernelPreference } from '../workspace';
import type { StepNormsLog } from '../backward';
import { mulberry32 as rng } from '../testing/mulberry32';

/** Pre-activations of every kind: moderate, saturating (up to |a| = 800), tiny, and special. */
function mixedValue(u: () => number): number {
  const sign = u() < 0.5 ? -1 : 1;
  const kind = u();
  if (kind < 0.35) return sign * u() * 4;
  if (kind < 0.55) return sign * u() * 800;
  if (kind < 0.75) return sign * 10 ** (-8 - 292 * u()); // 1e-300 .. 1e-8
  if (kind < 0.85) return sign * (0.5 + (u() - 0.5) * 1e-6); // around the tanh branch point
  if (kind < 0.95) return sign * (30 + u() * 20); // sigmoid slopes near e^-40
  const special = [0, -0, Infinity, -Infinity, 5e-324, -5e-324, 745.2, -745.2, 372.6, 0.5, -0.5];
  return special[Math.floor(u() * special.length)];
}

const bits = new BigInt64Array(1);
const asDouble = new Float64Array(bits.buffer);
/** Distance in ulps between two doubles of the same sign (Infinity across signs or for one NaN). */
function ulps(a: number, b: number): number {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  if (Number.isNaN(a) || Number.isNaN(b) || Math.sign(a) !== Math.sign(b)) return Infinity;
  asDouble[0] = Math.abs(a);
  const x = bits[0];
  asDouble[0] = Math.abs(b);
  return Math.abs(Number(x - bits[0]));
}

function expectUlps(got: ArrayLike<number>, want: ArrayLike<number>, maxUlps: number, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (ulps(got[i], want[i]) > maxUlps) {
      throw new Error(`${what}: element ${i} is ${got[i]}, want ${want[i]} (${ulps(got[i], want[i])} ulps)`);
    }
  }
}

/** Views of the arena at odd offsets, each filled by fill (or left as it is). */
class Taker {
  private used = 3;
  constructor(private readonly arena: Arena) {}
  take(n: number, fill?: (i: number) => number): Float64Array {
    const v = this.arena.mem.subarray(this.used, this.used + n);
    this.used += n + 1;
    if (fill) for (let i = 0; i < n; i++) v[i] = fill(i);
    return v;
  }
}

describe.skipIf(!wasmSimdAvailable())('wasm SIMD elementwise kernels', () => {
  it('the activations match the JS ones bit for bit on 2M points (every kind of input, and a grid over [-800, 800])', () => {
    const u = rng(11);
    const n = 1 << 20;
    const arena = createWasmArena(12 * n + 64)!;
    const t = new Taker(arena);
    for (const [name, gen] of [
      ['mixed', () => mixedValue(u)],
      ['grid', (i: number) => -800 + (1600 * i) / n],
    ] as [string, (i: number) => number][]) {
      const A = t.take(n, gen);
      const slope = t.take(n);
      const Hs = t.take(n);
      const js = [new Float64Array(n), new Float64Array(n)];
      jsKernels.rnnForwardStep(A, 0, js[1], 0, js[0], 0, n);
      arena.kernels.rnnForwardStep(A, 0, slope, 0, Hs, 0, n);
      expectUlps(Hs, js[0], 0, `tanh (${name})`);
      expectUlps(slope, js[1], 0, `tanh' (${name})`);
      // The sigmoids: through an LSTM step of one row whose gates are all of A (H = n / 4).
      const sig = [A.slice(), new Float64Array(n)];
      for (let i = 0; i < n; i++) sigmoidInPlace(sig[0], sig[1], i);
      const C = t.take(n / 4);
      const coef = t.take((6 * n) / 4);
      arena.kernels.lstmForwardStep(A, 0, slope, C, 0, Hs, 0, coef, 0, 1, n / 4, false);
      expectUlps(A.subarray(0, (3 * n) / 4), sig[0].subarray(0, (3 * n) / 4), 0, `sigmoid (${name})`);
      expectUlps(slope.subarray(0, (3 * n) / 4), sig[1].subarray(0, (3 * n) / 4), 0, `sigmoid' (${name})`);
    }
  });

  it('lstmForwardStep matches the JS step (odd sizes, offsets, with and without a previous cell)', () => {
    const u = rng(13);
    const arena = createWasmArena(1 << 20)!;
    for (const [N, H] of [
      [1, 1],
      [1, 2],
      [2, 3],
      [3, 5],
      [16, 64],
      [5, 7],
      [4, 33],
    ]) {
      for (const hasPrev of [false, true]) {
        const t = new Taker(arena);
        const G = 4 * H;
        const aOff = 2 * G + 1;
        const cOff = 3;
        const hOff = N * H + 1;
        const kOff = 5;
        const A = t.take(aOff + N * G + 2, () => mixedValue(u));
        const slope = t.take(A.length, () => -9);
        const C = t.take(cOff + N * H + 2, () => mixedValue(u) / 4);
        const Hs = t.take(hOff + N * H + 2, () => -9);
        const coef = t.take(kOff + 6 * N * H + 2, () => -9);
        const js = [A, slope, C, Hs, coef].map((v) => v.slice());
        jsKernels.lstmForwardStep(js[0], aOff, js[1], js[2], cOff, js[3], hOff, js[4], kOff, N, H, hasPrev);
        arena.kernels.lstmForwardStep(A, aOff, slope, C, cOff, Hs, hOff, coef, kOff, N, H, hasPrev);
        const what = `lstmForwardStep N=${N} H=${H} hasPrev=${hasPrev}`;
        // The whole views, so nothing outside the step's ranges may change either.
        expectUlps(A, js[0], 0, `${what} act`);
        expectUlps(slope, js[1], 0, `${what} slope`);
        expectUlps(C, js[2], 0, `${what} C`);
        expectUlps(Hs, js[3], 0, `${what} Hs`);
        expectUlps(coef, js[4], 0, `${what} coefficients`);
      }
    }
  });

  it('rnnForwardStep matches the JS tanh and slope on every kind of input, and leaves A as it is', () => {
    const u = rng(14);
    const arena = createWasmArena(1 << 20)!;
    for (const len of [0, 1, 2, 3, 7, 64, 1023, 100_000]) {
      const t = new Taker(arena);
      const aOff = len % 5;
      const A = t.take(aOff + len + 1, () => mixedValue(u));
      const slope = t.take(len + 3, () => -9);
      const Hs = t.take(len + 4, () => -9);
      const js = [A, slope, Hs].map((v) => v.slice());
      jsKernels.rnnForwardStep(js[0], aOff, js[1], 1, js[2], 2, len);
      arena.kernels.rnnForwardStep(A, aOff, slope, 1, Hs, 2, len);
      expectUlps(A, js[0], 0, `rnnForwardStep len=${len} A`);
      expectUlps(slope, js[1], 0, `rnnForwardStep len=${len} slope`);
      expectUlps(Hs, js[2], 0, `rnnForwardStep len=${len} Hs`);
    }
  });

  it('columnSums matches the JS loop bit for bit for any width', () => {
    const u = rng(18);
    const arena = createWasmArena(1 << 16)!;
    for (const [N, G] of [
      [1, 1],
      [2, 3],
      [5, 1],
      [16, 256],
      [3, 33],
      [0, 4],
      [7, 0],
    ]) {
      const t = new Taker(arena);
      const da = t.take(N * G, () => (u() - 0.5) * 10 ** (10 * u() - 5));
      const out = t.take(G + 1, () => -9);
      const want = out.slice();
      jsKernels.columnSums(da, N, G, want);
      arena.kernels.columnSums(da, N, G, out);
      expectUlps(out, want, 0, `columnSums N=${N} G=${G}`);
    }
  });

  it('columnSums matches the JS loop bit for bit on tall inputs (every step of a probe)', () => {
    const u = rng(19);
    const arena = createWasmArena(1 << 18)!;
    for (const [N, G] of [
      [4096, 9],
      [1024, 16],
      [2048, 17],
      [300, 256],
    ]) {
      const t = new Taker(arena);
      const da = t.take(N * G, () => (u() - 0.5) * 10 ** (20 * u() - 10));
      const out = t.take(G + 1, () => -9);
      const want = out.slice();
      jsKernels.columnSums(da, N, G, want);
      arena.kernels.columnSums(da, N, G, out);
      expectUlps(out, want, 0, `columnSums N=${N} G=${G}`);
    }
  });

  it('symv matches the JS loop bit for bit on symmetric matrices of any size', () => {
    const u = rng(20);
    const arena = createWasmArena(1 << 16)!;
    for (const n of [0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 64, 67]) {
      const t = new Taker(arena);
      const S = t.take(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = i; j < n; j++) S[i * n + j] = S[j * n + i] = (u() - 0.5) * 10 ** (6 * u() - 3);
      }
      const v = t.take(n, () => (u() - 0.5) * 10 ** (6 * u() - 3));
      const out = t.take(n + 1, () => -9);
      const want = out.slice();
      jsKernels.symv(S, n, v, want);
      arena.kernels.symv(S, n, v, out);
      expectUlps(out, want, 0, `symv n=${n}`);
      // The JS loop is the plain dot product of each row with v, in order.
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += S[i * n + j] * v[j];
        expect(want[i]).toBe(s);
      }
    }
  });

  it('largestEigenvalue with the wasm kernels equals the JS one exactly', () => {
    const u = rng(21);
    for (const n of [1, 5, 16, 64]) {
      const vectors = lanczosVectorDoubles(n, 300);
      const arena = createWasmArena(n * n + vectors + n * n + 8)!;
      const S = arena.mem.subarray(0, n * n);
      const W = Array.from({ length: n * 3 * n }, () => u() - 0.5);
      for (let i = 0; i < n; i++) {
        for (let j = i; j < n; j++) {
          let s = 0;
          for (let k = 0; k < 3 * n; k++) s += W[i * 3 * n + k] * W[j * 3 * n + k];
          S[i * n + j] = S[j * n + i] = s;
        }
      }
      const want = largestEigenvalue(S.slice(), n);
      const basis = arena.mem.subarray(n * n + vectors, n * n + vectors + n * n);
      expect(largestEigenvalue(S, n, 300, arena.kernels, arena.mem.subarray(n * n, n * n + vectors), basis)).toBe(want);
    }
  });

  it('addBias matches the JS loop bit for bit (odd widths, offsets)', () => {
    const u = rng(17);
    const arena = createWasmArena(1 << 18)!;
    for (const [rows, G] of [
      [1, 1],
      [3, 5],
      [7, 4],
      [16, 256],
      [5, 33],
      [0, 3],
    ]) {
      const t = new Taker(arena);
      const aOff = G + 1;
      const A = t.take(aOff + rows * G + 2, () => (u() - 0.5) * 10);
      const b = t.take(G, () => (u() - 0.5) * 10);
      const want = A.slice();
      jsKernels.addBias(want, aOff, rows, G, b);
      arena.kernels.addBias(A, aOff, rows, G, b);
      expectUlps(A, want, 0, `addBias rows=${rows} G=${G}`);
    }
  });

  it('the activations are exact where saturated and keep their sign and symmetry', () => {
    const arena = createWasmArena(1024)!;
    const t = new Taker(arena);
    const xs = [0, -0, 1e-300, -1e-300, 0.25, -0.25, 0.5, -0.5, 20, -20, 360, -360, 800, -800];
    const a = t.take(xs.length, (i) => xs[i]);
    const slope = t.take(xs.length);
    const A = t.take(xs.length);
    arena.kernels.rnnForwardStep(a, 0, slope, 0, A, 0, xs.length);
    expect(A[0]).toBe(0);
    expect(A[1]).toBe(-0); // the sign bit of a, as Math.tanh
    for (let i = 2; i < xs.length; i += 2) {
      expect(A[i + 1]).toBe(-A[i]);
      expect(slope[i + 1]).toBe(slope[i]);
    }
    expect(A[2]).toBe(1e-300);
    expect(slope[2]).toBe(1);
    // tanh'(20) = 4e^-40 / (1 + e^-40)^2 and tanh'(360) = 4e^-720 (a subnormal), from exp itself.
    expect(ulps(slope[8], (4 * Math.exp(-40)) / (1 + Math.exp(-40)) ** 2)).toBeLessThanOrEqual(1);
    expect(slope[10]).toBeGreaterThan(0);
    expect(ulps(slope[10], 4 * Math.exp(-720))).toBeLessThanOrEqual(1);
    expect(slope[12]).toBe(0); // e^-1600 underflows
    expect(A[12]).toBe(1);
  });

  it('the backward kernels match the JS ones bit for bit (odd sizes and offsets)', () => {
    const u = rng(15);
    const r = () => (u() - 0.5) * 4;
    const arena = createWasmArena(1 << 20)!;
    for (const [N, H] of [
      [1, 1],
      [2, 3],
      [3, 5],
      [16, 64],
      [5, 7],
    ]) {
      const t = new Taker(arena);
      const G = 4 * H;
      const NH = N * H;
      const kOff = 6 * H + 3;
      const coef = t.take(kOff + 6 * NH + 1, r);
      const slope = t.take(NH + 2, r);
      const dh = t.take(NH, r);
      const dcFuture = t.take(NH, r);
      const dct = t.take(NH + 1, () => -9);
      const da = t.take(N * G + 1, () => -9);
      const jsDct = dct.slice();
      const jsDa = da.slice();
      jsKernels.lstmCellBackward(coef, kOff, dh, dcFuture, jsDct, jsDa, N, H);
      arena.kernels.lstmCellBackward(coef, kOff, dh, dcFuture, dct, da, N, H);
      const what = `N=${N} H=${H}`;
      expectUlps(dct, jsDct, 0, `lstmCellBackward dct ${what}`);
      expectUlps(da, jsDa, 0, `lstmCellBackward da ${what}`);

      const dcf = t.take(NH + 1, () => -9);
      const jsDcf = dcf.slice();
      jsKernels.lstmCarry(dct, coef, kOff, jsDcf, N, H);
      arena.kernels.lstmCarry(dct, coef, kOff, dcf, N, H);
      expectUlps(dcf, jsDcf, 0, `lstmCarry ${what}`);

      const daR = t.take(NH + 1, () => -9);
      const jsDaR = daR.slice();
      jsKernels.rnnCellBackward(dh, slope, 2, jsDaR, NH);
      arena.kernels.rnnCellBackward(dh, slope, 2, daR, NH);
      expectUlps(daR, jsDaR, 0, `rnnCellBackward ${what}`);

      const cols = t.take(G + 1, () => -9);
      const jsCols = cols.slice();
      jsKernels.columnSums(da, N, G, jsCols);
      arena.kernels.columnSums(da, N, G, cols);
      expectUlps(cols, jsCols, 0, `columnSums ${what}`);
    }
  });

  it('maxAbs, scale and sumSquares match the JS loops (NaN, -0, subnormals, odd lengths)', () => {
    const u = rng(16);
    const arena = createWasmArena(1 << 18)!;
    for (const len of [0, 1, 2, 3, 4, 5, 17, 1024, 16_385]) {
      for (const kind of ['normal', 'tiny', 'nan', 'zero']) {
        const t = new Taker(arena);
        const off = len % 3;
        const v = t.take(off + len + 1, () => {
          if (kind === 'tiny') return (u() - 0.5) * 2 ** -1060;
          if (kind === 'zero') return u() < 0.5 ? 0 : -0;
          if (kind === 'nan' && u() < 0.1) return NaN;
          return (u() - 0.5) * 10 ** (20 * u() - 10);
        });
        const what = `len=${len} ${kind}`;
        expect(arena.kernels.maxAbs(v, off, len), `maxAbs ${what}`).toBe(jsKernels.maxAbs(v, off, len));
        for (const f of [1, 2 ** 600, 2 ** -1000, 3.5]) {
          const want = jsKernels.sumSquares(v, off, len, f);
          const got = arena.kernels.sumSquares(v, off, len, f);
          // The same terms summed in another order: relative error below len * 2^-52.
          if (got !== want && !(Number.isNaN(want) && Number.isNaN(got))) {
            expect(Math.abs(got - want), `sumSquares ${what} f=${f}`).toBeLessThanOrEqual(want * len * 2 ** -52);
          }
          const w = v.slice();
          jsKernels.scale(w, off, len, f);
          const s = t.take(v.length, (i) => v[i]);
          arena.kernels.scale(s, off, len, f);
          expectUlps(s, w, 0, `scale ${what} f=${f}`);
        }
      }
    }
  });

  it('rejects views outside the live arena', () => {
    const arena = createWasmArena(256)!;
    const k = arena.kernels;
    const v = arena.mem.subarray(0, 16);
    const js = new Float64Array(16);
    expect(() => k.rnnForwardStep(js, 0, v, 0, v, 0, 4)).toThrow(RangeError);
    expect(() => k.rnnForwardStep(v, 14, v, 0, v, 0, 4)).toThrow(RangeError);
    expect(() => k.lstmForwardStep(v, 0, v, v, 0, v, 0, v, 12, 1, 1, true)).toThrow(RangeError); // coefficients past the view
    expect(() => k.lstmCellBackward(v, 0, v, v, v, js, 1, 2)).toThrow(RangeError);
    expect(() => k.maxAbs(js, 0, 4)).toThrow(RangeError);
    expect(() => k.sumSquares(v, 10, 7, 1)).toThrow(RangeError);
    expect(() => k.columnSums(v, 2, 9, v)).toThrow(RangeError);
  });
});

function expectSameNorms(a: StepNormsLog, b: StepNormsLog, what: string): void {
  for (const key of ['dh', 'dWx', 'dWh', 'db', 'dc'] as const) {
    const x = a[key];
    const y = b[key];
    if (!x || !y) {
      expect(x, `${what} ${key}`).toBe(y);
      continue;
    }
    for (let k = 0; k < x.length; k++) {
      // log10 norms: an absolute difference of 1e-12 is a relative one of ~2.3e-12 in the norm.
      if (x[k] === y[k]) continue;
      if (!(Math.abs(x[k] - y[k]) <= 1e-12 * Math.max(1, Math.abs(y[k])))) {
        throw new Error(`${what} ${key}[${k}]: wasm ${x[k]}, js ${y[k]}`);
      }
    }
  }
}

describe.skipIf(!wasmSimdAvailable())('probes with wasm and with JS kernels', () => {
  const configs = [
    { arch: 'lstm' as const, T: 60, N: 3, D: 5, H: 7, seed: 1, forgetBias: 1, fullGradients: true },
    { arch: 'lstm' as const, T: 200, N: 4, D: 3, H: 16, seed: 2, forgetBias: 4, whGain: 3, bScale: 2 },
    { arch: 'lstm' as const, T: 40, N: 2, D: 2, H: 5, seed: 3, forgetBias: -2, h0Scale: 1, fullGradients: true },
    { arch: 'rnn' as const, T: 80, N: 3, D: 4, H: 9, seed: 4, whGain: 1.5, fullGradients: true },
    { arch: 'rnn' as const, T: 300, N: 2, D: 3, H: 5, seed: 5, whGain: 6, bScale: 3 },
  ];
  for (const { fullGradients, ...config } of configs) {
    it(`agree to 1e-12: ${JSON.stringify(config)}`, () => {
      let js: ProbeResult;
      try {
        setKernelPreference('js');
        js = runProbe(config, { fullGradients });
      } finally {
        setKernelPreference('auto');
      }
      const wasm = runProbe(config, { fullGradients });
      expectSameNorms(wasm.lossStepNorms, js.lossStepNorms, 'lossStepNorms');
      expect(Math.abs(wasm.forward.hFro - js.forward.hFro)).toBeLessThanOrEqual(1e-13 * js.forward.hFro);
      if (fullGradients) {
        for (const key of ['dWx', 'dWh', 'db', 'dh0', 'dx'] as const) {
          const x = wasm.fullGradNorms![key];
          const y = js.fullGradNorms![key];
          expect(Math.abs(x - y), `fullGradNorms ${key}`).toBeLessThanOrEqual(1e-12 * y);
        }
      }
    });
  }
});
