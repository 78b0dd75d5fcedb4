// Exact where float64 runs out (issue 9): tiny hidden states in the Gram route, units saturated
// far beyond |a| = 400, cells beyond |c| = 354, and a run whose gradients overflow past 1e308.
// Checked against values computed independently: 50-digit mpmath references
// (reference/exactness/, inputs drawn by numpy itself) and, for the overflowing run (chaotic, so
// only its own float64 forward pass has a meaningful backward), an extended-range backward
// written here, one (mantissa, exponent) pair per scalar, on the engine's forward values.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildInputs, runProbe, withDefaults, type ProbeConfig, type ProbeConfigInput, type ProbeResult } from './index';
import { setKernelPreference } from './workspace';

/** |got - want| <= 1e-12 relative in log10 (at least 1e-12 absolute); null / -Infinity: an exact 0. */
function expectLog10(got: number, want: number | null, what: string): void {
  if (want === null) {
    expect(got, what).toBe(-Infinity);
    return;
  }
  expect(Number.isFinite(got), `${what}: ${got}, want ${want}`).toBe(true);
  expect(Math.abs(got - want), `${what}: ${got}, want ${want}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)));
}

const NORMS = ['dh', 'dWx', 'dWh', 'db', 'dc'] as const;
const FULL = ['dWx', 'dWh', 'db', 'dh0', 'dx'] as const;

interface ExactnessCase {
  name: string;
  config: ProbeConfigInput;
  inputs_sha256: string;
  last_loss: { t: number; log10: Partial<Record<(typeof NORMS)[number], (number | null)[]>> };
  full_grad_norms: { log10: Record<(typeof FULL)[number], number | null> };
}

const CASES: ExactnessCase[] = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'reference', 'exactness', 'exactness_cases.json'), 'utf8'),
).cases;

function inputsSha256(config: ProbeConfig): string {
  const h = createHash('sha256');
  const i = buildInputs(config);
  for (const a of [i.x, i.h0, i.Wx, i.Wh, i.b, i.dout]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return h.digest('hex');
}

function withKernels<T>(kind: 'wasm' | 'js', run: () => T): T {
  if (kind === 'wasm') return run();
  setKernelPreference('js');
  try {
    return run();
  } finally {
    setKernelPreference('auto');
  }
}

describe('against 50-digit references (reference/exactness)', () => {
  it('covers what float64 cannot hold: values below 1e-308, down to 1e-4158', () => {
    const all = CASES.flatMap((c) => Object.values(c.last_loss.log10).flat()).filter((v): v is number => v !== null);
    expect(Math.min(...all)).toBeLessThan(-4000);
    expect(
      CASES.filter((c) =>
        Object.values(c.last_loss.log10)
          .flat()
          .some((v) => v !== null && v < -308),
      ).length,
    ).toBeGreaterThanOrEqual(5);
  });

  it("rnn_saturated has a unit saturated beyond |a| = 400 (tanh'(a) far below 1e-308)", () => {
    const c = CASES.find((x) => x.name === 'rnn_saturated')!;
    let aMax = 0;
    runProbe(c.config, {
      forwardHooks: {
        preActivation: (_t, A) => {
          for (const v of A) aMax = Math.max(aMax, Math.abs(v));
        },
      },
    });
    expect(aMax).toBeGreaterThan(400);
  });

  for (const c of CASES) {
    it(`${c.name}: draws the reference's inputs`, () => {
      expect(inputsSha256(withDefaults(c.config))).toBe(c.inputs_sha256);
    });
    for (const kernels of ['wasm', 'js'] as const) {
      for (const segment of [undefined, 3]) {
        it(`${c.name} (${kernels} kernels, ${segment ? `checkpointed every ${segment} steps` : 'stored trace'}): every norm to 1e-12 in log10`, () => {
          const r = withKernels(kernels, () => runProbe(c.config, { fullGradients: true, checkpointSegment: segment }));
          for (const q of NORMS) {
            const want = c.last_loss.log10[q];
            if (!want) continue;
            const got = r.lossStepNorms[q]!;
            expect(got.length).toBe(want.length);
            want.forEach((v, k) => expectLog10(got[k], v, `${q}[${k}]`));
          }
          for (const q of FULL) expectLog10(r.fullGradNorms!.log10[q], c.full_grad_norms.log10[q], `full ${q}`);
        });
      }
    }
  }
});

