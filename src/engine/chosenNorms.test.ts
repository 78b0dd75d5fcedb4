// Asking for some of the loss step's norms: those asked come out bit for bit as in the run that
// computes all five, and the others are not there.
import { describe, expect, it } from 'vitest';
import { runProbe } from './probe';
import { STEP_NORM_NAMES, prefersGram, type StepNormName } from './backward';
import { dimsOf } from './forward';
import { withDefaults, type ProbeConfigInput } from './probeConfig';

const bits = (a: Float64Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

const CHOICES: StepNormName[][] = [
  ['dh'],
  ['dh', 'dc'],
  ['dc'],
  ['dWx'],
  ['dWh'],
  ['db'],
  ['dWx', 'db'],
  ['dh', 'dWh'],
  ['dc', 'dWx', 'dWh', 'db'],
];

const CONFIGS: { config: ProbeConfigInput; route: 'gram' | 'direct' }[] = [
  { config: { arch: 'rnn', T: 40, N: 2, D: 5, H: 6, seed: 3, whGain: 1.5 }, route: 'gram' },
  { config: { arch: 'rnn', T: 30, N: 9, D: 2, H: 3, seed: 4 }, route: 'direct' },
  { config: { arch: 'lstm', T: 50, N: 2, D: 4, H: 5, seed: 5, forgetBias: 1 }, route: 'gram' },
  { config: { arch: 'lstm', T: 25, N: 12, D: 2, H: 2, seed: 6 }, route: 'direct' },
  { config: { arch: 'gru', T: 35, N: 2, D: 3, H: 4, seed: 7 }, route: 'gram' },
  { config: { arch: 'gru', T: 20, N: 10, D: 2, H: 2, seed: 8 }, route: 'direct' },
  // Saturated units and tiny states: the scaled paths and the gram route's rescaling.
  { config: { arch: 'lstm', T: 30, N: 1, D: 1, H: 1, seed: 25, bScale: 100 }, route: 'gram' },
  { config: { arch: 'rnn', T: 10, N: 1, D: 1, H: 1, seed: 1, whGain: 100, h0Scale: 100, bScale: 100 }, route: 'direct' },
];

describe('a probe asked for some of its norms', () => {
  for (const { config, route } of CONFIGS) {
    const c = withDefaults(config);
    it(`${c.arch} T=${c.T} N=${c.N} D=${c.D} H=${c.H} seed=${c.seed} (${route} route): each asked norm to the bit, no other`, () => {
      expect(prefersGram(dimsOf(c.arch, c.T, c.N, c.D, c.H))).toBe(route === 'gram');
      const all = runProbe(c).lossStepNorms;
      for (const norms of CHOICES) {
        const chosen = runProbe(c, { norms }).lossStepNorms;
        for (const name of STEP_NORM_NAMES) {
          const expected = norms.includes(name) ? all[name] : undefined;
          if (expected === undefined) expect(chosen[name], `${norms.join(',')}: ${name}`).toBeUndefined();
          else expect(bits(chosen[name]!), `${norms.join(',')}: ${name}`).toBe(bits(expected));
        }
      }
    });
  }

  it('a checkpointed trace gives the same chosen norms as the stored one', () => {
    const c = withDefaults({ arch: 'lstm', T: 60, N: 3, D: 3, H: 4, seed: 9, forgetBias: 2 });
    const all = runProbe(c).lossStepNorms;
    const chosen = runProbe(c, { norms: ['dh', 'dc'], checkpointSegment: 7 });
    expect(chosen.checkpointed).toBe(true);
    expect(bits(chosen.lossStepNorms.dh!)).toBe(bits(all.dh));
    expect(bits(chosen.lossStepNorms.dc!)).toBe(bits(all.dc!));
    expect(Object.keys(chosen.lossStepNorms).sort()).toEqual(['dc', 'dh']);
  });

  it('an RNN asked for dc has no dc (the cell exists only in the LSTM)', () => {
    expect(runProbe({ arch: 'rnn', T: 5, N: 1, D: 2, H: 2, seed: 1 }, { norms: ['dh', 'dc'] }).lossStepNorms).not.toHaveProperty(
      'dc',
    );
  });

  it('the forward pass, theory and Lyapunov exponents do not depend on the norms asked', () => {
    const c = withDefaults({ arch: 'lstm', T: 40, N: 4, D: 3, H: 5, seed: 11, forgetBias: 1 });
    const all = runProbe(c, { lyapunov: { k: 2 } });
    const dh = runProbe(c, { lyapunov: { k: 2 }, norms: ['dh'] });
    expect(dh.forward).toEqual(all.forward);
    expect(dh.theory).toEqual(all.theory);
    expect(dh.lyapunov).toEqual(all.lyapunov);
  });
});
