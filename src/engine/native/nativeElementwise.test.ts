// The native elementwise kernels (elementwise.c) against their JS references (elementwise.ts,
// maxAbs of linalg.ts), bit for bit (sumSquares against its lanes, elementwise.h), on each
// instruction set the CPU runs and on the portable one ('generic'):
// random shapes with odd sizes (so the vector loops' scalar tails run), inputs of every kind
// (saturating, tiny, subnormal, signed zeros, infinities, NaN), at offsets inside larger arrays
// whose other elements must stay untouched; then the same kernels through the engine's Kernels
// (withNativeProducts) and the native argument checks.
import { afterEach, describe, expect, it } from 'vitest';
import { jsKernels, maxAbs } from '../linalg';
import {
  LSTM_COEFFICIENTS,
  addBias,
  columnSums,
  forgetStep,
  lstmCarry,
  lstmCellBackward,
  lstmForwardStep,
  rnnCellBackward,
  rnnForwardStep,
  scale,
  sumSquares,
} from '../elementwise';
import { mulberry32 } from '../testing/mulberry32';
import { nativeBinding, nativeUnavailableReason, withNativeProducts, type NativeBinding } from './nativeKernels';

const native = nativeBinding();
const skipReason =
  native === null
    ? `the native module is not built (${nativeUnavailableReason()})`
    : native.lstmForwardStep === undefined
      ? 'the native module was built before its elementwise kernels (rebuild it: npx node-gyp rebuild)'
      : '';
if (skipReason !== '') console.warn(`[nativeElementwise.test] skipped: ${skipReason}`);

/** Values of every kind: moderate, saturating (up to |a| = 800), tiny and subnormal, special. */
function mixedValue(u: () => number): number {
  const sign = u() < 0.5 ? -1 : 1;
  const kind = u();
  if (kind < 0.35) return sign * u() * 4;
  if (kind < 0.55) return sign * u() * 800;
  if (kind < 0.7) return sign * 10 ** (-8 - 300 * u()); // 1e-308 .. 1e-8
  if (kind < 0.8) return sign * (350 + u() * 50); // -2|a| around exp's clamp at -746
  if (kind < 0.9) return sign * (700 + u() * 50); // e^-|a| subnormal or below the clamp
  const special = [0, -0, 0, -0, Infinity, -Infinity, NaN, 5e-324, -5e-324, 745.2, -745.2, 372.6, 0.5, -0.5];
  return special[Math.floor(u() * special.length)];
}

/** `pad` elements, then n mixed values, then `pad` more: a range at offset `pad` in a larger array. */
function padded(n: number, pad: number, u: () => number): Float64Array {
  const v = new Float64Array(n + 2 * pad);
  for (let i = 0; i < v.length; i++) v[i] = mixedValue(u);
  return v;
}

/** Element by element with Object.is: the same value, sign of zero included, or both NaN. */
function expectSameBits(got: Float64Array, want: Float64Array, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) throw new Error(`${what}[${i}] is ${got[i]}, want ${want[i]}`);
  }
}

/** Random shapes: N in 1..17, H in 1..70 (most not multiples of 4), and the edges of both. */
function shapes(seed: number): [number, number][] {
  const u = mulberry32(seed);
  const list: [number, number][] = [
    [1, 1],
    [1, 3],
    [2, 4],
    [17, 70],
    [16, 64],
    [3, 5],
  ];
  for (let i = 0; i < 14; i++) list.push([1 + Math.floor(u() * 17), 1 + Math.floor(u() * 70)]);
  return list;
}

const PAD = 5;

