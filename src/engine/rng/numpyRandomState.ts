// A port of numpy's legacy RandomState (MT19937 seeded with init_genrand, 53-bit doubles,
// Marsaglia polar Gaussians with one cached value), so that every SeqLab experiment can be
// re-run in a numpy notebook with `np.random.seed(seed)` + `np.random.randn` and give the same
// inputs. See shared/reference/numpy-rng.md for the step-by-step definition.
import { glibcLog } from './glibcLog';

const STATE_WORDS = 624;
const SHIFT_WORDS = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class NumpyRandomState {
  private readonly mt = new Uint32Array(STATE_WORDS);
  private pos = STATE_WORDS;
  // The cached second Gaussian of a pair is factor * x1, with factor = sqrt(-2 log(r2) / r2).
  private hasGauss = false;
  private cachedX1 = 0;
  private cachedR2 = 0;
  private cachedFactor = 0;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer in [0, 4294967295], got ${seed}`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < STATE_WORDS; i++) {
      const prev = mt[i - 1];
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
  }

  // Three loops instead of a modulo per word: this is the hot loop of drawing inputs.
  private regenerate(): void {
    const mt = this.mt;
    let k = 0;
    for (; k < STATE_WORDS - SHIFT_WORDS; k++) {
      const y = (mt[k] & UPPER_MASK) | (mt[k + 1] & LOWER_MASK);
      mt[k] = mt[k + SHIFT_WORDS] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    for (; k < STATE_WORDS - 1; k++) {
      const y = (mt[k] & UPPER_MASK) | (mt[k + 1] & LOWER_MASK);
      mt[k] = mt[k + SHIFT_WORDS - STATE_WORDS] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    const y = (mt[STATE_WORDS - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[STATE_WORDS - 1] = mt[SHIFT_WORDS - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    this.pos = 0;
  }

  nextUint32(): number {
    if (this.pos === STATE_WORDS) this.regenerate();
    let y = this.mt[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
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
    for (let i = 0; i < count; i++) {
      if (this.hasGauss) this.hasGauss = false;
      else this.drawPolarPoint();
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
    for (let i = from; i < from + count; i++) out[i] = this.gauss();
  }

  /** Fills `out` in order, like randn(*shape) in C order. */
  fillGauss(out: Float64Array): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.gauss();
    return out;
  }
}

/** sqrt(-2 log(r2) / r2), in numpy's order of operations. */
function polarFactor(r2: number): number {
  return Math.sqrt((-2.0 * glibcLog(r2)) / r2);
}
