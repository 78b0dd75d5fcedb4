// The sweep form's time estimate from this machine's own times of the sweep's shapes. The cost
// model's speeds, measured on two small calibration probes, are off by up to 5x at other sizes
// (the products run at another fraction of the peak at every H and N, the widest are bound by
// memory, long traces are checkpointed), so each distinct shape of a sweep is timed instead: two
// short probes of it (the longer one near a fixed budget), their times fitted by once + perStep * T,
// on as many workers at once as the sweep will keep busy. (A probe whose loss step comes before its
// last step runs its backward pass over only the steps up to it: where a shape has such probes, a
// third sample with its loss at step 0 measures the backward pass's share of a step.) The
// model only sizes the samples, and stands in when the workers cannot time them (they are
// running a sweep).
import { planTrace, threadsEach, type ProbeConfig } from '../../engine/index';
import { probeCostTerms, sweepProbeNeeds, type TimingSample } from '../../engine/probeCost';
import type { SweepEstimate } from '../../contract/labApi';
import type { ExpandedProbe } from './expandSweep';
import { engineSeconds, estimateProbes, modelSeconds, sweepSeconds, type SpeedModel } from './estimateSweep';
import type { SweepProbeSettings } from './sweepProbeSettings';

/** The longer sample of a shape takes about this long at most (by the model, which overprices large shapes)... */
const MAX_SAMPLE_SECONDS = 0.3;
/** ...and the longer samples of all shapes together about this long: many shapes get shorter ones. */
const ALL_SAMPLES_SECONDS = 1;
/** The shorter sample is this fraction of the longer one's steps. */
const SHORT_SAMPLE_SHARE = 1 / 8;
/**
 * Where the once-per-probe work (sigma_max(Wh)'s Gram matrix, the packed weights) outweighs the
 * steps the two samples differ by, their difference is mostly noise: a second, longer sample is
 * timed, with steps worth about this many times the once work...
 */
const STEPS_OVER_ONCE = 2;
/** ...as far as a sample of at most this long allows. */
const MAX_SECOND_SAMPLE_SECONDS = 1;
/**
 * A shape whose shortest sample the model prices above this (sigma_max's Gram matrix alone takes
 * seconds at H = 4096) is not timed: the form would wait that long for every edit. The sweep is
 * priced by the calibrated model instead, and the estimate says it is rough.
 */
const MAX_TIMED_PROBE_SECONDS = 1.5;
/** Samples longer than this run once (their noise is a smaller part of them), shorter ones twice. */
const ONE_RUN_SECONDS = 0.25;

/** Probes whose time is one function of T: one shape, what they compute, and one kind of trace. */
export interface CostGroup {
  /** The group's longest probe: its samples are it at other lengths. */
  longest: ProbeConfig;
  /** The trace is checkpointed (the probes' traces exceed what they may keep whole). */
  checkpointed: boolean;
  /** Steps per segment of the longest probe's checkpointed trace. */
  segment: number;
  /** The longest probe's T. */
  maxT: number;
  /** Some probe's loss step comes before its last step (a fixed step, or a fraction of T). */
  partialLoss: boolean;
}

/** A group's time per probe, fitted to its samples' times. */
export interface GroupCost {
  once: number;
  /** Seconds of a step: forward and backward. */
  perStep: number;
  /** The backward pass's share of perStep (0 where it was not measured: no probe needs it). */
  backwardShare: number;
}

/** A probe's seconds by its group's cost: every step forward, the steps up to its loss step back. */
export function probeSeconds(cost: GroupCost, c: Pick<ProbeConfig, 'T' | 'lossStep'>): number {
  return cost.once + cost.perStep * (c.T - cost.backwardShare * (c.T - 1 - c.lossStep));
}

/** The cost groups of a sweep's probes, and which group each probe is in. */
export function costGroups(
  configs: readonly ProbeConfig[],
  settings: SweepProbeSettings,
  maxBytes: number,
): { groups: CostGroup[]; groupOf: number[] } {
  const byKey = new Map<string, number>();
  const groups: CostGroup[] = [];
  const groupOf = configs.map((c) => {
    const plan = planTrace(c, sweepProbeNeeds(c.arch, settings.lyapunovVectors, settings.norms), maxBytes);
    const key = JSON.stringify([c.arch, c.N, c.D, c.H, plan.checkpointed]);
    let g = byKey.get(key);
    if (g === undefined) {
      g = groups.length;
      byKey.set(key, g);
      groups.push({ longest: c, checkpointed: plan.checkpointed, segment: plan.segment, maxT: c.T, partialLoss: false });
    }
    const group = groups[g];
    if (c.lossStep < c.T - 1) group.partialLoss = true;
    if (c.T > group.maxT) Object.assign(group, { longest: c, maxT: c.T, segment: plan.segment });
    return g;
  });
  return { groups, groupOf };
}

