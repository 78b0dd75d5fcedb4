import { describe, expect, it } from 'vitest';
import { decayCaption } from './decayCaption';
import type { SeriesSummary, TheoryLineSummary } from './decayChart';
import { theoryAvailability, theoryCaption, theoryLine, theorySlope, theoryXs } from './theoryLines';

const theory = (t: Partial<Record<'lyapunovTop' | 'meanField' | 'cellPath' | 'pmbBound', number | null>>) => ({
  lyapunovTop: null,
  meanField: null,
  cellPath: null,
  pmbBound: null,
  ...t,
});

describe('theory lines', () => {
  it('geometry: a straight line through (0, y0) with the rate as slope', () => {
    expect(theoryLine(theoryXs(0, 100, 'linear'), -1, -0.02)).toEqual([
      { x: 0, y: -1 },
      { x: 100, y: -3 },
    ]);
    const xs = theoryXs(1, 1000, 'log');
    expect(xs).toHaveLength(49);
    expect(xs[0]).toBe(1);
    expect(xs.at(-1)).toBeCloseTo(1000, 9);
    expect(xs[24]).toBeCloseTo(Math.sqrt(1000), 9);
  });
  it('each kind only where it applies and where a finite rate is stored', () => {
    const rnn = { arch: 'rnn' as const, theory: theory({ lyapunovTop: -0.3, meanField: -0.27, pmbBound: 0.29, cellPath: -1 }) };
    expect(theorySlope(rnn, 'lyapunov')).toBe(-0.3);
    expect(theorySlope(rnn, 'cellPath')).toBeNull();
    const lstm = { arch: 'lstm' as const, theory: theory({ cellPath: -0.02, lyapunovTop: null }) };
    expect(theorySlope(lstm, 'cellPath')).toBe(-0.02);
    expect(theorySlope(lstm, 'lyapunov')).toBeNull();
    expect(theorySlope({ arch: 'rnn', theory: theory({ meanField: -Infinity }) }, 'meanField')).toBeNull();
    expect(theoryAvailability([rnn, lstm])).toEqual([
      { kind: 'lyapunov', count: 1, applicable: 2 },
      { kind: 'meanField', count: 1, applicable: 1 },
      { kind: 'cellPath', count: 1, applicable: 1 },
      { kind: 'pmb', count: 1, applicable: 1 },
    ]);
    // The GRU has none of them.
    expect(theoryAvailability([{ arch: 'gru', theory: theory({}) }]).every((a) => a.applicable === 0)).toBe(true);
  });
  it('the caption describes only the lines on screen', () => {
    const rnnOnly: SeriesSummary[] = [{ key: 'rnn', label: 'RNN', role: 'rnn', points: 10, color: '#000', dash: [], seeds: 1 }];
    const lines: TheoryLineSummary[] = [{ kind: 'meanField', seriesKey: 'rnn', label: '', slope: -0.2, y0: 0, dataset: 1 }];
    const caption = decayCaption({ norm: 'dh', series: rnnOnly, theoryLines: lines, bands: true, archsChosen: ['rnn'] });
    expect(caption).toContain('RNN measured, one seed each');
    expect(caption).toContain('large-H approximation');
    expect(caption).not.toMatch(/LSTM|cell path|Lyapunov|seeds\./);
    expect(caption).not.toContain('min–max');
    expect(theoryCaption([])).toBe('');
    // "per step" only next to a per-step number.
    for (const k of ['lyapunov', 'meanField', 'cellPath', 'pmb'] as const) {
      const text = theoryCaption([k]);
      expect(text).toMatch(/per step/);
    }
  });
});
