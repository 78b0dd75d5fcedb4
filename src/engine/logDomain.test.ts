// The exact log10 values against a plain float64 BPTT written the obvious way (no rescaling):
// equal wherever the plain values are representable, and still finite where they underflow.
import { describe, expect, it } from 'vitest';
import { buildInputs, runProbe, withDefaults, type ProbeConfig } from './index';

/** Textbook BPTT for the RNN, loss at T-1: returns ||dL/dh_k|| for every k in plain doubles. */
function plainRnnDh(config: ProbeConfig): number[] {
  const { N, T, D, H } = config;
  const { x, h0, Wx, Wh, b, dout } = buildInputs(config);
  const a: number[][] = [];
  let h = Array.from(h0);
  for (let t = 0; t < T; t++) {
    const at = new Array(N * H).fill(0);
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < H; j++) {
        let s = b[j];
        for (let i = 0; i < D; i++) s += x[(n * T + t) * D + i] * Wx[i * H + j];
        for (let i = 0; i < H; i++) s += h[n * H + i] * Wh[i * H + j];
        at[n * H + j] = s;
      }
    }
    a.push(at);
    h = at.map(Math.tanh);
  }
  const norms = new Array(T).fill(0);
  let dh = Array.from({ length: N * H }, (_, i) => dout[(Math.floor(i / H) * T + T - 1) * H + (i % H)]);
  for (let k = T - 1; k >= 0; k--) {
    norms[k] = scaledNorm(dh);
    const da = dh.map((v, i) => v * (1 - Math.tanh(a[k][i]) ** 2));
    const next = new Array(N * H).fill(0);
    for (let n = 0; n < N; n++)
      for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) next[n * H + i] += da[n * H + j] * Wh[i * H + j];
    dh = next;
  }
  return norms;
}

/** ||v|| with the entries scaled by their largest magnitude, so squaring does not underflow. */
function scaledNorm(v: number[]): number {
  const m = Math.max(...v.map(Math.abs));
  if (m === 0) return 0;
  return m * Math.sqrt(v.reduce((s, x) => s + (x / m) ** 2, 0));
}

describe('log-domain norms', () => {
  const config = withDefaults({ arch: 'rnn', T: 800, N: 2, D: 3, H: 4, seed: 8, whGain: 0.6, h0Scale: 1, bScale: 1 });

  it('match a plain float64 computation wherever it is above 1e-300', () => {
    const plain = plainRnnDh(config);
    const r = runProbe(config);
    let compared = 0;
    plain.forEach((v, k) => {
      if (v > 1e-300) {
        compared++;
        expect(Math.abs(10 ** r.lossStepNorms.dh[k] - v) / v, `dh[${k}]`).toBeLessThan(1e-12);
      }
    });
    // The plain computation underflows part of the way back; the engine does not.
    expect(compared).toBeGreaterThan(20);
    expect(plain.some((v) => v === 0)).toBe(true);
    expect(Array.from(r.lossStepNorms.dh).every(Number.isFinite)).toBe(true);
  });

  it('stay finite and keep decaying for a vanilla RNN at T=5000 (around 1e-3500)', () => {
    const long = withDefaults({ ...config, T: 5000, lossStep: 4999 });
    const r = runProbe(long);
    for (const name of ['dh', 'dWx', 'dWh', 'db'] as const) {
      const v = r.lossStepNorms[name];
      expect(Array.from(v).every(Number.isFinite), name).toBe(true);
      // Far below float64's range, and falling at a steady rate: every 500 steps lose over 100 decades.
      expect(v[0]).toBeLessThan(-3000);
      for (let k = 4999; k >= 500; k -= 500) expect(v[k - 500], `${name} at k=${k - 500}`).toBeLessThan(v[k] - 100);
    }
  });
});
