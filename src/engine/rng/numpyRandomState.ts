// A port of numpy's legacy RandomState (MT19937 seeded with init_genrand, 53-bit doubles,
// Marsaglia polar Gaussians with one cached value), so that every SeqLab experiment can be
// re-run in a numpy notebook with `np.random.seed(seed)` + `np.random.randn` and give the same
// inputs. See shared/reference/numpy-rng.md for the step-by-step definition.
//
// Speed: drawing inputs is dominated by MT19937 words (~5.1 words per polar point, rejections
// included) and by skipGauss. So the generator twists and tempers a whole 624-word block at once
// into `out`, and the bulk methods (fillGauss, fillGaussRange, skipGauss) consume it four words
// (one polar attempt) at a time with local variables. Every value is still computed exactly as
// numpy computes it; the straightforward word-by-word version lives in the tests as the oracle.
import { glibcLog } from './glibcLog';

const STATE_WORDS = 624;
const SHIFT_WORDS = 397;
const MATRIX_A = 0x9908b0df | 0;
const UPPER_MASK = 0x80000000 | 0;
const LOWER_MASK = 0x7fffffff;
const TWO26 = 67108864.0;
const TWO53 = 9007199254740992.0;

export class NumpyRandomState {
  // Int32Array rather than Uint32Array keeps every word a small integer for V8; a word is
  // reinterpreted as unsigned (>>> 0, >>> 5, >>> 6) wherever its value matters.
  private readonly mt = new Int32Array(STATE_WORDS);
  /** The tempered outputs of the current block: out[pos] is the next word of the stream. */
  private readonly out = new Int32Array(STATE_WORDS);
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
    mt[0] = seed | 0;
    for (let i = 1; i < STATE_WORDS; i++) {
      const prev = mt[i - 1];
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) | 0;
    }
  }

  /** Twists the state to the next block and tempers all of it into `out` (pos becomes 0). */
  private regenerate(): void {
    const mt = this.mt;
    const out = this.out;
    // Three loops instead of a modulo per word.
    let k = 0;
    for (; k < STATE_WORDS - SHIFT_WORDS; k++) {
      const y = (mt[k] & UPPER_MASK) | (mt[k + 1] & LOWER_MASK);
      let v = mt[k + SHIFT_WORDS] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
      mt[k] = v;
      v ^= v >>> 11;
      v ^= (v << 7) & 0x9d2c5680;
      v ^= (v << 15) & 0xefc60000;
      out[k] = v ^ (v >>> 18);
    }
    for (; k < STATE_WORDS - 1; k++) {
      const y = (mt[k] & UPPER_MASK) | (mt[k + 1] & LOWER_MASK);
      let v = mt[k + SHIFT_WORDS - STATE_WORDS] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
      mt[k] = v;
      v ^= v >>> 11;
      v ^= (v << 7) & 0x9d2c5680;
      v ^= (v << 15) & 0xefc60000;
      out[k] = v ^ (v >>> 18);
    }
    const y = (mt[STATE_WORDS - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    let v = mt[SHIFT_WORDS - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    mt[STATE_WORDS - 1] = v;
    v ^= v >>> 11;
    v ^= (v << 7) & 0x9d2c5680;
    v ^= (v << 15) & 0xefc60000;
    out[STATE_WORDS - 1] = v ^ (v >>> 18);
    this.pos = 0;
  }

  nextUint32(): number {
    if (this.pos === STATE_WORDS) this.regenerate();
    return this.out[this.pos++] >>> 0;
  }

  /** numpy's random_sample(): (a * 2^26 + b) / 2^53, exact in float64. */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * TWO26 + b) / TWO53;
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
    if (count <= 0) return;
    if (this.hasGauss) {
      this.hasGauss = false;
      count--;
    }
    // Each accepted point gives two Gaussians; with an odd count the last point's second value
    // stays cached. Only that last point's (x1, r2) matters afterwards.
    let points = (count + 1) >>> 1;
    if (points === 0) return;
    const out = this.out;
    let pos = this.pos;
    let x1 = 0;
    let r2 = 0;
    while (points > 0) {
      if (pos > STATE_WORDS - 4) {
        // At most a block's end (or a stream left at an odd word by nextUint32): one attempt
        // word by word.
        this.pos = pos;
        const u1 = 2.0 * this.randomSample() - 1.0;
        const u2 = 2.0 * this.randomSample() - 1.0;
        const s = u1 * u1 + u2 * u2;
        pos = this.pos;
        if (s < 1.0 && s !== 0.0) {
          x1 = u1;
          r2 = s;
          points--;
        }
        continue;
      }
      // Whole attempts within the block, no call and no block check per word.
      for (; pos <= STATE_WORDS - 4; pos += 4) {
        const u1 = 2.0 * (((out[pos] >>> 5) * TWO26 + (out[pos + 1] >>> 6)) / TWO53) - 1.0;
        const u2 = 2.0 * (((out[pos + 2] >>> 5) * TWO26 + (out[pos + 3] >>> 6)) / TWO53) - 1.0;
        const s = u1 * u1 + u2 * u2;
        if (s < 1.0 && s !== 0.0) {
          x1 = u1;
          r2 = s;
          if (--points === 0) {
            pos += 4;
            break;
          }
        }
      }
    }
    this.pos = pos;
    if (count & 1) {
      this.cachedX1 = x1;
      this.cachedR2 = r2;
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
  fillGaussRange(target: Float64Array, from: number, count: number): void {
    if (count <= 0) return;
    let i = from;
    const end = from + count;
    if (this.hasGauss) target[i++] = this.gauss();
    const out = this.out;
    let pos = this.pos;
    // Whole pairs: two Gaussians per accepted point, as gauss() gives them.
    while (end - i >= 2) {
      if (pos > STATE_WORDS - 4) {
        this.pos = pos;
        target[i] = this.gauss();
        target[i + 1] = this.gauss();
        i += 2;
        pos = this.pos;
        continue;
      }
      const u1 = 2.0 * (((out[pos] >>> 5) * TWO26 + (out[pos + 1] >>> 6)) / TWO53) - 1.0;
      const u2 = 2.0 * (((out[pos + 2] >>> 5) * TWO26 + (out[pos + 3] >>> 6)) / TWO53) - 1.0;
      pos += 4;
      const s = u1 * u1 + u2 * u2;
      if (s < 1.0 && s !== 0.0) {
        const f = polarFactor(s);
        target[i] = f * u2;
        target[i + 1] = f * u1;
        i += 2;
      }
    }
    this.pos = pos;
    if (i < end) target[i] = this.gauss();
  }

  /** Fills `out` in order, like randn(*shape) in C order. */
  fillGauss(target: Float64Array): Float64Array {
    this.fillGaussRange(target, 0, target.length);
    return target;
  }
}

/** sqrt(-2 log(r2) / r2), in numpy's order of operations. */
function polarFactor(r2: number): number {
  return Math.sqrt((-2.0 * glibcLog(r2)) / r2);
}