describe.skipIf(skipReason !== '')('native elementwise kernels, bit for bit against elementwise.ts', () => {
  const n = native as NativeBinding;
  const best = native?.isa() ?? '';
  afterEach(() => {
    n.useIsa(best);
  });

  for (const isa of native?.isas?.() ?? [...new Set([best, 'generic'])]) {
    it(`${isa}: rnnForwardStep`, () => {
      expect(n.useIsa(isa)).toBe(true);
      const u = mulberry32(1);
      for (const [N, H] of shapes(11)) {
        const len = N * H;
        const A = padded(len, PAD, u);
        const before = A.slice();
        const slope = padded(len, PAD + 2, u);
        const Hs = padded(len, PAD + 1, u);
        const wantSlope = slope.slice();
        const wantHs = Hs.slice();
        rnnForwardStep(A, PAD, wantSlope, PAD + 2, wantHs, PAD + 1, len);
        n.rnnForwardStep!(len, A, PAD, slope, PAD + 2, Hs, PAD + 1);
        const at = `${isa} N=${N} H=${H}`;
        expectSameBits(Hs, wantHs, `${at} Hs`);
        expectSameBits(slope, wantSlope, `${at} slope`);
        expectSameBits(A, before, `${at} A (read only)`);
      }
    });

    for (const hasPrev of [true, false]) {
      it(`${isa}: lstmForwardStep, hasPrev ${hasPrev}`, () => {
        expect(n.useIsa(isa)).toBe(true);
        const u = mulberry32(hasPrev ? 2 : 3);
        for (const [N, H] of shapes(hasPrev ? 12 : 13)) {
          const NH = N * H;
          const A = padded(4 * NH, PAD, u);
          const slope = padded(4 * NH, PAD, u); // slope shares A's offset, as in elementwise.ts
          const C = padded(NH, PAD + 3, u);
          if (!hasPrev) C.fill(NaN, PAD + 3, PAD + 3 + NH); // never read: c_{t-1} is 0
          const Hs = padded(NH, PAD + 1, u);
          const coef = padded(LSTM_COEFFICIENTS * NH, PAD + 2, u);
          const want = [A, slope, C, Hs, coef].map((v) => v.slice());
          lstmForwardStep(want[0], PAD, want[1], want[2], PAD + 3, want[3], PAD + 1, want[4], PAD + 2, N, H, hasPrev);
          n.lstmForwardStep!(N, H, hasPrev, A, PAD, slope, PAD, C, PAD + 3, Hs, PAD + 1, coef, PAD + 2);
          const at = `${isa} N=${N} H=${H}`;
          ['A', 'slope', 'C', 'Hs', 'coef'].forEach((name, i) =>
            expectSameBits([A, slope, C, Hs, coef][i], want[i], `${at} ${name}`),
          );
        }
      });
    }

    it(`${isa}: the activations on a grid over [-800, 800], every power of two and random bit patterns`, () => {
      expect(n.useIsa(isa)).toBe(true);
      const points: number[] = [];
      for (let i = 0; i <= 1 << 16; i++) points.push(-800 + (1600 * i) / (1 << 16));
      for (let e = -1074; e <= 1023; e++) points.push(2 ** e, -(2 ** e));
      const u = mulberry32(8);
      const bits = new Uint32Array(2 * 4096);
      for (let i = 0; i < bits.length; i++) bits[i] = Math.floor(u() * 2 ** 32);
      points.push(...new Float64Array(bits.buffer)); // NaNs with payloads, subnormals, huge values
      const H = points.length;
      const A = new Float64Array(4 * H);
      for (let b = 0; b < 4; b++) A.set(points, b * H); // each point as every gate
      const C = Float64Array.from(points, (x) => x / 3);
      const got = [A.slice(), new Float64Array(4 * H), C.slice(), new Float64Array(H), new Float64Array(6 * H)];
      const want = got.map((v) => v.slice());
      lstmForwardStep(want[0], 0, want[1], want[2], 0, want[3], 0, want[4], 0, 1, H, true);
      n.lstmForwardStep!(1, H, true, got[0], 0, got[1], 0, got[2], 0, got[3], 0, got[4], 0);
      ['A', 'slope', 'C', 'Hs', 'coef'].forEach((name, i) => expectSameBits(got[i], want[i], `${isa} ${name}`));
      const tanh = [new Float64Array(H), new Float64Array(H)];
      const wantTanh = tanh.map((v) => v.slice());
      rnnForwardStep(A, 0, wantTanh[0], 0, wantTanh[1], 0, H);
      n.rnnForwardStep!(H, A, 0, tanh[0], 0, tanh[1], 0);
      expectSameBits(tanh[0], wantTanh[0], `${isa} tanh' slope`);
      expectSameBits(tanh[1], wantTanh[1], `${isa} tanh`);
    });

    it(`${isa}: lstmCellBackward`, () => {
      expect(n.useIsa(isa)).toBe(true);
      const u = mulberry32(4);
      for (const [N, H] of shapes(14)) {
        const NH = N * H;
        const coef = padded(LSTM_COEFFICIENTS * NH, PAD, u);
        const dh = padded(NH, 0, u);
        const dcFuture = padded(NH, 0, u);
        if (NH > 2 && NH % 3 === 0) dcFuture[NH - 2] = NaN; // skipped by the maxima, as by maxAbs
        const dct = padded(NH, 0, u);
        const da = padded(4 * NH, 0, u);
        const wantDct = dct.slice();
        const wantDa = da.slice();
        lstmCellBackward(coef, PAD, dh, dcFuture, wantDct, wantDa, N, H);
        // Offsets for dh .. da too: the same values from one array holding all four at once.
        const joined = new Float64Array(3 + 7 * NH);
        joined.set(dh, 1);
        joined.set(dcFuture, 1 + NH);
        joined.set(dct, 2 + 2 * NH);
        joined.set(da, 3 + 3 * NH);
        const maxima = n.lstmCellBackward!(N, H, coef, PAD, joined, 1, joined, 1 + NH, joined, 2 + 2 * NH, joined, 3 + 3 * NH);
        const at = `${isa} N=${N} H=${H}`;
        // The maxima the fused backward step takes from the kernel instead of two maxAbs passes.
        expect(maxima, `${at} maxima`).toEqual([maxAbs(wantDct, 0, NH), maxAbs(wantDa, 0, 4 * NH)]);
        expectSameBits(joined.slice(2 + 2 * NH, 2 + 3 * NH), wantDct, `${at} dct`);
        expectSameBits(joined.slice(3 + 3 * NH), wantDa, `${at} da`);
        expectSameBits(joined.slice(1, 1 + NH), dh, `${at} dh (read only)`);
      }
    });

    it(`${isa}: the cell steps' maxima of |dct| and |da| on finite values (with the special ones above, they are mostly infinite)`, () => {
      expect(n.useIsa(isa)).toBe(true);
      const u = mulberry32(19);
      const finite = (len: number) => Float64Array.from({ length: len }, () => (u() * 2 - 1) * 4);
      for (const [N, H] of shapes(20)) {
        const NH = N * H;
        const [coef, dh, dcFuture, dct, da] = [
          finite(6 * NH),
          finite(NH),
          finite(NH),
          new Float64Array(NH),
          new Float64Array(4 * NH),
        ];
        if (NH % 5 === 0) dh[0] = NaN; // skipped, as by maxAbs
        const at = `${isa} N=${N} H=${H}`;
        const maxima = n.lstmCellBackward!(N, H, coef, 0, dh, 0, dcFuture, 0, dct, 0, da, 0);
        expect(maxima, `${at} LSTM`).toEqual([maxAbs(dct, 0, NH), maxAbs(da, 0, 4 * NH)]);
        expect(n.rnnCellBackward!(NH, dh, 0, dcFuture, 0, dct, 0), `${at} RNN`).toBe(maxAbs(dct, 0, NH));
      }
    });

    it(`${isa}: lstmCarry`, () => {
      expect(n.useIsa(isa)).toBe(true);
      const u = mulberry32(5);
      for (const [N, H] of shapes(15)) {
        const NH = N * H;
        const coef = padded(LSTM_COEFFICIENTS * NH, PAD, u);
        const dct = padded(NH, 2, u);
        const dcFuture = padded(NH, 3, u);
        const want = dcFuture.slice();
        lstmCarry(dct.subarray(2), coef, PAD, want.subarray(3), N, H);
        n.lstmCarry!(N, H, dct, 2, coef, PAD, dcFuture, 3);
        expectSameBits(dcFuture, want, `${isa} N=${N} H=${H} dcFuture`);
      }
    });

    it(`${isa}: rnnCellBackward`, () => {
      expect(n.useIsa(isa)).toBe(true);
      const u = mulberry32(17);
      for (const [N, H] of shapes(18)) {
        const len = N * H;
        const dh = padded(len, 1, u);
        const slope = padded(len, PAD, u);
        const da = padded(len, 2, u);
        const want = da.slice();
        if (len > 2 && len % 3 === 0) dh[len - 1] = NaN;
        rnnCellBackward(dh.subarray(1), slope, PAD, want.subarray(2), len);
        const max = n.rnnCellBackward!(len, dh, 1, slope, PAD, da, 2);
        expectSameBits(da, want, `${isa} N=${N} H=${H} da`);
        expect(max, `${isa} N=${N} H=${H} max |da|`).toBe(maxAbs(want, 2, len));
      }
    });

    it(`${isa}: forgetStep, its running products and the values it lists for log2`, () => {
      expect(n.useIsa(isa)).toBe(true);
      const u = mulberry32(19);
      // Gates of every kind forgetStep tells apart: ordinary, tiny (below 2^-100), huge, exact
      // zeros, NaN, and ordinary ones meeting running products near either end of their range.
      const gate = (): number => {
        const r = u();
        if (r < 0.5) return 0.5 + u();
        if (r < 0.6) return 1e-300 * (0.5 + u());
        if (r < 0.65) return 2 ** 120 * u();
        if (r < 0.7) return 0;
        if (r < 0.72) return NaN;
        return mixedValue(u);
      };
      let listed = 0;
      for (const [N, H] of shapes(20)) {
        const NH = N * H;
        const coef = new Float64Array(LSTM_COEFFICIENTS * NH + 2 * PAD).map(gate);
        const products = new Float64Array(NH + 3).map((_, i) => (i % 3 === 0 ? 2 ** -899 : i % 3 === 1 ? 2 ** 899 : 1));
        const events = new Float64Array(1 + 2 * NH + 4).fill(-1);
        const wantProducts = products.slice();
        const wantEvents = events.slice();
        const want = forgetStep(coef, PAD, N, H, wantProducts.subarray(3), wantEvents.subarray(4));
        const got = n.forgetStep!(N, H, coef, PAD, products, 3, events, 4);
        const at = `${isa} N=${N} H=${H}`;
        expect(Object.is(got, want), `${at} sum ${got}, want ${want}`).toBe(true);
        expectSameBits(products, wantProducts, `${at} products`);
        expectSameBits(events, wantEvents, `${at} events`);
        listed += wantEvents[4];
      }
      expect(listed).toBeGreaterThan(10);
    });

    it(`${isa}: maxAbs, NaNs skipped, 0 for none`, () => {
      expect(n.useIsa(isa)).toBe(true);
      const u = mulberry32(6);
      const cases: Float64Array[] = [new Float64Array([-0, -0, -0]), new Float64Array([NaN, NaN, NaN, NaN, NaN])];
      for (const len of [0, 1, 3, 4, 5, 15, 16, 17, 33, 64, 70, 257]) cases.push(padded(len, 0, u));
      for (const [N, H] of shapes(16)) cases.push(padded(4 * N * H, 0, u));
      // The largest at either end, and an Infinity in the tail.
      const end = padded(37, 0, u).map((x) => (Number.isNaN(x) ? 0 : Math.min(1, Math.abs(x))));
      end[0] = -3;
      cases.push(end, end.slice().reverse(), Float64Array.from([...end, -Infinity]));
      // The largest at each position, then a NaN a vector or a round of running maxima later (in
      // the same lane): a maximum that let the NaN in would forget it.
      for (let p = 0; p < 72; p++) {
        // (A vector is 4 or 8 lanes, a round of the four maxima 16 or 32.)
        for (const gap of [4, 8, 16, 32]) {
          if (p + gap >= 72) continue;
          const v = new Float64Array(72).map(() => u());
          v[p] = -3;
          v[p + gap] = NaN;
          cases.push(v);
        }
      }
      for (const v of cases) {
        for (const off of [0, Math.min(2, v.length)]) {
          const len = v.length - off;
          const got = n.maxAbs!(len, v, off);
          const want = jsKernels.maxAbs(v, off, len);
          if (!Object.is(got, want)) throw new Error(`${isa} len=${len} off=${off}: maxAbs ${got}, want ${want}`);
        }
      }
    });

    it(`${isa}: scale, addBias and columnSums`, () => {
      expect(n.useIsa(isa)).toBe(true);
      const u = mulberry32(8);
      // Factors of normalize's powers of two (below and above 1, to subnormal and to infinity) and others.
      const factors = [1, 2 ** -1000, 2 ** 1000, 2 ** -3, 0.1, -7.5, 0];
      for (const len of [0, 1, 7, 8, 9, 16, 33, 257, 1024]) {
        for (const factor of factors) {
          const got = padded(len, PAD, u);
          const want = got.slice();
          n.scale!(len, got, PAD, factor);
          scale(want, PAD, len, factor);
          expectSameBits(got, want, `${isa} scale ${len} by ${factor}`);
        }
      }
      for (const [N, H] of shapes(17)) {
        const G = 4 * H;
        const got = padded(N * G, PAD, u);
        const want = got.slice();
        const b = padded(G, 2, u);
        n.addBias!(N, G, got, PAD, b, 2);
        addBias(want, PAD, N, G, b.subarray(2, 2 + G));
        expectSameBits(got, want, `${isa} addBias ${N}x${G}`);
        const da = padded(N * G, 0, u);
        const sums = padded(G, PAD, u);
        const expected = sums.slice();
        n.columnSums!(N, G, da, 0, sums, PAD);
        columnSums(da, N, G, expected.subarray(PAD, PAD + G));
        expectSameBits(sums, expected, `${isa} columnSums ${N}x${G}`);
      }
    });

    it(`${isa}: sumSquares in its lanes, the same bits as the portable lanes, within rounding of the JS sum`, () => {
      expect(n.useIsa(isa)).toBe(true);
      const u = mulberry32(9);
      for (const len of [0, 1, 15, 16, 17, 31, 32, 33, 100, 1024, 4099]) {
        for (const factor of [1, 2 ** -400, 2 ** 400, 0.3]) {
          // Finite values whose squares stay in range at these factors (normSplit's use).
          const v = new Float64Array(len + 2 * PAD).map(() => (u() - 0.5) * 10 ** (8 * u() - 4));
          // The lanes as elementwise.h defines them, in plain JS: lane l sums the i = l mod 16.
          const lanes = new Float64Array(16);
          for (let i = 0; i < len; i++) {
            const x = v[PAD + i] * factor;
            lanes[i % 16] += x * x;
          }
          let want = lanes[0];
          for (let l = 1; l < 16; l++) want += lanes[l];
          const got = n.sumSquares!(len, v, PAD, factor);
          if (!Object.is(got, want)) throw new Error(`${isa} sumSquares ${len} x ${factor}: ${got}, want ${want}`);
          const plain = sumSquares(v, PAD, len, factor);
          expect(Math.abs(got - plain)).toBeLessThanOrEqual(len * 2 ** -52 * plain);
        }
      }
    });
  }

  it("runs in the engine's Kernels (withNativeProducts, every kernel native) with the same results as the JS ones", () => {
    const kernels = withNativeProducts(jsKernels, n, true);
    expect(kernels.lstmForwardStep).not.toBe(jsKernels.lstmForwardStep);
    expect(kernels.rnnCellBackward).not.toBe(jsKernels.rnnCellBackward);
    const u = mulberry32(7);
    const [N, H] = [3, 21];
    const NH = N * H;
    const arrays = () => ({
      A: padded(4 * NH, PAD, u),
      slope: padded(4 * NH, PAD, u),
      C: padded(NH, 1, u),
      Hs: padded(NH, 2, u),
      coef: padded(LSTM_COEFFICIENTS * NH, 3, u),
    });
    const got = arrays();
    const want = { A: got.A.slice(), slope: got.slope.slice(), C: got.C.slice(), Hs: got.Hs.slice(), coef: got.coef.slice() };
    for (const [k, x] of [
      [kernels, got],
      [jsKernels, want],
    ] as const) {
      x.A.subarray(PAD, PAD + 4 * NH).reverse(); // a second step's inputs: other values, same kinds
      k.lstmForwardStep(x.A, PAD, x.slope, x.C, 1, x.Hs, 2, x.coef, 3, N, H, true);
      k.rnnForwardStep(x.coef, 3, x.slope, PAD, x.A, PAD, NH);
      const dct = new Float64Array(NH);
      const dcFuture = x.Hs.slice(2, 2 + NH);
      const da = new Float64Array(4 * NH);
      k.lstmCellBackward(x.coef, 3, x.C.subarray(1), dcFuture, dct, da, N, H);
      k.lstmCarry(dct, x.coef, 3, dcFuture, N, H);
      k.rnnCellBackward(dct, x.slope, PAD, dcFuture, NH);
      x.Hs.set(dcFuture, 2);
      x.C[0] = k.maxAbs(da, 0, 4 * NH);
    }
    for (const name of ['A', 'slope', 'C', 'Hs', 'coef'] as const) expectSameBits(got[name], want[name], name);
  });

  it('throws a RangeError naming the argument for a range outside its view, or a non-Float64Array', () => {
    const v = new Float64Array(10);
    expect(() => n.rnnForwardStep!(8, v, 3, v, 0, v, 0)).toThrow(
      /rnnForwardStep: A's elements \[3, 10\] are outside its view of 10 doubles/,
    );
    expect(() => n.rnnCellBackward!(8, v, 0, v, 3, v, 0)).toThrow(/rnnCellBackward: slope's elements \[3, 10\] are outside/);
    expect(() => n.lstmForwardStep!(1, 2, true, new Float64Array(8), 0, new Float64Array(8), 0, v, 0, v, 0, v, 0)).toThrow(
      /lstmForwardStep: coef's elements \[0, 11\] are outside/,
    );
    expect(() => n.lstmForwardStep!(1, 1, 1 as unknown as boolean, v, 0, v, 0, v, 0, v, 0, v, 0)).toThrow(
      /hasPrev must be a boolean/,
    );
    // lstmCarry reads only the forget gates: N = 2, H = 1 reaches coef[ok + 5 + 6] at most.
    expect(() => n.lstmCarry!(2, 1, v, 0, new Float64Array(12), 0, v, 0)).not.toThrow();
    expect(() => n.lstmCarry!(2, 1, v, 0, new Float64Array(11), 0, v, 0)).toThrow(/lstmCarry: coef's elements \[5, 11\]/);
    expect(() => n.lstmCellBackward!(1, 1, v, 0, [0] as unknown as Float64Array, 0, v, 0, v, 0, v, 0)).toThrow(
      /lstmCellBackward: dh must be a Float64Array/,
    );
    expect(() => n.maxAbs!(3, v, 8)).toThrow(RangeError);
    expect(() => n.maxAbs!(2 ** 31, v, 0)).toThrow(/maxAbs: n must be an integer in \[0, 2\^31\)/);
    expect(() => n.lstmCarry!(2 ** 16, 2 ** 15, v, 0, v, 0, v, 0)).toThrow(/N\*H must be below 2\^31/);
    expect(n.maxAbs!(0, v, 10)).toBe(0);
    expect(() => n.scale!(4, v, 7, 2)).toThrow(/scale: v's elements \[7, 10\] are outside/);
    expect(() => n.scale!(4, v, 0, '2' as unknown as number)).toThrow(/scale: factor must be a number/);
    expect(() => n.sumSquares!(11, v, 0, 1)).toThrow(/sumSquares: v's elements \[0, 10\] are outside/);
    expect(() => n.addBias!(2, 4, v, 3, v, 0)).toThrow(/addBias: A's elements \[3, 10\] are outside/);
    expect(() => n.addBias!(2 ** 16, 2 ** 15, v, 0, v, 0)).toThrow(/rows\*G must be below 2\^31/);
    expect(() => n.columnSums!(2, 4, v, 0, v, 8)).toThrow(/columnSums: out's elements \[8, 11\] are outside/);
    expect(n.sumSquares!(0, v, 10, 1)).toBe(0);
  });
});
