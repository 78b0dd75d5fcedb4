// The timed estimate's logic, on a synthetic clock: samples whose seconds follow a known
// once + perStep * T, so that what the fit and the schedule must give is known exactly. The
// real workers timing real samples are tested in sampleTimer.test.ts and labService.test.ts;
// whether the estimate is right on this machine is `npm run bench -- --estimates`.
import { describe, expect, it } from 'vitest';
import { STORED_TRACE_MAX_BYTES, withDefaults, type ProbeConfig } from '../../engine/index';
import type { TimingSample } from '../../engine/probeCost';
import { makespan, speedModelFrom, sweepSeconds } from './estimateSweep';
import { checkSweepSpec } from './expandSweep';
import {
  costGroups,
  fitGroupCost,
  groupSamples,
  probeSeconds,
  timedEstimate,
  timeGroupCosts,
  type SampleTiming,
} from './timedEstimate';

const MODEL = speedModelFrom({ big: 0.005, small: 0.002, once: 0.02 });
const GIB = 1024 ** 3;
const settings = { lyapunovVectors: 0 };
const config = (over: Partial<ProbeConfig>): ProbeConfig =>
  withDefaults({ arch: 'lstm', T: 64, N: 4, D: 4, H: 8, seed: 1, ...over });

/**
 * A clock where a sample of T steps takes once + perStep * T, per arch, less the backward share of
 * perStep for each step after its loss step; records what was asked.
 */
function syntheticClock(cost: Record<string, { once: number; perStep: number; backwardShare?: number }>) {
  const asked: { samples: TimingSample[]; concurrency: number }[] = [];
  const time: SampleTiming = async (samples, concurrency) => {
    asked.push({ samples: [...samples], concurrency });
    return samples.map((s) => {
      const { once, perStep, backwardShare = 0 } = cost[s.config.arch];
      return once + perStep * (s.config.T - backwardShare * (s.config.T - 1 - s.config.lossStep));
    });
  };
  return { asked, time };
}

describe('cost groups', () => {
  it('groups probes by shape and kind of trace, each with its longest probe', () => {
    const configs = [
      config({ T: 16 }),
      config({ T: 1024, forgetBias: 2 }),
      config({ T: 256 }),
      config({ arch: 'rnn', T: 64 }),
      config({ H: 16, T: 64 }),
    ];
    const { groups, groupOf } = costGroups(configs, settings, GIB);
    expect(groups).toHaveLength(3);
    expect(groupOf).toEqual([0, 0, 0, 1, 2]);
    expect(groups[0].maxT).toBe(1024);
    expect(groups[0].longest.forgetBias).toBe(2);
    expect(groups.map((g) => g.checkpointed)).toEqual([false, false, false]);
    expect(groups.map((g) => g.partialLoss)).toEqual([false, false, false]);
  });

  it('marks a group with a probe whose loss step is not its last', () => {
    const { groups } = costGroups([config({ T: 64 }), config({ T: 256, lossStep: 99 })], settings, GIB);
    expect(groups).toHaveLength(1);
    expect(groups[0].partialLoss).toBe(true);
  });

  it('puts the checkpointed probes of a shape in a group of their own', () => {
    // Past STORED_TRACE_MAX_BYTES the trace is checkpointed whatever the budget.
    const perStep = 8 * 64 * 32 * 7;
    const long = Math.ceil(STORED_TRACE_MAX_BYTES / perStep) + 10;
    const { groups, groupOf } = costGroups(
      [config({ N: 64, D: 4, H: 32, T: 100 }), config({ N: 64, D: 4, H: 32, T: long })],
      settings,
      8 * GIB,
    );
    expect(groupOf).toEqual([0, 1]);
    expect(groups.map((g) => g.checkpointed)).toEqual([false, true]);
    expect(groups[1].segment).toBeLessThan(long);
  });
});

describe('samples', () => {
  it('are the longest probe at a length the model prices within the budget, and an eighth of it', () => {
    const { groups } = costGroups([config({ T: 100_000 })], settings, 4 * GIB);
    const samples = groupSamples(groups[0], settings, MODEL, 0.05, 4 * GIB);
    expect(samples).toHaveLength(2);
    const [short, long] = samples;
    expect(long.config.T).toBeLessThan(100_000);
    expect(short.config.T).toBe(Math.ceil(long.config.T / 8));
    expect(long.config.lossStep).toBe(long.config.T - 1);
    expect(short.segment).toBeUndefined();
    // The sizes, the inputs' seed and settings are the probe's own.
    expect(long.config).toMatchObject({ arch: 'lstm', N: 4, D: 4, H: 8, seed: 1 });
    expect(long.maxBytes).toBe(4 * GIB);
    // The worker readies its memory for the probe they stand for, T = 100,000 (timeSamples).
    expect(samples.map((s) => s.arenaFor)).toEqual([groups[0].longest, groups[0].longest]);
  });

  it('are the probe itself when it is short, timed twice', () => {
    const { groups } = costGroups([config({ T: 8 })], settings, GIB);
    const samples = groupSamples(groups[0], settings, MODEL, 10, GIB);
    expect(samples.map((s) => s.config.T)).toEqual([1, 8]);
    expect(samples.map((s) => s.runs)).toEqual([2, 2]);
  });

  it('of a checkpointed group are checkpointed, the shorter in at least two segments', () => {
    const perStep = 8 * 64 * 32 * 7;
    const long = Math.ceil(STORED_TRACE_MAX_BYTES / perStep) + 10;
    const { groups } = costGroups([config({ N: 64, D: 4, H: 32, T: long })], settings, 8 * GIB);
    const [short, longer] = groupSamples(groups[0], settings, MODEL, 0.5, 8 * GIB);
    expect(short.segment).toBeDefined();
    expect(short.segment).toBe(longer.segment);
    expect(short.config.T / short.segment!).toBeGreaterThanOrEqual(2);
  });
});

