// What a probe costs, in the engine's own terms: the cost model every estimate, the runner's
// batching and the queue's biggest-first order use, and the calibration probes a machine's
// speed per term is measured on (timed in a sweep worker, which may import only the engine).
import { runProbe, type NormChoice, type ProbeOptions } from './probe';
import { hasLyapunovPass } from './lyapunov';
import { gateWidth, type Arch, type ProbeConfig } from './probeConfig';
import { riderMultiplyAdds, spectralMultiplyAdds } from './theory';
import { ridesCarryShape } from './spectralRider';
import { STORED_TRACE_MAX_BYTES, probeArenaDoubles, type ProbeNeeds } from './tracePlan';
import { Workspace } from './workspace';
import { DEFAULT_MAX_PROBE_BYTES } from './probeLimits';
import { STEP_NORM_NAMES, prefersGram, type StepNormName } from './backward';

/**
 * What a sweep's probe computes: the loss step's norms and, when the sweep asks for k > 0
 * Lyapunov vectors and the pass exists for the arch, the top-k exponents. They are opt-in:
 * k vectors cost about k times the backward state update (measured: k=4 makes an LSTM probe at
 * T=1024, N=16, H=64 2.8x slower, an RNN one 4x). The calibration probes time the plain probe.
 */
export function sweepProbeOptions(
  arch: Arch,
  lyapunovVectors = 0,
  norms: readonly StepNormName[] = STEP_NORM_NAMES,
): ProbeOptions & NormChoice {
  const { lyapunovK } = sweepProbeNeeds(arch, lyapunovVectors);
  return { fullGradients: false, lyapunov: lyapunovK ? { k: lyapunovK } : undefined, norms };
}

/**
 * What such a probe needs of its trace (planTrace): the Lyapunov vectors, where the pass exists
 * for the arch, and its norms (default all five).
 */
export function sweepProbeNeeds(arch: Arch, lyapunovVectors = 0, norms?: readonly StepNormName[]): ProbeNeeds {
  return { lyapunovK: lyapunovVectors > 0 && hasLyapunovPass(arch) ? lyapunovVectors : undefined, norms };
}

/** The parts of a probe's config its cost depends on. */
export interface ProbeShape {
  arch: Arch;
  T: number;
  N: number;
  D: number;
  H: number;
  /** Its loss step (default T - 1): the backward pass covers steps lossStep .. 0. */
  lossStep?: number;
}

/**
 * The terms a probe's running time is linear in: seconds = perWork * work + perOnce * once +
 * perStep * steps (see src/lab/sweep/estimateSweep.ts).
 */
export interface ProbeCostTerms {
  /**
   * Multiply-adds of the time steps, roughly T * N * (D + H) * G (G = gate width) for all five
   * norms, scaled to the norms asked (normsShare), plus the Lyapunov vectors' pass when asked.
   */
  work: number;
  /**
   * Multiply-adds done once per probe: sigma_max(Wh) for the theory (theory.ts), an H x H gram
   * matrix of Wh (H^2 G / 2) and its Lanczos iteration (at most SPECTRAL_PRODUCTS products with
   * it, H^2 each, and their reorthogonalisation: spectralMultiplyAdds). At H = 4096 (LSTM) the
   * gram alone is 1.4e11, seconds whatever T is. Where the Lanczos products ride on the carry
   * (ridesCarryShape, spectralRider.ts: the native path, one sequence, Wh of 32 MiB) only what they
   * add to it counts (riderMultiplyAdds).
   */
  once: number;
  /** Time steps: the per-step overhead that dominates small probes. */
  steps: number;
}

/** What a probe computes besides its shape (the sweep's spec says; default: all five norms, no Lyapunov vectors). */
export interface ProbeCostNeeds {
  norms?: readonly StepNormName[];
  lyapunovVectors?: number;
}

/**
 * The terms of a probe computing `needs` (default all five norms, as the calibration probes do,
 * so the model's speeds stay those measured: fewer norms scale the per-step work by the share of
 * a step's multiply-adds they leave).
 */
export function probeCostTerms(c: ProbeShape, needs: ProbeCostNeeds = {}): ProbeCostTerms {
  const G = gateWidth(c.arch, c.H);
  const perStep = c.N * (c.D + c.H) * G;
  // Every step forward, the steps up to the loss step back: the backward part of a step's work
  // (stepMultiplyAdds) counts for that many steps only, and so does the per-step overhead's half.
  const back = Math.min(c.lossStep ?? c.T - 1, c.T - 1) + 1;
  const asked = stepMultiplyAdds(c, needs.norms ?? STEP_NORM_NAMES);
  const all = stepMultiplyAdds(c, STEP_NORM_NAMES);
  const work =
    (perStep * (c.T * asked.forward + back * asked.backward)) / (all.forward + all.backward) +
    lyapunovWork(c, needs.lyapunovVectors ?? 0, back);
  const rides = ridesCarryShape({ arch: c.arch, N: c.N, H: c.H, G, lossStep: back - 1 });
  const once = rides ? riderMultiplyAdds(c.H, G) : (c.H * c.H * G) / 2 + spectralMultiplyAdds(c.H);
  return { work, once, steps: (c.T + back) / 2 };
}

