// A port of numpy's legacy RandomState (MT19937 seeded with init_genrand, 53-bit doubles,
// Marsaglia polar Gaussians with one cached value), so that every SeqLab experiment can be
// re-run in a numpy notebook with `np.random.seed(seed)` + `np.random.randn` and give the same
// inputs. See reference/numpy-rng.md for the step-by-step definition.
//
// Speed: drawing inputs is dominated by MT19937 words (~5.1 per polar point, rejections
// included), most of them skipped by skipGauss. So the words come a 624-word block at a time,
// twisted and tempered at once, and the bulk methods (fillGauss, fillGaussRange, skipGauss) run
// the polar attempts over a block in mt19937Block.ts (WebAssembly SIMD, or the same in plain JS);
// only the factors sqrt(-2 log(r2) / r2) are computed here, with glibcLog (a block at a time by
// the native kernels where they run: the same bits). Every value is computed exactly as numpy
// computes it.
import { glibcLog } from './glibcLog';
import { nativeBinding, requestedKernelPath } from '../native/nativeKernels';
import { createBlockGenerator, POINTS_CAPACITY, STATE_WORDS, type BlockBackend, type BlockGenerator } from './mt19937Block';

export type { BlockBackend } from './mt19937Block';

export class NumpyRandomState {
  private readonly gen: BlockGenerator;
  /** The next word is gen.out[pos]; STATE_WORDS: the block is used up. */
  private pos = STATE_WORDS;
  // The cached second Gaussian of a pair is factor * x1, with factor = sqrt(-2 log(r2) / r2).
  private hasGauss = false;
  private cachedX1 = 0;
  private cachedR2 = 0;
  private cachedFactor = 0;

  /** `backend` forces the block generator ('wasm' throws where it cannot run); by default the fastest. */
  constructor(seed: number, backend?: BlockBackend) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer in [0, 4294967295], got ${seed}`);
    }
    this.gen = createBlockGenerator(backend);
    const mt = this.gen.mt;
    mt[0] = seed | 0;
    for (let i = 1; i < STATE_WORDS; i++) {
      const prev = mt[i - 1];
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) | 0;
    }
  }

  /** Which block generator this instance runs on. */
  get backend(): BlockBackend {
    return this.gen.backend;
  }

  nextUint32(): number {
    if (this.pos === STATE_WORDS) {
      this.gen.regen();
      this.pos = 0;
    }
    return this.gen.out[this.pos++] >>> 0;
  }

  /** numpy's random_sample(): (a * 2^26 + b) / 2^53, exact in float64. */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** numpy's legacy_gauss: polar method, the second value of each pair cached. */
  gauss(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      // The factor is evaluated now if the pair was drawn by skipGauss.
      const f = this.cachedFactor || polarFactor(this.cachedR2);
      return f * this.cachedX1;
    }
    const x2 = this.drawPolarPoint();
    const f = polarFactor(this.cachedR2);
    this.cachedFactor = f;
    return f * x2;
  }

  /**
   * Advances the stream past `count` Gaussians without evaluating them (the uniform draws and
   * rejections still happen, so later values are exactly those of a full draw).
   */
  skipGauss(count: number): void {
    if (!(count > 0)) return;
    count = Math.ceil(count); // as many as a loop `for (i = 0; i < count; i++)` would skip
    if (this.hasGauss) {
      this.hasGauss = false;
      count--;
    }
    // Each accepted point gives two Gaussians; with an odd count the last point's second value
    // stays cached, and only that point's (x1, r2) matters afterwards.
    const points = Math.ceil(count / 2);
    if (points === 0) return;
    this.pos = this.gen.skip(this.pos, points);
    if (count % 2 === 1) {
      const last = this.gen.last;
      this.cachedX1 = last[0];
      this.cachedR2 = last[1];
      this.cachedFactor = 0;
      this.hasGauss = true;
    }
  }

  /**
   * Draws a point in the unit disc, caches (x1, r2) for the pair's second value (its factor is
   * computed lazily) and returns x2.
   */
  private drawPolarPoint(): number {
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2.0 * this.randomSample() - 1.0;
      x2 = 2.0 * this.randomSample() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 === 0.0);
    this.cachedX1 = x1;
    this.cachedR2 = r2;
    this.cachedFactor = 0; // f > 0 for every r2 in (0, 1): 0 means "not computed yet"
    this.hasGauss = true;
    return x2;
  }

  /** Fills out[from .. from+count) in order. */
  fillGaussRange(out: Float64Array, from: number, count: number): void {
    let i = from;
    const end = from + count;
    if (i < end && this.hasGauss) out[i++] = this.gauss();
    // Whole pairs: f * x2, then the pair's second value f * x1, as gauss() gives them.
    const pts = this.gen.pts;
    while (end - i >= 2) {
      const n = Math.min((end - i) >>> 1, POINTS_CAPACITY);
      this.pos = this.gen.points(this.pos, n);
      const factors = blockFactors(pts, n);
      for (let k = 0; k < 3 * n; k += 3) {
        const f = factors ? factors[k / 3] : polarFactor(pts[k + 2]);
        out[i] = f * pts[k + 1];
        out[i + 1] = f * pts[k];
        i += 2;
      }
    }
    if (i < end) out[i] = this.gauss();
  }

  /** Fills `out` in order, like randn(*shape) in C order. */
  fillGauss(out: Float64Array): Float64Array {
    this.fillGaussRange(out, 0, out.length);
    return out;
  }
}

/**
 * The native kernels' factors of a block of points, the same bits as polarFactor's (about 4x
 * faster: glibc's log with the CPU's fused multiply-adds, where JS emulates them), or null where
 * they do not run: not built, built before polarFactors existed, or SEQLAB_KERNELS=wasm or js
 * (the tests' WebAssembly path keeps the JS one).
 */
let nativeFactors: ((n: number, points: Float64Array, factors: Float64Array) => void) | null | undefined;
const FACTORS = new Float64Array(POINTS_CAPACITY);

function blockFactors(points: Float64Array, n: number): Float64Array | null {
  if (nativeFactors === undefined) {
    const path = requestedKernelPath();
    const native = path === 'wasm' || path === 'js' ? null : nativeBinding();
    nativeFactors = native?.polarFactors ? native.polarFactors.bind(native) : null;
  }
  if (!nativeFactors) return null;
  nativeFactors(n, points, FACTORS);
  return FACTORS;
}

/** sqrt(-2 log(r2) / r2), in numpy's order of operations. */
function polarFactor(r2: number): number {
  return Math.sqrt((-2.0 * glibcLog(r2)) / r2);
}
