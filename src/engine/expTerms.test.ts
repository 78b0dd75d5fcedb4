// The activations' exponential (expTerms.ts) against V8's Math.exp and Math.expm1 (fdlibm, each
// within 1 ulp of the true value), over every range the activations reach.
import { describe, expect, it } from 'vitest';
import { expOut, expTerms } from './expTerms';
import { mulberry32 as rng } from './testing/mulberry32';

const bits = new BigInt64Array(1);
const asDouble = new Float64Array(bits.buffer);
/** Distance in ulps between two doubles of the same sign (Infinity across signs). */
function ulps(a: number, b: number): number {
  if (a === b) return 0;
  if (Math.sign(a) !== Math.sign(b)) return Infinity;
  asDouble[0] = Math.abs(a);
  const x = bits[0];
  asDouble[0] = Math.abs(b);
  return Math.abs(Number(x - bits[0]));
}

/** The largest distance in ulps of f(x) from want(x) over n points of gen. */
function worst(n: number, gen: (i: number) => number, f: () => number, want: (x: number) => number): number {
  let max = 0;
  for (let i = 0; i < n; i++) {
    const x = gen(i);
    expTerms(x);
    max = Math.max(max, ulps(f(), want(x)));
  }
  return max;
}

describe('expTerms', () => {
  const n = 1 << 20;

  it('e^x is within 1 ulp of Math.exp on 4M points of [-746, 0], subnormal results included', () => {
    const u = rng(11);
    const ranges: [string, (i: number) => number][] = [
      ['[-745.2, 0]', () => -u() * 745.2],
      ['[-746, -700] (subnormal results and underflow)', () => -700 - u() * 46],
      ['-(1e-300 .. 1)', () => -(10 ** (-300 * u()))],
      ['grid over [-745.2, 0]', (i) => -i * (745.2 / n)],
    ];
    const found = ranges.map(([name, gen]) => [name, worst(n, gen, () => expOut.e, Math.exp)] as const);
    console.log(`e^x: max ulps from Math.exp: ${found.map(([name, w]) => `${name} ${w}`).join(', ')}`);
    for (const [name, w] of found) expect(w, name).toBeLessThanOrEqual(1);
  });

  it('e^x - 1 is within 2 ulps of Math.expm1 on 3M points of [-1, 0] (1 ulp each way), and exact near 0', () => {
    const u = rng(12);
    const ranges: [string, (i: number) => number][] = [
      ['[-1, 0]', () => -u()],
      ['-(1e-320 .. 1)', () => -(10 ** (-320 * u()))],
      ['around -ln2/2 (where k turns -1)', () => -(0.3465 + u() * 2e-4)],
    ];
    const found = ranges.map(([name, gen]) => [name, worst(n, gen, () => expOut.m, Math.expm1)] as const);
    console.log(`e^x - 1: max ulps from Math.expm1: ${found.map(([name, w]) => `${name} ${w}`).join(', ')}`);
    for (const [name, w] of found) expect(w, name).toBeLessThanOrEqual(2);
    for (const x of [-1e-300, -5e-324, -(2 ** -60)]) {
      expTerms(x);
      expect(expOut.m).toBe(x);
    }
  });

  it('handles the ends: 0, -0, -Infinity, NaN, the last subnormal and below', () => {
    const cases: [number, number, number][] = [
      [0, 1, 0],
      [-0, 1, 0],
      [-Infinity, 0, -1],
      [-746, 0, -1],
      [-1e4, 0, -1],
      [-745.1332191019411, Math.exp(-745.1332191019411), -1],
    ];
    for (const [x, e, m] of cases) {
      expTerms(x);
      expect(expOut.e, `e^${x}`).toBe(e);
      expect(expOut.m, `e^${x} - 1`).toBe(m);
    }
    expTerms(NaN);
    expect(expOut.e).toBeNaN();
    expect(expOut.m).toBeNaN();
  });
});