/**
 * The Lyapunov pass with k vectors per sequence, over the `steps` steps back from the loss step:
 * k times the backward state's carry (the da Wh^T product over N k rows, H G each) and a QR of k
 * vectors of the state (twice modified Gram-Schmidt, 2 k S each, S = H or the LSTM's 2H) per
 * sequence and step. (Measured: k = 4 makes an LSTM probe at T=1024, N=16, H=64 2.8x slower, an
 * RNN one 4x; this counts 4.2x for both.)
 */
function lyapunovWork(c: ProbeShape, k: number, steps: number): number {
  if (!(k > 0) || !hasLyapunovPass(c.arch)) return 0;
  const S = c.arch === 'lstm' ? 2 * c.H : c.H;
  const vectors = Math.min(k, S);
  return steps * c.N * vectors * (c.H * gateWidth(c.arch, c.H) + 2 * vectors * S);
}

/** A probe's per-step work term alone (what batches are filled by and the queue is ordered by). */
export function probeWork(c: ProbeShape): number {
  return c.T * c.N * (c.D + c.H) * gateWidth(c.arch, c.H);
}

/**
 * A step's multiply-adds per sequence computing `norms`, forward and backward: the forward
 * products ((D + H) G) and the backward carry (H G) always run; dWx and dWh by the route the
 * backward pass takes (N x N gram matrices, or the products themselves, see prefersGram); db
 * and the norms of dh and dc are elementwise and not counted.
 */
function stepMultiplyAdds(c: ProbeShape, norms: readonly StepNormName[]): { forward: number; backward: number } {
  const G = gateWidth(c.arch, c.H);
  const gram = prefersGram({ ...c, G });
  const daGrams = c.arch === 'gru' ? 2 * G : G;
  const weights = (x: boolean, h: boolean): number =>
    gram ? (x || h ? ((c.N + 1) / 2) * (daGrams + (x ? c.D : 0) + (h ? c.H : 0)) : 0) : G * ((x ? c.D : 0) + (h ? c.H : 0));
  return { forward: (c.D + c.H) * G, backward: c.H * G + weights(norms.includes('dWx'), norms.includes('dWh')) };
}

/** A step's multiply-adds per sequence with only `norms` over those with all five (stepMultiplyAdds). */
export function normsShare(c: ProbeShape, norms: readonly StepNormName[]): number {
  const asked = stepMultiplyAdds(c, norms);
  const all = stepMultiplyAdds(c, STEP_NORM_NAMES);
  return (asked.forward + asked.backward) / (all.forward + all.backward);
}

/**
 * The two probes the speed is measured on: one dominated by the matrix products (H = 64), one by
 * the elementwise work and per-step overhead (H = 4).
 */
export const CALIBRATION_PROBES = {
  big: { arch: 'lstm' as const, T: 48, N: 16, D: 16, H: 64, seed: 1 },
  small: { arch: 'lstm' as const, T: 192, N: 4, D: 4, H: 4, seed: 1 },
  /**
   * Dominated by the once-per-probe work (sigma_max(Wh)'s gram matrix, 2.7e8 multiply-adds): one
   * large product runs many times faster per multiply-add than the small ones of the time steps.
   * (At H = 256 the probe's fixed costs and sigma_max's iteration, then a power iteration,
   * still weighed, and it overpriced H = 1024 by 3x.) Timed twice only: the second run counts.
   */
  once: { arch: 'lstm' as const, T: 2, N: 1, D: 1, H: 512, seed: 1 },
};

/** Seconds the calibration probes took (once: absent from a worker of an older build). */
export interface CalibrationTimes {
  big: number;
  small: number;
  once?: number;
}

/**
 * Times the calibration probes, `runs` times each (the first run only warms up the JIT); the
 * fastest run counts. A sweep worker does this when the runner asks it to ('calibrate').
 */