/**
 * A group's samples, the longer one last: the longest T <= its longest probe's that the model
 * prices within `seconds`, or, where the once-per-probe work would outweigh that many steps, with
 * STEPS_OVER_ONCE times the once work in steps as far as MAX_SECOND_SAMPLE_SECONDS allows; and an
 * eighth of it (one sample when that is the same T). Their loss step is their last (see
 * firstLossSample). A checkpointed group's samples are checkpointed too, in segments that give the
 * shorter one two. Samples the model prices above ONE_RUN_SECONDS run once, the others twice (the
 * faster counts).
 */
export function groupSamples(
  g: CostGroup,
  settings: SweepProbeSettings,
  model: SpeedModel,
  seconds: number,
  maxBytes: number,
): TimingSample[] {
  const price = (T: number): number => modelSeconds({ ...g.longest, T, lossStep: T - 1 }, model, settings);
  const once = engineSeconds({ ...probeCostTerms(g.longest, settings), work: 0, steps: 0 }, model);
  const budget = Math.min(MAX_SECOND_SAMPLE_SECONDS, Math.max(seconds, (1 + STEPS_OVER_ONCE) * once));
  let [lo, hi] = [1, g.maxT];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (price(mid) <= budget) lo = mid;
    else hi = mid - 1;
  }
  const long = Math.max(Math.min(2, g.maxT), lo);
  const short = Math.max(1, Math.ceil(long * SHORT_SAMPLE_SHARE));
  const segment = g.checkpointed ? Math.min(g.segment, Math.max(1, Math.floor(short / 2))) : undefined;
  const sample = (T: number): TimingSample => ({
    config: { ...g.longest, T, lossStep: T - 1 },
    norms: settings.norms ? [...settings.norms] : undefined,
    lyapunovVectors: settings.lyapunovVectors,
    segment,
    maxBytes,
    runs: price(T) > ONE_RUN_SECONDS ? 1 : 2,
    // The worker readies its memory for the group's longest probe before timing: the sweep's
    // probes then run as fast as the samples did, the first on each worker too (timeSamples).
    arenaFor: g.longest,
  });
  return short < long ? [sample(short), sample(long)] : [sample(long)];
}

/**
 * A sample with its loss at step 0: every step forward, one back, so that its time and the full
 * sample's differ by the whole backward pass but one step: the largest difference to measure the
 * backward share by (with a half-way loss step, 10% noise in one of the two times moves a share
 * of 0.6 by about a third).
 */
export function firstLossSample(sample: TimingSample): TimingSample {
  return { ...sample, config: { ...sample.config, lossStep: 0 } };
}

/** once + perStep * T through the samples' times (one sample: all of it per step); backwardShare 0. */
export function fitGroupCost(samples: readonly TimingSample[], seconds: readonly number[]): GroupCost {
  const last = samples.length - 1;
  const [T1, s1] = [samples[last].config.T, seconds[last]];
  if (last === 0) return { once: 0, perStep: s1 / T1, backwardShare: 0 };
  const [T0, s0] = [samples[0].config.T, seconds[0]];
  const perStep = (s1 - s0) / (T1 - T0);
  // Noise can make the longer sample no slower: then its time is all steps.
  if (!(perStep > 0)) return { once: 0, perStep: s1 / T1, backwardShare: 0 };
  return { once: Math.max(0, s0 - perStep * T0), perStep, backwardShare: 0 };
}

/**
 * The backward pass's share of a step, from a full sample's seconds and its first-loss twin's:
 * what the steps it did not go back over saved, per step, against perStep (noise kept within 0..1).
 */
export function backwardShareOf(
  full: TimingSample,
  seconds: number,
  twin: TimingSample,
  twinSeconds: number,
  perStep: number,
): number {
  const skipped = full.config.lossStep - twin.config.lossStep;
  if (skipped <= 0 || !(perStep > 0)) return 0;
  return Math.min(1, Math.max(0, (seconds - twinSeconds) / (skipped * perStep)));
}

/**
 * Each group's cost from its samples timed (by `time`, on `concurrency` workers at once, each
 * sample's products on `threads` threads), with a second round for the groups whose steps were
 * too few against their once work to tell apart; null when they cannot be timed now, or one
 * would take too long to time (MAX_TIMED_PROBE_SECONDS).
 */