describe('the fit', () => {
  it('recovers once + perStep * T from two samples', () => {
    const samples = [{ config: config({ T: 10 }) }, { config: config({ T: 80 }) }] as TimingSample[];
    const fit = fitGroupCost(samples, [0.5 + 10 * 0.01, 0.5 + 80 * 0.01]);
    expect(fit.once).toBeCloseTo(0.5, 12);
    expect(fit.perStep).toBeCloseTo(0.01, 12);
  });

  it('counts a longer sample that came out no slower as all steps', () => {
    const samples = [{ config: config({ T: 10 }) }, { config: config({ T: 80 }) }] as TimingSample[];
    expect(fitGroupCost(samples, [0.9, 0.8])).toEqual({ once: 0, perStep: 0.8 / 80, backwardShare: 0 });
  });

  it("measures the backward pass's share of a step, with the loss at step 0, only where a probe needs it", async () => {
    const clock = syntheticClock({ lstm: { once: 0.01, perStep: 1e-3, backwardShare: 0.6 } });
    const full = costGroups([config({ T: 100_000 })], settings, 4 * GIB);
    expect((await timeGroupCosts(full.groups, settings, MODEL, 4 * GIB, clock.time, 1))![0].backwardShare).toBe(0);
    expect(clock.asked[0].samples).toHaveLength(2);

    const partial = costGroups([config({ T: 100_000, lossStep: 999 })], settings, 4 * GIB);
    const [cost] = (await timeGroupCosts(partial.groups, settings, MODEL, 4 * GIB, clock.time, 1))!;
    const [short, long, twin] = clock.asked[1].samples;
    expect(short.config.lossStep).toBe(short.config.T - 1);
    expect(long.config.lossStep).toBe(long.config.T - 1);
    expect(twin.config).toEqual({ ...long.config, lossStep: 0 });
    expect([long.runs, twin.runs]).toEqual([2, 2]);
    expect(cost.once).toBeCloseTo(0.01, 9);
    expect(cost.perStep).toBeCloseTo(1e-3, 12);
    expect(cost.backwardShare).toBeCloseTo(0.6, 9);
    // Every step forward, the first 1000 back.
    expect(probeSeconds(cost, { T: 100_000, lossStep: 999 })).toBeCloseTo(0.01 + 1e-3 * (100_000 - 0.6 * 99_000), 6);
  });

  it('times a second, longer sample when the once work outweighs the steps the two differ by', async () => {
    // The model prices the steps far above what they cost here: the first longer sample is short.
    const clock = syntheticClock({ lstm: { once: 0.3, perStep: 1e-5 } });
    const { groups } = costGroups([config({ T: 100_000 })], settings, 4 * GIB);
    const [cost] = (await timeGroupCosts(groups, settings, MODEL, 4 * GIB, clock.time, 1))!;
    expect(clock.asked).toHaveLength(2);
    const second = clock.asked[1].samples[0];
    expect(second.runs).toBe(1);
    // Long enough for the steps to outweigh the once work (2x), the budget permitting.
    expect(second.config.T * 1e-5).toBeGreaterThan(0.3);
    expect(cost.once).toBeCloseTo(0.3, 9);
    expect(cost.perStep).toBeCloseTo(1e-5, 12);
  });

  it('does not time a shape whose shortest sample would take seconds (the form would wait for it)', async () => {
    const clock = syntheticClock({ lstm: { once: 10, perStep: 1 } });
    const { groups } = costGroups([config({ T: 16, N: 4, D: 4, H: 4096 })], settings, 16 * GIB);
    expect(await timeGroupCosts(groups, settings, MODEL, 16 * GIB, clock.time, 1)).toBeNull();
    expect(clock.asked).toHaveLength(0);
  });

  it('needs no second round when the steps dominate', async () => {
    const clock = syntheticClock({ lstm: { once: 0.001, perStep: 1e-3 } });
    const { groups } = costGroups([config({ T: 100_000 })], settings, 4 * GIB);
    await timeGroupCosts(groups, settings, MODEL, 4 * GIB, clock.time, 1);
    expect(clock.asked).toHaveLength(1);
  });
});

