// The numbers printed in the article the project started from (Kravets, "Backpropagation and
// Vanishing Gradient Problem in RNN (Part 2)", Towards AI, 2023; see reference/README.md),
// copied here as printed: its final loop's three components and its three dL3/dWx matrices.
import { describe, expect, it } from 'vitest';
import { runProbe } from './index';
import { loadReferenceCases } from './testing/referenceData';

const ARTICLE = { arch: 'lstm', T: 3, N: 1, D: 3, H: 1, seed: 1, init: 'article' } as const;

// As printed, for dL3/dWx at steps 2, 1, 0 (the article's x2, x1, x0).
const PRINTED: Record<number, string[][]> = {
  2: [
    ['-0.02349287', '0.00135057', '-0.11156069', '-0.05284914'],
    ['0.01024921', '-0.00058921', '0.04867045', '0.02305643'],
    ['-0.00429567', '0.00024695', '-0.02039889', '-0.00966347'],
  ],
  1: [
    ['-9.83990139e-03', '6.78775168e-05', '-1.10660923e-03', '4.20773125e-04'],
    ['7.93641636e-03', '-5.47469140e-05', '8.92540613e-04', '-3.39376441e-04'],
    ['-2.11067811e-02', '1.45598602e-04', '-2.37369846e-03', '9.02566589e-04'],
  ],
  0: [
    ['-1.95768961e-05', '0.00000000e+00', '2.77411349e-05', '-9.76467796e-03'],
    ['7.37299593e-06', '0.00000000e+00', '-1.04477887e-05', '3.67754574e-03'],
    ['6.36561888e-06', '0.00000000e+00', '-9.02030083e-06', '3.17508036e-03'],
  ],
};

/** Half a unit in the last printed digit of a numpy-formatted number. */
function halfLastDigit(s: string): number {
  const [mantissa, exp] = s.toLowerCase().split('e');
  const decimals = (mantissa.split('.')[1] ?? '').length;
  return 0.5 * 10 ** (-decimals + (exp ? Number(exp) : 0));
}

describe("the article's LSTM example (seed 1, N=1, D=3, T=3, H=1)", () => {
  it('gives Loss 3 components 0.010906688399113558, 0.02478099846737857, 0.13901933055672275 to 1e-12', () => {
    const r = runProbe(ARTICLE);
    const printed = [0.010906688399113558, 0.02478099846737857, 0.13901933055672275];
    printed.forEach((v, k) => expect(Math.abs(10 ** r.lossStepNorms.dWx[k] - v) / v).toBeLessThan(1e-12));
  });

  it("gives every loss's components (the article's losses_dWx table) to 1e-12", () => {
    const expected = loadReferenceCases().find((c) => c.name === 'article_lstm_seed1')!.expected.article_components_dWx!;
    const r = runProbe(ARTICLE, { lossTable: true });
    for (const [loss, comps] of Object.entries(expected)) {
      const row = r.lossTable![Number(loss) - 1];
      expect(row.dWx.length).toBe(comps.length);
      comps.forEach((v, k) => expect(Math.abs(10 ** row.dWx[k] - v) / v, `loss ${loss} component ${k}`).toBeLessThan(1e-12));
    }
  });

  it('prints the three dL3/dWx matrices to the digits the article shows', () => {
    const matrices = new Map<number, Float64Array>();
    runProbe(ARTICLE, { onStepWeightGradient: (k, m) => matrices.set(k, m) });
    for (const [k, rows] of Object.entries(PRINTED)) {
      const m = matrices.get(Number(k))!;
      rows.forEach((row, i) =>
        row.forEach((s, j) => {
          const got = m[i * 4 + j];
          expect(Math.abs(got - Number(s)), `step ${k} [${i}][${j}]`).toBeLessThanOrEqual(halfLastDigit(s) * (1 + 1e-9));
        }),
      );
    }
  });
});
