// One table of limits, and the memory budget shared by the probes of every worker.
import { describe, expect, it } from 'vitest';
import { LIMITS, planTrace, withDefaults } from '../../engine/index';
import { SWEEP_LIMITS } from '../../contract/sweepSpec';
import { validateSweepSpec } from './expandSweep';
import { labMemoryBudget, perWorkerProbeBytes } from './memoryBudget';
import { checkProbe } from '../probeService';

const issuesOf = (spec: object, maxBytes?: number) => {
  const v = validateSweepSpec({ name: 'limits', ...spec }, maxBytes);
  return v.ok ? [] : v.issues;
};

describe('one table of limits', () => {
  it("the sweep spec's ranges are the engine's (the CLI probe's): T up to 1,000,000, N, D, H up to 65,536, gains and scales up to 100", () => {
    for (const f of ['T', 'N', 'D', 'H', 'forgetBias', 'seed', 'whGain', 'h0Scale', 'bScale'] as const)
      expect(SWEEP_LIMITS[f]).toBe(LIMITS[f]);
    expect(LIMITS.T.max).toBe(1_000_000);
    for (const f of ['N', 'D', 'H'] as const) expect(LIMITS[f].max).toBe(65_536);
    for (const f of ['whGain', 'h0Scale', 'bScale'] as const) expect(LIMITS[f].max).toBe(100);
    expect(SWEEP_LIMITS).toMatchObject({ name: { max: 200 }, listLength: { max: 1000 }, probes: { max: 100_000 } });
  });

  it('a sweep takes what the CLI probe takes at the edges of the table, and refuses one past them naming the field and range', () => {
    expect(issuesOf({ archs: ['rnn'], T: [1_000_000], N: 1, D: 1, H: 1 })).toEqual([]);
    expect(checkProbe({ arch: 'rnn', T: 1_000_000, N: 1, D: 1, H: 1, seed: 1 }).ok).toBe(true);
    expect(issuesOf({ archs: ['rnn'], T: [2], N: 65_536, D: 1, H: 8 })).toEqual([]);
    const range = (path: string, text: string) => [{ path, message: expect.stringContaining(text) }];
    expect(issuesOf({ archs: ['rnn'], T: [1_000_001], N: 1, D: 1, H: 1 })).toEqual(
      range('T.0', 'T must be an integer in [1, 1000000]'),
    );
    expect(issuesOf({ archs: ['rnn'], T: [2], N: 1, D: 65_537, H: 1 })).toEqual(range('D', 'D must be an integer in [1, 65536]'));
    expect(issuesOf({ archs: ['rnn'], T: [2], init: { whGain: 100.5 } })).toEqual(
      range('init.whGain', 'init.whGain must be a number in [0, 100]'),
    );
  });

  it('within the table, the memory check decides: H = 65,536 does not fit one probe, and says so by field', () => {
    const issues = issuesOf({ archs: ['lstm'], T: [2], N: 1, D: 1, H: 65_536 });
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('H');
    expect(issues[0].message).toMatch(/needs .*, more than the .* one probe may use here/);
  });
});

describe('the memory budget across workers', () => {
  it("each worker's probe gets an equal share, so the probes running at once fit the budget together", () => {
    const budget = 6 * 1024 ** 3;
    for (const workers of [1, 2, 3, 7]) {
      const share = perWorkerProbeBytes(workers, budget);
      expect(share * workers).toBeLessThanOrEqual(budget);
      expect(share).toBe(Math.min(4 * 1024 ** 3, Math.floor(budget / workers)));
    }
    expect(perWorkerProbeBytes(2)).toBe(Math.min(4 * 1024 ** 3, Math.floor(labMemoryBudget() / 2)));
  });

  it("a spec whose longest probe fits one worker's share only checkpointed is accepted; one that fits no share is refused", () => {
    const spec = { archs: ['lstm'], T: [20_000], N: 8, D: 4, H: 32 };
    const config = withDefaults({ arch: 'lstm', T: 20_000, N: 8, D: 4, H: 32, seed: 1 });
    const stored = planTrace(config, { fullGradients: true, lyapunovK: 4 }, Infinity).bytes;
    const share = Math.floor(stored / 4);
    expect(planTrace(config, { fullGradients: true, lyapunovK: 4 }, share).checkpointed).toBe(true);
    expect(issuesOf(spec, share)).toEqual([]);
    expect(issuesOf(spec, 1024 * 1024)[0].path).toBe('H');
  });
});
