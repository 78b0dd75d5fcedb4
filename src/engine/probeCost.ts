// What a probe costs, in the engine's own terms: the cost model every estimate, the runner's
// batching and the queue's biggest-first order use, and the calibration probes a machine's
// speed per term is measured on (timed in a sweep worker, which may import only the engine).
import { runProbe, type ProbeOptions } from './probe';
import { hasLyapunovPass } from './lyapunov';
import { gateWidth, type Arch } from './probeConfig';

/**
 * What a sweep's probe computes: the loss step's norms and, when the sweep asks for k > 0
 * Lyapunov vectors and the pass exists for the arch, the top-k exponents. They are opt-in:
 * k vectors cost about k times the backward state update (measured: k=4 makes an LSTM probe at
 * T=1024, N=16, H=64 2.8x slower, an RNN one 4x). The calibration probes time the plain probe.
 */
export function sweepProbeOptions(arch: Arch, lyapunovVectors = 0): ProbeOptions {
  return { fullGradients: false, lyapunov: lyapunovVectors > 0 && hasLyapunovPass(arch) ? { k: lyapunovVectors } : undefined };
}

/** The parts of a probe's config its cost depends on. */
export interface ProbeShape {
  arch: Arch;
  T: number;
  N: number;
  D: number;
  H: number;
}

/** The terms a probe's running time is linear in (seconds = perWork * work + perStep * steps). */
export interface ProbeCostTerms {
  /** Multiply-adds of the forward and backward passes, roughly: T * N * (D + H) * G, G = gate width. */
  work: number;
  /** Time steps: the per-step overhead that dominates small probes. */
  steps: number;
}

export function probeCostTerms(c: ProbeShape): ProbeCostTerms {
  return { work: c.T * c.N * (c.D + c.H) * gateWidth(c.arch, c.H), steps: c.T };
}

/** A probe's work term alone (what batches are filled by and the queue is ordered by). */
export function probeWork(c: ProbeShape): number {
  return probeCostTerms(c).work;
}

/**
 * The two probes the speed is measured on: one dominated by the matrix products (H = 64), one by
 * the elementwise work and per-step overhead (H = 4).
 */
export const CALIBRATION_PROBES = {
  big: { arch: 'lstm' as const, T: 48, N: 16, D: 16, H: 64, seed: 1 },
  small: { arch: 'lstm' as const, T: 192, N: 4, D: 4, H: 4, seed: 1 },
};

/** Seconds the two calibration probes took. */
export interface CalibrationTimes {
  big: number;
  small: number;
}

/**
 * Times the calibration probes, `runs` times each (the first run only warms up the JIT); the
 * fastest run counts. A sweep worker does this when the runner asks it to ('calibrate').
 */
export function timeCalibrationProbes(runs: number): CalibrationTimes {
  const time = (config: typeof CALIBRATION_PROBES.big | typeof CALIBRATION_PROBES.small): number => {
    let seconds = Infinity;
    for (let i = 0; i < Math.max(2, runs); i++) {
      const t0 = performance.now();
      runProbe(config, sweepProbeOptions(config.arch));
      if (i > 0) seconds = Math.min(seconds, (performance.now() - t0) / 1000);
    }
    return Math.max(seconds, 1e-6);
  };
  return { big: time(CALIBRATION_PROBES.big), small: time(CALIBRATION_PROBES.small) };
}