describe('the schedule', () => {
  it('hands probes out biggest first to the worker free first', () => {
    // The runner's greedy order, not the best split (3 + 3 | 2 + 2 + 2 would take 6).
    expect(makespan([3, 3, 2, 2, 2], 2)).toBe(7);
    expect(makespan([2, 3, 2, 3, 2], 2)).toBe(7);
    expect(makespan([5, 1, 1, 1], 2)).toBe(5);
    expect(makespan([1, 2, 3], 1)).toBe(6);
    expect(makespan([4], 8)).toBe(4);
  });

  it('has the host take the finished probes one at a time, after each finishes', () => {
    // The host's share of the last probe to finish comes after it.
    expect(makespan([3], 1, [1])).toBe(4);
    // Short host work hides behind the probes still running: only the last one's shows.
    expect(makespan([3, 3, 2, 2, 2], 2, [0.5, 0.5, 0.5, 0.5, 0.5])).toBe(7.5);
    // Many short probes on 2 workers: the host, 2 ms a probe, sets the pace (they finish every 0.5 ms).
    const short = new Array<number>(100).fill(0.001);
    expect(makespan(short, 2, new Array<number>(100).fill(0.002))).toBeCloseTo(0.001 + 100 * 0.002, 12);
    expect(makespan(short, 2, new Array<number>(100).fill(0))).toBeCloseTo(0.05, 12);
  });
});

describe('the timed estimate', () => {
  const spec = checkSweepSpec({ name: 'x', archs: ['rnn', 'lstm'], T: [16, 64, 256], seeds: [1, 2], N: 4, D: 4, H: 8 });
  if (!spec.ok) throw new Error('rejected');

  it("prices each probe by its group's fit and schedules them on the workers", async () => {
    const cost: Record<string, { once: number; perStep: number }> = {
      rnn: { once: 0.01, perStep: 1e-4 },
      lstm: { once: 0.02, perStep: 3e-4 },
    };
    const clock = syntheticClock(cost);
    const e = await timedEstimate({ probes: spec.probes, workers: 2, settings, model: MODEL, maxBytes: GIB, time: clock.time });
    expect(e.basis).toBe('timed');
    expect(e.workers).toBe(2);
    // Two workers timed the samples at once: the sweep keeps both busy.
    expect(clock.asked[0].concurrency).toBe(2);
    const seconds = spec.probes.map((p) => cost[p.config.arch].once + cost[p.config.arch].perStep * p.config.T);
    expect(e.seconds).toBeCloseTo(sweepSeconds(spec.probes, seconds, 2, settings), 9);
  });

  it('prices a sweep whose loss step is a fraction of T by its steps forward and back', async () => {
    const half = checkSweepSpec({ name: 'x', archs: ['lstm'], T: [512, 2048], lossStep: { fraction: 0.25 }, N: 4, D: 4, H: 8 });
    if (!half.ok) throw new Error('rejected');
    const cost = { lstm: { once: 0.02, perStep: 3e-4, backwardShare: 0.7 } };
    const clock = syntheticClock(cost);
    const e = await timedEstimate({ probes: half.probes, workers: 1, settings, model: MODEL, maxBytes: GIB, time: clock.time });
    const { once, perStep, backwardShare } = cost.lstm;
    const seconds = half.probes.map((p) => once + perStep * (p.config.T - backwardShare * (p.config.T - 1 - p.config.lossStep)));
    expect(half.probes.map((p) => p.config.lossStep)).toEqual([127, 511]);
    expect(e.seconds).toBeCloseTo(sweepSeconds(half.probes, seconds, 1, settings), 9);
  });

  it('times on one worker a sweep of one probe, on the threads the idle worker leaves it', async () => {
    const one = checkSweepSpec({ name: 'x', archs: ['rnn'], T: [64], N: 4, D: 4, H: 8 });
    if (!one.ok) throw new Error('rejected');
    const clock = syntheticClock({ rnn: { once: 0.01, perStep: 1e-4 }, lstm: { once: 0.02, perStep: 3e-4 } });
    await timedEstimate({ probes: one.probes, workers: 2, settings, model: MODEL, maxBytes: GIB, time: clock.time });
    expect(clock.asked[0].concurrency).toBe(1);
    expect(clock.asked[0].samples.map((s) => s.threads)).toEqual([2, 2]);
    // As many probes as workers: one thread each.
    await timedEstimate({ probes: spec.probes, workers: 2, settings, model: MODEL, maxBytes: GIB, time: clock.time });
    expect(clock.asked[1].samples.every((s) => s.threads === undefined)).toBe(true);
  });

  it('falls back to the calibrated model, and says so, when the workers cannot time now', async () => {
    const e = await timedEstimate({
      probes: spec.probes,
      workers: 2,
      settings,
      model: MODEL,
      maxBytes: GIB,
      time: async () => null,
    });
    expect(e.basis).toBe('calibrated');
    expect(e.seconds).toBeGreaterThan(0);
    expect(e.probes).toBe(spec.probes.length);
  });
});
