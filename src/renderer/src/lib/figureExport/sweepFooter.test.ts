import { describe, expect, it } from 'vitest';
import { DEFAULT_SWEEP_SPEC, type SweepSpec } from '../../../../contract/sweepSpec';
import { specSummary, sweepFooter } from './sweepFooter';

describe('figure footer', () => {
  it('names the sweep and its configuration', () => {
    const spec: SweepSpec = { ...DEFAULT_SWEEP_SPEC, name: 'bias study', T: [16, 64], forgetBias: [0, 2], N: 4, D: 1, H: 8 };
    expect(sweepFooter([{ id: 3, name: 'bias study', spec }])).toBe(
      'Sweep "bias study" (#3): rnn, lstm · T 16, 64 · bf 0, 2 · seeds 1 · N=4 D=1 H=8 · init scaled g=1 · loss step last',
    );
  });
  it('leaves the bias out of an RNN-only sweep and lists several sweeps', () => {
    const rnn: SweepSpec = {
      ...DEFAULT_SWEEP_SPEC,
      archs: ['rnn'],
      init: { ...DEFAULT_SWEEP_SPEC.init, whGain: 1.5 },
      lossStep: { fraction: 0.5 },
    };
    expect(specSummary(rnn)).not.toContain('bf');
    expect(specSummary(rnn)).toContain('g=1.5');
    expect(specSummary(rnn)).toContain('loss step 0.5 T');
    const text = sweepFooter([
      { id: 1, name: 'a', spec: rnn },
      { id: 2, name: 'b', spec: DEFAULT_SWEEP_SPEC },
    ]);
    expect(text.startsWith('Sweeps "a" (#1): rnn · ')).toBe(true);
    expect(text).toContain('; "b" (#2): rnn, lstm · ');
    expect(sweepFooter([])).toBe('');
  });
});
