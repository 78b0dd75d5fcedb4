// One contiguous float64 arena per probe: every buffer of a probe is a view into it, so the
// whole probe's memory is sized (and checked) up front and stays O(T·N·G).
export class Workspace {
  readonly mem: Float64Array;
  private used = 0;

  /** A fresh arena of `size` doubles, or an arena over an existing buffer (for reuse). */
  constructor(size: number | Float64Array) {
    this.mem = typeof size === 'number' ? new Float64Array(size) : size;
  }

  take(length: number): Float64Array {
    if (this.used + length > this.mem.length) {
      throw new Error(`workspace exhausted: need ${this.used + length} doubles, have ${this.mem.length}`);
    }
    const view = this.mem.subarray(this.used, this.used + length);
    this.used += length;
    return view;
  }
}