// ---- An extended-range reference: every scalar its own m * 2^e, m in [0.5, 1). ----

interface Ext {
  m: number;
  e: number;
}
const ZERO: Ext = { m: 0, e: 0 };

function ext(m: number, e = 0): Ext {
  if (m === 0) return ZERO;
  let k = Math.floor(Math.log2(Math.abs(m))) + 1;
  let r = m / 2 ** k;
  if (Math.abs(r) >= 1) {
    r /= 2;
    k++;
  } else if (Math.abs(r) < 0.5) {
    r *= 2;
    k--;
  }
  return { m: r, e: e + k };
}
const mul = (a: Ext, b: Ext): Ext => (a.m === 0 || b.m === 0 ? ZERO : ext(a.m * b.m, a.e + b.e));
function add(a: Ext, b: Ext): Ext {
  if (a.m === 0) return b;
  if (b.m === 0) return a;
  const [hi, lo] = a.e >= b.e ? [a, b] : [b, a];
  const d = lo.e - hi.e;
  return d < -1100 ? hi : ext(hi.m + lo.m * 2 ** d, hi.e);
}
const log10Ext = (a: Ext): number => (a.m === 0 ? -Infinity : Math.log10(Math.abs(a.m)) + a.e * Math.log10(2));
function sqrtExt(a: Ext): Ext {
  const odd = ((a.e % 2) + 2) % 2;
  return ext(Math.sqrt(a.m * 2 ** odd), (a.e - odd) / 2);
}
const sumSquares = (v: Ext[]): Ext => v.reduce((s, x) => add(s, mul(x, x)), ZERO);
const normLog10 = (v: Ext[]): number => log10Ext(sqrtExt(sumSquares(v)));

/** tanh'(a) = 4 e / (1 + e)^2, e = e^{-2|a|}, in the extended range. */
function tanhSlope(a: number): Ext {
  const x = 2 * Math.abs(a);
  if (x < 600) {
    const e = Math.exp(-x);
    return ext((4 * e) / ((1 + e) * (1 + e)));
  }
  const log2 = 2 - x * Math.LOG2E;
  const k = Math.floor(log2);
  return ext(2 ** (log2 - k), k);
}

/** The engine's forward values (pre-activations and hidden states per step), read through its hooks. */
function forwardValues(config: ProbeConfigInput): { a: Float64Array[]; h: Float64Array[] } {
  const a: Float64Array[] = [];
  const h: Float64Array[] = [];
  runProbe(config, {
    forwardHooks: {
      preActivation: (t, A, off) => {
        a[t] = A.slice(off, off + A.length - off);
      },
      hidden: (t, Hs, off) => {
        h[t] = Hs.slice(off, off + withDefaults(config).N * withDefaults(config).H);
      },
    },
  });
  return { a, h };
}