export function timeCalibrationProbes(runs: number): CalibrationTimes {
  const time = (config: (typeof CALIBRATION_PROBES)[keyof typeof CALIBRATION_PROBES], most = runs): number => {
    let seconds = Infinity;
    for (let i = 0; i < Math.max(2, Math.min(runs, most)); i++) {
      const t0 = performance.now();
      runProbe(config, sweepProbeOptions(config.arch));
      if (i > 0) seconds = Math.min(seconds, (performance.now() - t0) / 1000);
    }
    return Math.max(seconds, 1e-6);
  };
  return { big: time(CALIBRATION_PROBES.big), small: time(CALIBRATION_PROBES.small), once: time(CALIBRATION_PROBES.once, 2) };
}

/**
 * A probe run only to be timed: one of a sweep's probes at a length short enough to time, its
 * trace kept the way the sweep's own probes will keep theirs (`segment`: checkpointed, that many
 * steps per segment), under the memory the sweep's probes may take.
 */
export interface TimingSample {
  config: ProbeConfig;
  norms?: StepNormName[];
  lyapunovVectors: number;
  segment?: number;
  maxBytes?: number;
  /** Runs of it (default `runs` of timeSamples): the fastest counts. */
  runs?: number;
  /** Threads its products may use, as the sweep's probe would be given (default 1). */
  threads?: number;
  /** The sweep's largest probe of this shape: the worker's memory is made ready for it first (see timeSamples). */
  arenaFor?: ProbeConfig;
}

/**
 * The most memory timeSamples readies for the probes its samples stand for: as much as a stored
 * trace may take (STORED_TRACE_MAX_BYTES, 2 GiB), so that a sweep's first probe on a worker
 * runs in touched memory whenever its trace is stored. (Touching it took 0.5 to 7 s per 2 GB on
 * this VM: the first touch of memory the machine had not used yet is the slowest.)
 */
const READY_ARENA_DOUBLES = STORED_TRACE_MAX_BYTES / 8;

/**
 * Seconds each sample takes here, the fastest of its runs (a worker answers 'timeSamples' with
 * these; src/lab/sweep/timedEstimate.ts chooses the samples and reads their times).
 */
export function timeSamples(samples: readonly TimingSample[], runs = 2): number[] {
  // A worker's arena grows to its largest probe and stays (wasmKernels.ts). Memory is faulted in
  // page by page the first time it is written: a fresh worker's first probe at H = 64, N = 16,
  // T = 16384 took 0.95 s (75,742 page faults), the next 0.67 s. So the arena is grown to, and
  // written for, the largest of the samples and of the sweep's probes they stand for (arenaFor)
  // before anything is timed: the samples run in memory already touched, and so do the sweep's
  // probes after them, even the first on each worker. (At most READY_ARENA_DOUBLES for a probe:
  // a longer one pays the rest of its first touch itself, unpriced, rather than every estimate.)
  let most = 0;
  for (const s of samples) {
    const needs = sweepProbeNeeds(s.config.arch, s.lyapunovVectors, s.norms);
    const maxBytes = s.maxBytes ?? DEFAULT_MAX_PROBE_BYTES;
    most = Math.max(
      most,
      probeArenaDoubles(s.config, needs, maxBytes, s.segment),
      s.arenaFor ? Math.min(READY_ARENA_DOUBLES, probeArenaDoubles(s.arenaFor, needs, maxBytes)) : 0,
    );
  }
  Workspace.ready(most);
  const run = (s: TimingSample) =>
    runProbe(s.config, {
      ...sweepProbeOptions(s.config.arch, s.lyapunovVectors, s.norms),
      maxBytes: s.maxBytes,
      checkpointSegment: s.segment,
      threads: s.threads,
    });
  // The first sample once untimed, where it is short enough to be run more than once anyway: on
  // two fresh workers timing side by side, the first runs were slowed by each other's start (a
  // sweep of two RNN probes at H = 16, N = 1, T = 16384: the short sample 0.011-0.022 s against
  // 0.007 on one worker, the estimate 1.13-1.34x the time taken; with this run 1.03-1.08x).
  if (samples.length > 0 && (samples[0].runs ?? runs) > 1) run(samples[0]);
  return samples.map((s) => {
    let best = Infinity;
    for (let i = 0; i < Math.max(1, s.runs ?? runs); i++) {
      const t0 = performance.now();
      run(s);
      best = Math.min(best, (performance.now() - t0) / 1000);
    }
    return best;
  });
}

/**
 * What the loss table's rows at these loss steps cost (probe.ts, lossTable): each row t is a
 * backward pass over steps t..0, so t + 1 steps of a probe's per-step work, O(T^2) for every t.
 */
export function lossTableCostTerms(c: ProbeShape, lossSteps: readonly number[]): ProbeCostTerms {
  let steps = 0;
  for (const t of lossSteps) steps += t + 1;
  return { work: steps * c.N * (c.D + c.H) * gateWidth(c.arch, c.H), once: 0, steps };
}
