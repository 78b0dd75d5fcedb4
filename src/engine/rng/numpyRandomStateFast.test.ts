// The block generators (WebAssembly and plain JS, mt19937Block.ts) and NumpyRandomState's bulk
// methods against a straightforward word-by-word port of numpy's legacy RandomState.
import { describe, expect, it } from 'vitest';
import { NumpyRandomState } from './numpyRandomState';
import { createBlockGenerator, wasmBlockGeneratorAvailable, type BlockBackend } from './mt19937Block';
import { MT19937_WASM_BASE64 } from './mt19937Binary';
import { glibcLog } from './glibcLog';
import { expectGeneratedWasmCurrent } from '../testing/generatedWasm';
import { mulberry32 as patternRng } from '../testing/mulberry32';

/** numpy's legacy RandomState, one word, one double, one Gaussian at a time (the oracle). */
class ReferenceRandomState {
  private readonly mt = new Uint32Array(624);
  private pos = 624;
  private hasGauss = false;
  private gauss2 = 0;

  constructor(seed: number) {
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = this.mt[i - 1];
      this.mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
  }

  nextUint32(): number {
    const mt = this.mt;
    if (this.pos === 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.pos = 0;
    }
    let y = mt[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  gauss(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      return this.gauss2;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2.0 * this.randomSample() - 1.0;
      x2 = 2.0 * this.randomSample() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 === 0.0);
    const f = Math.sqrt((-2.0 * glibcLog(r2)) / r2);
    this.gauss2 = f * x1;
    this.hasGauss = true;
    return f * x2;
  }
}

const SEEDS = [0, 1, 2, 42, 5489, 123456789, 2147483647, 2147483648, 4294967294, 4294967295];
const BACKENDS: BlockBackend[] = ['wasm', 'js'];

type Op = ['fill', number] | ['range', number] | ['skip', number] | ['gauss'] | ['word'] | ['sample'];

/** Runs one op on both and returns the difference, or null. */
function applyOp(rs: NumpyRandomState, ref: ReferenceRandomState, op: Op, where: string): string | null {
  if (op[0] === 'fill' || op[0] === 'range') {
    const n = op[1];
    let got: Float64Array;
    if (op[0] === 'fill') got = rs.fillGauss(new Float64Array(n));
    else {
      // fillGaussRange into the middle of a larger array, leaving the rest alone
      const buf = new Float64Array(n + 6).fill(7);
      rs.fillGaussRange(buf, 3, n);
      for (const i of [0, 1, 2, n + 3, n + 4, n + 5]) if (buf[i] !== 7) return `${where}: wrote outside the range at ${i}`;
      got = buf.subarray(3, 3 + n);
    }
    for (let i = 0; i < n; i++) {
      const want = ref.gauss();
      if (!Object.is(got[i], want)) return `${where}: value ${i} is ${got[i]}, want ${want}`;
    }
  } else if (op[0] === 'skip') {
    rs.skipGauss(op[1]);
    for (let i = 0; i < op[1]; i++) ref.gauss();
  } else if (op[0] === 'gauss') {
    const got = rs.gauss();
    const want = ref.gauss();
    if (!Object.is(got, want)) return `${where}: ${got}, want ${want}`;
  } else if (op[0] === 'word') {
    const got = rs.nextUint32();
    const want = ref.nextUint32();
    if (got !== want) return `${where}: ${got}, want ${want}`;
  } else {
    const got = rs.randomSample();
    const want = ref.randomSample();
    if (got !== want) return `${where}: ${got}, want ${want}`;
  }
  return null;
}

/** Runs `ops` on both, then draws a few more values, and returns the first difference, or null. */
function compareOps(seed: number, backend: BlockBackend, ops: Op[]): string | null {
  const rs = new NumpyRandomState(seed, backend);
  const ref = new ReferenceRandomState(seed);
  for (let k = 0; k < ops.length; k++) {
    const diff = applyOp(rs, ref, ops[k], `seed ${seed}, ${backend}, op ${k} ${JSON.stringify(ops[k])}`);
    if (diff) return diff;
  }
  return applyOp(rs, ref, ['fill', 41], `seed ${seed}, ${backend}, after all ops`);
}

/** A random op: mostly small sizes (within a block), sometimes across blocks or past the 2048-point buffer. */
function randomOp(rnd: () => number): Op {
  const pick = (max: number) => Math.floor(rnd() * (max + 1));
  const r = rnd();
  const n = r < 0.1 ? pick(3) : rnd() < 0.7 ? pick(700) : pick(6000);
  if (r < 0.3) return ['fill', n];
  if (r < 0.45) return ['range', n];
  if (r < 0.75) return ['skip', n];
  if (r < 0.85) return ['gauss'];
  if (r < 0.95) return ['word']; // leaves the stream at an odd word: attempts straddle blocks
  return ['sample'];
}

describe('the block generators', () => {
  it('WebAssembly SIMD is available on this Node, and is the default', () => {
    expect(wasmBlockGeneratorAvailable()).toBe(true);
    expect(new NumpyRandomState(1).backend).toBe('wasm');
    expect(new NumpyRandomState(1, 'js').backend).toBe('js');
    expect(createBlockGenerator('wasm').backend).toBe('wasm');
  });

  for (const backend of BACKENDS) {
    it(`${backend}: draws the reference's words over several blocks, from every seed`, () => {
      for (const seed of SEEDS) {
        const rs = new NumpyRandomState(seed, backend);
        const ref = new ReferenceRandomState(seed);
        const got = Array.from({ length: 3 * 624 + 5 }, () => rs.nextUint32());
        const want = Array.from({ length: 3 * 624 + 5 }, () => ref.nextUint32());
        expect(got).toEqual(want);
      }
    });

    it(`${backend}: keeps independent instances independent`, () => {
      const a = new NumpyRandomState(7, backend);
      const b = new NumpyRandomState(7, backend);
      const c = new NumpyRandomState(8, backend);
      const va = a.fillGauss(new Float64Array(1000));
      c.skipGauss(5000);
      const vb = b.fillGauss(new Float64Array(1000));
      expect(vb).toEqual(va);
    });
  }

  it('the two backends give the same generator state, block after block', () => {
    const w = createBlockGenerator('wasm');
    const j = createBlockGenerator('js');
    for (const seed of [0, 4294967295, 99]) {
      const a = new NumpyRandomState(seed, 'js');
      // seed both generators the way NumpyRandomState does: copy a fresh state
      const s = (a as unknown as { gen: { mt: Int32Array } }).gen.mt;
      w.mt.set(s);
      j.mt.set(s);
      for (let block = 0; block < 5; block++) {
        w.regen();
        j.regen();
        expect(Array.from(w.mt)).toEqual(Array.from(j.mt));
        expect(Array.from(w.out)).toEqual(Array.from(j.out));
      }
    }
  });
});

describe('fillGauss, fillGaussRange and skipGauss against the word-by-word reference', () => {
  for (const backend of BACKENDS) {
    it(`${backend}: single operations of every small and block-crossing size, from every seed`, () => {
      // 156 attempts make a block; ~122.5 points (245 Gaussians) per block on average
      const sizes = [0, 1, 2, 3, 4, 5, 7, 31, 64, 243, 244, 245, 246, 247, 490, 491, 1000, 4095, 4096, 4097, 4099, 10001];
      for (const seed of SEEDS) {
        for (const n of sizes) {
          expect(compareOps(seed, backend, [['fill', n]])).toBeNull();
          expect(compareOps(seed, backend, [['skip', n]])).toBeNull();
          expect(compareOps(seed, backend, [['gauss'], ['skip', n], ['gauss']])).toBeNull();
          expect(compareOps(seed, backend, [['gauss'], ['range', n], ['gauss']])).toBeNull();
        }
      }
    });

    it(`${backend}: long skips over many blocks, even and odd, then a kept value`, () => {
      for (const seed of [0, 3, 4294967295]) {
        for (const n of [100000, 100001, 65472, 65473, 262143]) {
          expect(compareOps(seed, backend, [['skip', n], ['range', 64], ['skip', n + 1], ['gauss']])).toBeNull();
        }
      }
    });

    it(`${backend}: the pattern of buildInputs with one evaluated step`, () => {
      for (const seed of [0, 1, 4294967295]) {
        const [T, H, N] = [37, 5, 3];
        for (const step of [0, 1, 17, T - 1]) {
          const ops: Op[] = [
            ['fill', N * T * 3],
            ['fill', N * H],
            ['fill', 3 * H],
            ['fill', H * H],
            ['fill', H],
          ];
          for (let n = 0; n < N; n++) ops.push(['skip', step * H], ['range', H], ['skip', (T - 1 - step) * H]);
          expect(compareOps(seed, backend, ops)).toBeNull();
        }
      }
    });

    it(`${backend}: random mixes of fills, skips and single draws, with the stream at odd words`, () => {
      const rnd = patternRng(backend === 'wasm' ? 11 : 12);
      for (let trial = 0; trial < 160; trial++) {
        const seed = trial < SEEDS.length ? SEEDS[trial] : Math.floor(rnd() * 4294967296);
        const ops = Array.from({ length: 1 + Math.floor(rnd() * 13) }, () => randomOp(rnd));
        expect(compareOps(seed, backend, ops)).toBeNull();
      }
    });

    it(`${backend}: several instances used in turns (the wasm ones share one memory)`, () => {
      const rnd = patternRng(backend === 'wasm' ? 21 : 22);
      for (let trial = 0; trial < 20; trial++) {
        const seeds = [0, 4294967295, Math.floor(rnd() * 4294967296)];
        const pairs = seeds.map((seed) => ({ rs: new NumpyRandomState(seed, backend), ref: new ReferenceRandomState(seed) }));
        for (let k = 0; k < 30; k++) {
          const who = Math.floor(rnd() * pairs.length);
          const op = randomOp(rnd);
          expect(
            applyOp(pairs[who].rs, pairs[who].ref, op, `trial ${trial}, instance ${who}, op ${k} ${JSON.stringify(op)}`),
          ).toBeNull();
        }
        // instances created later, and the wasm and JS generators mixed
        const late = { rs: new NumpyRandomState(5, backend), ref: new ReferenceRandomState(5) };
        const other = { rs: new NumpyRandomState(6, backend === 'wasm' ? 'js' : 'wasm'), ref: new ReferenceRandomState(6) };
        for (const p of [...pairs, late, other, late, pairs[0]]) {
          expect(applyOp(p.rs, p.ref, ['skip', 301], `trial ${trial}, final skip`)).toBeNull();
          expect(applyOp(p.rs, p.ref, ['fill', 77], `trial ${trial}, final fill`)).toBeNull();
        }
      }
    });
  }
});

describe('mt19937Binary.ts', () => {
  it('is a wasm module, and current with mt19937.wat when wabt is installed', () => {
    expectGeneratedWasmCurrent(MT19937_WASM_BASE64, 'build-wasm-mt19937.mjs');
  });
});
