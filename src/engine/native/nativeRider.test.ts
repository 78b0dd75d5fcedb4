// The carry's dot products with a Lanczos half riding on them (seq_dots_rider_fn of gemm.h,
// spectralRider.ts): against the JS twin (dotsRider of linalg.ts) to rounding, and against the
// plain dot products of the same micro-kernel to the bit, on every micro-kernel this CPU runs.
import { afterEach, describe, expect, it } from 'vitest';
import { dotsRider, RiderHalf } from '../linalg';
import { mulberry32 } from '../testing/mulberry32';
import { nativeBinding } from './nativeKernels';

const native = nativeBinding();
const ISAS = native ? (native.isas?.() ?? [native.isa()]) : [];

function filled(n: number, seed: number): Float64Array {
  const u = mulberry32(seed);
  return Float64Array.from({ length: n }, () => u() * 2 - 1);
}

/** Row j of Bt (K doubles) dotted with v, as the plain dot products of the native kernel compute it. */
function nativeDots(N: number, K: number, v: Float64Array, Bt: Float64Array): Float64Array {
  const out = new Float64Array(N);
  native!.gemm(1, N, K, v, K, 1, 0, Bt, 1, K, 0, 0, out, N, 1, 0);
  return out;
}

/** |got - want| within 1e-13 of the sum of |terms| each entry adds up. */
function expectNear(got: Float64Array, want: Float64Array, scale: Float64Array, what: string): void {
  for (let i = 0; i < want.length; i++)
    if (!(Math.abs(got[i] - want[i]) <= 1e-13 * scale[i] + 1e-300))
      throw new Error(`${what}: entry ${i} is ${got[i]}, the JS twin ${want[i]}`);
}

describe.skipIf(!native?.dotsRider)('the carry with a Lanczos half riding on it (native)', () => {
  const n = native!;
  const best = ISAS[0];
  afterEach(() => {
    n.useIsa(best);
  });

  for (const isa of ISAS) {
    it(`${isa}: c and y are the plain dot products' bits, w the JS twin's to rounding (odd sizes, tails)`, () => {
      n.useIsa(isa);
      let seed = 1;
      for (const N of [1, 3, 4, 5, 7, 8, 9, 16, 17, 40]) {
        for (const K of [1, 3, 4, 5, 8, 37, 64, 101]) {
          const a = filled(K, seed++);
          const Bt = filled(N * K, seed++);
          const x = filled(K, seed++);
          const wantC = nativeDots(N, K, a, Bt);
          const wantY = nativeDots(N, K, x, Bt);

          const c = new Float64Array(N);
          const y = new Float64Array(N);
          n.dotsRider!(N, K, a, 0, Bt, 0, c, 0, RiderHalf.Y, x, 0, y, 0, new Float64Array(K), 0);
          expect(c).toEqual(wantC);
          expect(y).toEqual(wantY);

          // The W half from a nonzero w: w + Bt^T y.
          const w0 = filled(K, seed++);
          const w = w0.slice();
          c.fill(NaN);
          n.dotsRider!(N, K, a, 0, Bt, 0, c, 0, RiderHalf.W, x, 0, y, 0, w, 0);
          expect(c).toEqual(wantC);
          const twinW = w0.slice();
          const twinC = new Float64Array(N);
          dotsRider(N, K, a, Bt, twinC, RiderHalf.W, x, y, twinW);
          const scale = Float64Array.from(w0, (v, k) => {
            let s = Math.abs(v);
            for (let j = 0; j < N; j++) s += Math.abs(y[j] * Bt[j * K + k]);
            return s;
          });
          expectNear(w, twinW, scale, `${isa} w, N=${N} K=${K}`);
          const dotScale = Float64Array.from({ length: N }, (_, j) => {
            let s = 0;
            for (let k = 0; k < K; k++) s += Math.abs(a[k] * Bt[j * K + k]);
            return s;
          });
          expectNear(c, twinC, dotScale, `${isa} c, N=${N} K=${K}`);
        }
      }
    });
  }

  it('reads and writes at the offsets given, and nothing outside them', () => {
    const N = 9;
    const K = 13;
    const a = filled(K + 3, 50);
    const Bt = filled(N * K + 5, 51);
    const x = filled(K + 2, 52);
    const c = new Float64Array(N + 4).fill(7);
    const y = new Float64Array(N + 6).fill(7);
    n.dotsRider!(N, K, a, 3, Bt, 5, c, 4, RiderHalf.Y, x, 2, y, 6, new Float64Array(0), 0);
    expect(Array.from(c.subarray(0, 4))).toEqual([7, 7, 7, 7]);
    expect(Array.from(y.subarray(0, 6))).toEqual([7, 7, 7, 7, 7, 7]);
    expect(c.subarray(4)).toEqual(nativeDots(N, K, a.subarray(3), Bt.subarray(5)));
    expect(y.subarray(6)).toEqual(nativeDots(N, K, x.subarray(2), Bt.subarray(5)));
  });

  it('refuses a half other than 1 or 2, and views too short for the sizes', () => {
    const v = new Float64Array(64);
    expect(() => n.dotsRider!(2, 3, v, 0, v, 0, v, 0, 0, v, 0, v, 0, v, 0)).toThrow(/half must be 1/);
    expect(() => n.dotsRider!(2, 3, v, 0, v, 0, v, 0, 3, v, 0, v, 0, v, 0)).toThrow(/half must be 1/);
    expect(() => n.dotsRider!(4, 20, v, 0, v, 0, v, 0, 1, v, 0, v, 0, v, 0)).toThrow(/Bt's elements/);
    expect(() => n.dotsRider!(2, 3, v, 0, v, 0, v, 0, 2, v, 0, v, 0, new Float64Array(2), 0)).toThrow(/w's elements/);
  });
});

describe.skipIf(!native)('dot products of one row against a Bt that streams from memory', () => {
  it('take 8 rows a pass from 16 MiB on, with the bits of the 4-row pass they replace', () => {
    const N = 1024;
    const K = 2048; // N K = 2^21 doubles: the wide pass (WIDE_DOTS_DOUBLES of dots_avx2.c)
    const a = filled(K, 60);
    const Bt = filled(N * K, 61);
    const whole = nativeDots(N, K, a, Bt);
    for (const j0 of [0, 8, 500, 1016]) {
      // 8 rows alone are far below it: the 4-row pass.
      const part = nativeDots(8, K, a, Bt.subarray(j0 * K, (j0 + 8) * K));
      expect(whole.subarray(j0, j0 + 8)).toEqual(part);
    }
  });
});