export async function timeGroupCosts(
  groups: readonly CostGroup[],
  settings: SweepProbeSettings,
  model: SpeedModel,
  maxBytes: number,
  time: SampleTiming,
  concurrency: number,
  threads = 1,
): Promise<GroupCost[] | null> {
  const perSample = Math.min(MAX_SAMPLE_SECONDS, ALL_SAMPLES_SECONDS / groups.length);
  const plans = groups.map((g) =>
    groupSamples(g, settings, model, perSample, maxBytes).map((s) => (threads > 1 ? { ...s, threads } : s)),
  );
  if (plans.some((samples) => modelSeconds(samples[0].config, model, settings) > MAX_TIMED_PROBE_SECONDS)) return null;
  // A group with probes whose loss step is not their last: its longer sample once more, with the
  // loss at step 0, both run twice (their difference is what counts, so their noise does).
  const twins = plans.map((samples, g) => {
    const long = samples.length - 1;
    if (!groups[g].partialLoss || samples[long].config.T < 2) return [];
    samples[long] = { ...samples[long], runs: 2 };
    return [firstLossSample(samples[long])];
  });
  const times = await time(
    plans.flatMap((samples, g) => [...samples, ...twins[g]]),
    concurrency,
  );
  if (!times) return null;
  let at = 0;
  const timed = plans.map((samples, g) => {
    const seconds = times.slice(at, at + samples.length);
    at += samples.length;
    const cost = fitGroupCost(samples, seconds);
    for (const twin of twins[g])
      cost.backwardShare = backwardShareOf(
        samples[samples.length - 1],
        seconds[seconds.length - 1],
        twin,
        times[at++],
        cost.perStep,
      );
    return { samples, seconds, cost };
  });
  // The second round: one longer sample for each group whose steps did not outweigh its once work.
  const again = timed.flatMap((t, g) => {
    const [short, long] = t.samples;
    const { once, perStep } = t.cost;
    if (!long || perStep * (long.config.T - short.config.T) >= once || long.config.T >= groups[g].maxT) return [];
    const wanted = Math.ceil((STEPS_OVER_ONCE * once) / perStep);
    const affordable = Math.floor((MAX_SECOND_SAMPLE_SECONDS - once) / perStep);
    const T = Math.min(groups[g].maxT, Math.max(long.config.T + 1, Math.min(wanted, affordable)));
    const config = { ...long.config, T, lossStep: T - 1 };
    return T > long.config.T ? [{ g, sample: { ...long, config, runs: 1 } }] : [];
  });
  if (again.length > 0) {
    const more = await time(
      again.map((a) => a.sample),
      concurrency,
    );
    if (!more) return null;
    again.forEach(({ g, sample }, i) => {
      const t = timed[g];
      t.cost = { ...fitGroupCost([t.samples[0], sample], [t.seconds[0], more[i]]), backwardShare: t.cost.backwardShare };
    });
  }
  return timed.map((t) => t.cost);
}

/** Times samples on `concurrency` workers at once (the runner's timeSamples); null: not now. */
export type SampleTiming = (samples: readonly TimingSample[], concurrency: number) => Promise<number[] | null>;

export interface TimedEstimateInput {
  probes: ExpandedProbe[];
  workers: number;
  settings: SweepProbeSettings;
  /** The calibrated model: it sizes the samples, and prices the probes when they cannot be timed. */
  model: SpeedModel;
  /** What each probe may take (the runner's per-worker share of the lab's budget). */
  maxBytes: number;
  time: SampleTiming;
}

/**
 * The estimate with its seconds from the sweep's own shapes timed here ('timed'), or from the
 * calibrated model where they cannot be timed now ('calibrated').
 */
export async function timedEstimate(input: TimedEstimateInput): Promise<SweepEstimate> {
  const { probes, workers, settings, model, maxBytes } = input;
  const counts = estimateProbes(probes, workers, model, settings);
  if (probes.length === 0) return { ...counts, basis: 'timed' };
  const configs = probes.map((p) => p.config);
  const { groups, groupOf } = costGroups(configs, settings, maxBytes);
  // As many workers at once as the sweep keeps busy: their contention is in the times. A sweep of
  // fewer probes than workers shares the idle cores among them (the scheduler's probeThreads).
  const concurrency = Math.max(1, Math.min(workers, probes.length));
  const threads = threadsEach(workers, probes.length);
  const costs = await timeGroupCosts(groups, settings, model, maxBytes, input.time, concurrency, threads);
  if (!costs) return { ...counts, basis: 'calibrated' };
  const engine = configs.map((c, i) => probeSeconds(costs[groupOf[i]], c));
  // No start-up: timing the samples has just started the workers (they stay for a while idle).
  return { ...counts, seconds: sweepSeconds(probes, engine, workers, settings), basis: 'timed' };
}
