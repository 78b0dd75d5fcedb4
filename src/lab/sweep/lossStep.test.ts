// The sweep's loss step (spec.lossStep): the last step, a fixed step or a fraction of T, as each
// probe's engine lossStep (0-based); refused, naming the field, past the shortest T. And a real
// sweep stores and charts the curves up to it.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SWEEP_SPEC, lossStepOf, sweepSpecSchema } from '../../contract/sweepSpec';
import { openLabService, type LabService } from '../labService';
import { tempDir } from '../testing/labTestSupport';
import { expandSweep, specHash, validateSweepSpec } from './expandSweep';

const base = { name: 'loss', archs: ['rnn' as const], T: [10, 40], N: 1, D: 1, H: 2 };
const stepsOf = (lossStep: unknown) => {
  const check = validateSweepSpec({ ...base, lossStep });
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  return expandSweep(check.spec).map((p) => [p.config.T, p.config.lossStep]);
};

describe('a sweep loss step', () => {
  it('is the last step by default, a fixed step t (lossStep t - 1) or round(fraction x T), at least step 1', () => {
    expect(stepsOf(undefined)).toEqual([
      [10, 9],
      [40, 39],
    ]);
    expect(stepsOf('last')).toEqual([
      [10, 9],
      [40, 39],
    ]);
    expect(stepsOf(7)).toEqual([
      [10, 6],
      [40, 6],
    ]);
    expect(stepsOf(10)).toEqual([
      [10, 9],
      [40, 9],
    ]);
    expect(stepsOf({ fraction: 0.5 })).toEqual([
      [10, 4],
      [40, 19],
    ]);
    expect(stepsOf({ fraction: 1 })).toEqual([
      [10, 9],
      [40, 39],
    ]);
    expect(stepsOf({ fraction: 0 })).toEqual([
      [10, 0],
      [40, 0],
    ]);
    expect(lossStepOf({ fraction: 0.01 }, 10)).toBe(0);
  });

  it('past the shortest T is refused naming the field and the steps it allows', () => {
    const check = validateSweepSpec({ ...base, lossStep: 11 });
    expect(check.ok).toBe(false);
    if (!check.ok)
      expect(check.issues).toEqual([
        {
          path: 'lossStep',
          message:
            'Loss step: step 11 is past the end of the shortest sequence (T = 10); use a step in [1, 10], "last", or a fraction of T',
        },
      ]);
    for (const bad of [0, 2.5, { fraction: 1.5 }, { fraction: -0.1 }, 'first']) {
      const r = validateSweepSpec({ ...base, lossStep: bad });
      expect(r.ok, JSON.stringify(bad)).toBe(false);
      if (!r.ok) expect(r.issues[0].path).toMatch(/^lossStep/);
    }
  });

  it('left out, a spec keeps the hash it had before the field took other values', () => {
    const parsed = sweepSpecSchema.parse({ ...DEFAULT_SWEEP_SPEC, lossStep: undefined });
    expect(specHash(parsed)).toBe(specHash(sweepSpecSchema.parse(DEFAULT_SWEEP_SPEC)));
    expect(parsed.lossStep).toBe('last');
  });
});

describe('a sweep with a fixed loss step, run', () => {
  let service: LabService | undefined;
  afterAll(async () => service?.close());

  it('stores each curve up to that step (k = 0..t-1) and its loss_step', async () => {
    service = await openLabService({ dbPath: join(tempDir(), 'lab.sqlite'), workers: 1 });
    const q = await service.queueSweep({ ...base, archs: ['rnn', 'lstm'], forgetBias: [1], lossStep: 6 });
    if (!q.ok) throw new Error(q.error.message);
    expect((await service.waitForSweep(q.value.id)).ok).toBe(true);
    const curves = await service.loadCurves({ sweepId: q.value.id, norm: 'dh' });
    if (!curves.ok) throw new Error(curves.error.message);
    expect(curves.value.curves).toHaveLength(4);
    for (const c of curves.value.curves) {
      expect(c.lossStep).toBe(5);
      expect(c.log10).toHaveLength(6);
    }
  });
});