/** Textbook RNN BPTT in the extended range: the loss step's norms and the full gradients' log10s. */
function extendedRnn(config: ProbeConfig): {
  last: Record<'dh' | 'dWx' | 'dWh' | 'db', number[]>;
  full: Record<(typeof FULL)[number], number>;
} {
  const { N, T, D, H } = config;
  const { x, h0, Wx, Wh, dout } = buildInputs(config);
  const fwd = forwardValues(config);
  const X = (t: number, n: number, i: number): Ext => ext(x[(n * T + t) * D + i]);
  const hPrev = (k: number, n: number, i: number): Ext => ext(k === 0 ? h0[n * H + i] : fwd.h[k - 1][n * H + i]);
  const slope = fwd.a.map((at) => Array.from(at.subarray(0, N * H), tanhSlope));
  const Dout = (t: number): Ext[] =>
    Array.from({ length: N * H }, (_, s) => ext(dout[(Math.floor(s / H) * T + t) * H + (s % H)]));
  const outer = (A: (n: number, i: number) => Ext, K: number, da: Ext[]): Ext[] => {
    const m: Ext[] = [];
    for (let i = 0; i < K; i++)
      for (let j = 0; j < H; j++) {
        let s = ZERO;
        for (let n = 0; n < N; n++) s = add(s, mul(A(n, i), da[n * H + j]));
        m.push(s);
      }
    return m;
  };
  const carry = (da: Ext[]): Ext[] => {
    const next: Ext[] = [];
    for (let n = 0; n < N; n++)
      for (let i = 0; i < H; i++) {
        let s = ZERO;
        for (let j = 0; j < H; j++) s = add(s, mul(da[n * H + j], ext(Wh[i * H + j])));
        next.push(s);
      }
    return next;
  };
  const colSums = (da: Ext[]): Ext[] =>
    Array.from({ length: H }, (_, j) => {
      let s = ZERO;
      for (let n = 0; n < N; n++) s = add(s, da[n * H + j]);
      return s;
    });
  const last = { dh: [] as number[], dWx: [] as number[], dWh: [] as number[], db: [] as number[] };
  let dh = Dout(T - 1);
  for (let k = T - 1; k >= 0; k--) {
    last.dh[k] = normLog10(dh);
    const da = dh.map((v, s) => mul(v, slope[k][s]));
    last.dWx[k] = normLog10(outer((n, i) => X(k, n, i), D, da));
    last.dWh[k] = normLog10(outer((n, i) => hPrev(k, n, i), H, da));
    last.db[k] = normLog10(colSums(da));
    dh = carry(da);
  }
  let gWx: Ext[] = new Array(D * H).fill(ZERO);
  let gWh: Ext[] = new Array(H * H).fill(ZERO);
  let gb: Ext[] = new Array(H).fill(ZERO);
  let dx2 = ZERO;
  dh = new Array(N * H).fill(ZERO);
  for (let k = T - 1; k >= 0; k--) {
    const inject = Dout(k);
    dh = dh.map((v, s) => add(v, inject[s]));
    const da = dh.map((v, s) => mul(v, slope[k][s]));
    gWx = outer((n, i) => X(k, n, i), D, da).map((v, s) => add(gWx[s], v));
    gWh = outer((n, i) => hPrev(k, n, i), H, da).map((v, s) => add(gWh[s], v));
    gb = colSums(da).map((v, j) => add(gb[j], v));
    for (let n = 0; n < N; n++)
      for (let i = 0; i < D; i++) {
        let s = ZERO;
        for (let j = 0; j < H; j++) s = add(s, mul(da[n * H + j], ext(Wx[i * H + j])));
        dx2 = add(dx2, mul(s, s));
      }
    dh = carry(da);
  }
  return {
    last,
    full: { dWx: normLog10(gWx), dWh: normLog10(gWh), db: normLog10(gb), dh0: normLog10(dh), dx: log10Ext(sqrtExt(dx2)) },
  };
}

describe('a run whose gradients overflow past 1e308 (exploding RNN)', () => {
  const config = withDefaults({ arch: 'rnn', T: 3500, N: 1, D: 2, H: 16, seed: 2, whGain: 6, h0Scale: 1 });
  let reference: ReturnType<typeof extendedRnn>;
  const results: Record<string, ProbeResult> = {};

  it("the extended-range reference of the engine's own forward pass goes past 1e308", () => {
    reference = extendedRnn(config);
    expect(Math.max(...reference.last.dh)).toBeGreaterThan(330);
    expect(reference.full.dWh).toBeGreaterThan(330);
  });

  for (const [label, options] of [
    ['stored', {}],
    ['checkpointed', { checkpointSegment: 59 }],
  ] as const) {
    it(`${label}: every norm's log10 to 1e-12, plain values Infinity above float64's range`, () => {
      const r = (results[label] = runProbe(config, { fullGradients: true, ...options }));
      for (const q of ['dh', 'dWx', 'dWh', 'db'] as const) {
        reference.last[q].forEach((v, k) => expectLog10(r.lossStepNorms[q][k], v, `${q}[${k}]`));
      }
      for (const q of FULL) {
        expectLog10(r.fullGradNorms!.log10[q], reference.full[q], `full ${q}`);
        // Above float64's range the plain value is Infinity (null in JSON, inf in the CSV).
        expect(r.fullGradNorms![q]).toBe(reference.full[q] > 308.26 ? Infinity : 10 ** r.fullGradNorms!.log10[q]);
      }
    });
  }
});
