// Matrices with known singular values, for the tests of sigma_max(Wh) (theory.test.ts,
// spectralRider.test.ts).

/** Uniform draws in [0, 1) from a seed (mulberry32). */
export function uniforms(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export function randomUnit(n: number, u: () => number): Float64Array {
  const v = Float64Array.from({ length: n }, () => u() - 0.5);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/**
 * An H x G matrix (C order, H <= G) with singular values s (H of them): diag(s) padded with
 * zero columns, then reflected from the left and the right by three Householder reflections
 * each (W <- (I - 2 u u^T) W, W <- W (I - 2 v v^T)), which keep the singular values.
 */
export function withSingularValues(s: readonly number[], H: number, G: number, seed: number): Float64Array {
  const u = uniforms(seed);
  const W = new Float64Array(H * G);
  s.forEach((x, k) => (W[k * G + k] = x));
  for (let r = 0; r < 3; r++) {
    const left = randomUnit(H, u);
    const columnDots = new Float64Array(G);
    for (let i = 0; i < H; i++) for (let j = 0; j < G; j++) columnDots[j] += left[i] * W[i * G + j];
    for (let i = 0; i < H; i++) for (let j = 0; j < G; j++) W[i * G + j] -= 2 * left[i] * columnDots[j];
    const right = randomUnit(G, u);
    for (let i = 0; i < H; i++) {
      let rowDot = 0;
      for (let j = 0; j < G; j++) rowDot += W[i * G + j] * right[j];
      for (let j = 0; j < G; j++) W[i * G + j] -= 2 * rowDot * right[j];
    }
  }
  return W;
}
