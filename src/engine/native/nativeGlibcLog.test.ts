// The native glibc log (glibcLog.c) and numpy's polar factors built on it, bit for bit: against
// this machine's glibc itself (CPython's math.log calls it) on 7.7 million inputs of the kinds
// the JS port was verified on, and against the JS port (src/engine/rng/glibcLog.ts), which the
// WebAssembly path runs. Then the Gaussian streams, which take their factors from it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../testing/mulberry32';
import { glibcLog } from '../rng/glibcLog';
import { NumpyRandomState } from '../rng/numpyRandomState';
import { nativeBinding } from './nativeKernels';

const native = nativeBinding();
const dir = mkdtempSync(join(tmpdir(), 'seqlab-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 7.7M inputs: (0, 1) uniform, log-uniform to 1e-300, numpy polar r2, the near-1 path, (1, 1e300), and raw bit patterns (subnormals included). */
function inputs(): Float64Array {
  const u = mulberry32(2026);
  const uniform = () => (Math.floor(u() * 2 ** 26) * 2 ** 27 + Math.floor(u() * 2 ** 27)) / 2 ** 53;
  const out = new Float64Array(7_700_000);
  const bits = new Uint32Array(out.buffer);
  let i = 0;
  const put = (count: number, next: () => number) => {
    for (let j = 0; j < count; j++) out[i++] = next();
  };
  put(2_000_000, () => uniform() || 0.5);
  put(2_000_000, () => 10 ** (-300 * uniform()));
  put(1_000_000, () => {
    for (;;) {
      const x1 = 2 * uniform() - 1;
      const x2 = 2 * uniform() - 1;
      const r2 = x1 * x1 + x2 * x2;
      if (r2 < 1 && r2 > 0) return r2;
    }
  });
  put(1_050_000, () => 1 - 2 ** -4 + uniform() * (2 ** -4 + 0x109 / 2 ** 12));
  put(1_000_000, () => 10 ** (300 * uniform()) + 1);
  while (i < out.length) {
    // A positive finite double from random bits: every exponent, subnormals (exponent field 0) included.
    bits[2 * i] = Math.floor(u() * 2 ** 32);
    bits[2 * i + 1] = Math.floor(u() * 0x7ff00000);
    i++;
  }
  return out;
}

describe.skipIf(!native?.glibcLog || !native?.polarFactors)('the native glibc log', () => {
  const xs = inputs();

  it("equals this machine's glibc log (CPython's math.log) on 7.7M inputs, bit for bit", () => {
    const inFile = join(dir, 'x.f64');
    const outFile = join(dir, 'log.f64');
    writeFileSync(inFile, xs);
    const py = spawnSync(
      'python3',
      [
        '-c',
        'import sys, math, array\n' +
          'a = array.array("d"); a.frombytes(open(sys.argv[1], "rb").read())\n' +
          'open(sys.argv[2], "wb").write(array.array("d", map(math.log, a)).tobytes())',
        inFile,
        outFile,
      ],
      { encoding: 'utf8' },
    );
    expect(py.status, py.stderr).toBe(0);
    const buf = readFileSync(outFile);
    const glibc = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
    expect(glibc.length).toBe(xs.length);
    const mismatches: number[] = [];
    for (let i = 0; i < xs.length; i++) if (!Object.is(native!.glibcLog!(xs[i]), glibc[i])) mismatches.push(xs[i]);
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it('equals the JS port on the same inputs and on the special values', () => {
    let mismatches = 0;
    for (let i = 0; i < xs.length; i++) if (!Object.is(native!.glibcLog!(xs[i]), glibcLog(xs[i]))) mismatches++;
    expect(mismatches).toBe(0);
    for (const x of [0, -0, -1, Infinity, -Infinity, NaN, 1, 5e-324, 2.2250738585072014e-308, Number.MAX_VALUE])
      expect(Object.is(native!.glibcLog!(x), glibcLog(x)), String(x)).toBe(true);
  });

  it("numpy's polar factors sqrt(-2 log(r2) / r2) of a block equal the JS ones, and a block past its views is refused", () => {
    const n = 1_000_000;
    const points = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) points[3 * i + 2] = xs[2_000_000 + 2_000_000 + i];
    const factors = new Float64Array(n);
    native!.polarFactors!(n, points, factors);
    let mismatches = 0;
    for (let i = 0; i < n; i++) {
      const r2 = points[3 * i + 2];
      if (!Object.is(factors[i], Math.sqrt((-2.0 * glibcLog(r2)) / r2))) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(() => native!.polarFactors!(n + 1, points, new Float64Array(n + 1))).toThrow(RangeError);
    expect(() => native!.polarFactors!(n, points, new Float64Array(n - 1))).toThrow(RangeError);
  });

  it('the Gaussian streams are the same with the native factors as with the JS ones', () => {
    // fillGauss takes a block's factors natively here (SEQLAB_KERNELS is not wasm or js in this
    // project); gauss(), one value at a time, always takes the JS factor.
    expect(['', 'auto', 'native']).toContain(process.env.SEQLAB_KERNELS ?? '');
    const bulk = new NumpyRandomState(7).fillGauss(new Float64Array(50_001));
    const one = new NumpyRandomState(7);
    const scalar = Float64Array.from({ length: 50_001 }, () => one.gauss());
    expect(Buffer.from(bulk.buffer).equals(Buffer.from(scalar.buffer))).toBe(true);
  });
});
