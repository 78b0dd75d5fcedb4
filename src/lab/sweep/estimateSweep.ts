// What a spec costs before it is queued: probes, stored norms, disk, and rough wall time from
// this machine's measured engine speed (two small probes timed by a worker, then scaled by
// work, and refitted to the probes that have run).
import {
  CALIBRATION_PROBES,
  probeCostTerms,
  timeCalibrationProbes,
  type CalibrationTimes,
  type ProbeShape,
} from '../../engine/probeCost';
import type { SweepEstimate } from '../../contract/labApi';
import type { ExpandedProbe } from './expandSweep';

/** Seconds per unit of work and per time step (the terms of src/engine/probeCost.ts). */
export interface SpeedModel {
  perWork: number;
  perStep: number;
}

/** Per-probe cost outside the engine: messages, the SQLite write, scheduling (measured ~1 ms). */
const PER_PROBE_SECONDS = 0.002;
/** Starting the worker processes (measured ~0.15 s). */
const STARTUP_SECONDS = 0.2;

/** The speed model from the calibration probes' times. */
export function speedModelFrom(times: CalibrationTimes): SpeedModel {
  const big = probeCostTerms(CALIBRATION_PROBES.big);
  const small = probeCostTerms(CALIBRATION_PROBES.small);
  // Solve tb = a*work(big) + b*steps(big), ts = a*work(small) + b*steps(small) for a, b >= 0.
  const [w1, u1, w2, u2] = [big.work, big.steps, small.work, small.steps];
  const det = w1 * u2 - w2 * u1;
  let a = (times.big * u2 - times.small * u1) / det;
  let b = (w1 * times.small - w2 * times.big) / det;
  if (!(a > 0)) a = times.big / w1;
  if (!(b > 0)) b = 0;
  return { perWork: a, perStep: b };
}

/**
 * The speed model refitted to the probes a runner has finished (least squares of seconds on
 * work and steps, both costs kept >= 0), so that later estimates follow what sweeps really took
 * here rather than the calibration probes alone.
 */
export class SpeedFit {
  private n = 0;
  private ww = 0;
  private wt = 0;
  private tt = 0;
  private ws = 0;
  private ts = 0;

  add(c: ProbeShape, seconds: number): void {
    if (!(seconds > 0) || !Number.isFinite(seconds)) return;
    // The worker's own time, as the model's: probeSeconds adds the per-probe costs around it.
    const { work: w, steps: t } = probeCostTerms(c);
    const s = seconds;
    this.n++;
    this.ww += w * w;
    this.wt += w * t;
    this.tt += t * t;
    this.ws += w * s;
    this.ts += t * s;
  }

  /** The fitted model once there are enough probes to fit, else null. */
  model(minProbes = 8): SpeedModel | null {
    if (this.n < minProbes) return null;
    const det = this.ww * this.tt - this.wt * this.wt;
    let a = det > 0 ? (this.ws * this.tt - this.ts * this.wt) / det : NaN;
    let b = det > 0 ? (this.ww * this.ts - this.wt * this.ws) / det : NaN;
    if (!(a > 0 && b >= 0)) {
      // One cost alone fits better than a negative other.
      a = this.ws / this.ww;
      b = 0;
    }
    return a > 0 ? { perWork: a, perStep: b } : null;
  }
}

let inProcessModel: SpeedModel | null = null;

/**
 * This machine's engine speed measured in this process, once: only where no worker can report
 * it (the runner normally asks one, so that the host process never stops for it).
 */
export function speedModelInProcess(): SpeedModel {
  inProcessModel ??= speedModelFrom(timeCalibrationProbes(4));
  return inProcessModel;
}

function probeSeconds(c: ProbeShape, m: SpeedModel): number {
  const { work, steps } = probeCostTerms(c);
  return m.perWork * work + m.perStep * steps + PER_PROBE_SECONDS;
}

/** Bytes per stored probe besides its blobs (row, config JSON, indexes), measured roughly. */
const PROBE_OVERHEAD_BYTES = 600;

export function estimateProbes(probes: ExpandedProbe[], workers: number, m: SpeedModel): SweepEstimate {
  let norms = 0;
  let bytes = 0;
  let total = 0;
  let longest = 0;
  for (const p of probes) {
    const c = p.config;
    const perStep = c.arch === 'lstm' ? 5 : 4;
    const steps = c.lossStep + 1;
    norms += steps * perStep;
    bytes += steps * perStep * 8 + PROBE_OVERHEAD_BYTES;
    const seconds = probeSeconds(c, m);
    total += seconds;
    longest = Math.max(longest, seconds);
  }
  // Workers share the work, but the sweep lasts at least as long as its longest probe.
  const seconds = probes.length === 0 ? 0 : STARTUP_SECONDS + Math.max(total / workers, longest);
  return { probes: probes.length, norms, diskBytes: bytes, seconds, workers };
}
