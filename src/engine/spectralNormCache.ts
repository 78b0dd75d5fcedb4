// sigma_max(Wh) of weights a process has already seen. A sweep's probes that differ only in their
// forget-gate bias share Wh (the bias moves b alone; the draws depend on the seed, T, N, D and H),
// and sigma_max is a probe's largest fixed cost: an H x H gram matrix of Wh and its Lanczos
// iteration, 0.3 ms at H = 64 and 125 ms at H = 1024 (LSTM, N = 1) here. So a sweep worker keeps
// the last few, and a probe whose Wh is equal to one of them, double for double, takes its value:
// the same bits it would compute (the computation depends on Wh alone). A copy of each Wh is held
// for the comparison, so a later change to the caller's array cannot make a stale value match.
// The two routes (the Gram matrix, or riding on the carry: spectralRider.ts) agree to rounding
// only, so each value is held with its route, and a probe takes only its own route's.

/** How many matrices are held, and at most how many doubles in all (32 MiB: one LSTM Wh at H = 1024). */
const MOST_ENTRIES = 8;
const MOST_DOUBLES = 4 * 1024 * 1024;

/** How sigma_max was computed (probe.ts chooses). */
export type SpectralRoute = 'gram' | 'rider';

interface Entry {
  route: SpectralRoute;
  rows: number;
  cols: number;
  weights: Float64Array;
  value: number;
}

export class SpectralNormCache {
  /** Most recently used last. */
  private readonly entries: Entry[] = [];

  /** The value held for this rows x cols Wh by this route, if an equal one was added; counts as a use. */
  get(Wh: Float64Array, rows: number, cols: number, route: SpectralRoute): number | undefined {
    const size = rows * cols;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i];
      if (e.route !== route || e.rows !== rows || e.cols !== cols || !equalDoubles(e.weights, Wh, size)) continue;
      this.entries.splice(i, 1);
      this.entries.push(e);
      return e.value;
    }
    return undefined;
  }

  /** Holds sigma_max of this Wh (a copy of its first rows * cols doubles), dropping the least recently used past the limits. */
  add(Wh: Float64Array, rows: number, cols: number, route: SpectralRoute, value: number): void {
    const size = rows * cols;
    if (size > MOST_DOUBLES) return;
    this.entries.push({ route, rows, cols, weights: Wh.slice(0, size), value });
    let held = this.entries.reduce((sum, e) => sum + e.weights.length, 0);
    while (this.entries.length > MOST_ENTRIES || held > MOST_DOUBLES) held -= this.entries.shift()!.weights.length;
  }

  /** How many matrices are held (tests). */
  get size(): number {
    return this.entries.length;
  }
}

/** Whether a[0 .. n) and b[0 .. n) hold the same doubles (NaN equals nothing, so a NaN weight never matches). */
function equalDoubles(a: Float64Array, b: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
