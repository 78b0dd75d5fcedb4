// What a spec costs before it is queued: probes, stored norms, disk, and rough wall time from
// this machine's measured engine speed (two small probes timed by a worker, then scaled by
// work, and refitted to the probes that have run).
import {
  CALIBRATION_PROBES,
  probeCostTerms,
  timeCalibrationProbes,
  type CalibrationTimes,
  type ProbeCostNeeds,
  type ProbeCostTerms,
  type ProbeShape,
} from '../../engine/probeCost';
import type { ProbeConfig } from '../../engine/index';
import { NORM_NAMES, type NormName, type SweepEstimate } from '../../contract/labApi';
import type { ExpandedProbe } from './expandSweep';
import type { SweepProbeSettings } from './sweepProbeSettings';

/** Seconds per unit of work, per unit of once-per-probe work and per time step (the terms of src/engine/probeCost.ts). */
export interface SpeedModel {
  perWork: number;
  perStep: number;
  /** Absent (a calibration without the once probe): the once-per-probe work is priced at perWork. */
  perOnce?: number;
}

// A probe's cost outside the engine falls in two places. Its worker spends a little on it besides
// the engine (the task, the result's message); the runner, on the host, handles it one probe at a
// time whatever the workers: its messages, row updates and events, and its results stored in
// SQLite. Measured here (Xeon, 2026-12): 200 probes of T = 16 took 0.10 to 0.18 s on 1 or 2
// workers alike, the host's handlers 0.55 to 0.9 ms a probe (so many short probes are paced by
// the host, not the workers); storing 82,000 and 500,000 values took 3 and 12 ms a probe, and
// the standard sweep ran 0.4 to 1.5 ms a probe past its workers' engine seconds.

/** A probe's cost in its worker outside the engine. */
export const WORKER_SECONDS_PER_PROBE = 0.0005;
/** The host's handling of a probe, besides storing its values. */
export const HOST_SECONDS_PER_PROBE = 0.0006;
/** Storing one value of a norm curve (8 bytes of blob in SQLite), on the host. */
export const HOST_SECONDS_PER_STORED_VALUE = 25e-9;
/** Queueing a sweep and handing out its first probes (measured 2 to 5 ms). */
const SWEEP_SECONDS = 0.003;
/** Starting the worker processes (measured ~0.15 s). */
const STARTUP_SECONDS = 0.2;

/** A probe's engine seconds under a model. */
export function engineSeconds(t: ProbeCostTerms, m: SpeedModel): number {
  return m.perWork * t.work + (m.perOnce ?? m.perWork) * t.once + m.perStep * t.steps;
}

/** Solves tb = a*work(big) + b*steps(big), ts = a*work(small) + b*steps(small) for a, b >= 0 (once-per-probe seconds taken off first). */
function solveTwo(big: ProbeCostTerms, tb: number, small: ProbeCostTerms, ts: number): { a: number; b: number } {
  const [w1, u1, w2, u2] = [big.work, big.steps, small.work, small.steps];
  const det = w1 * u2 - w2 * u1;
  let a = (tb * u2 - ts * u1) / det;
  let b = (w1 * ts - w2 * tb) / det;
  if (!(a > 0)) a = tb / w1;
  if (!(b > 0)) b = 0;
  return { a, b };
}

/** The speed model from the calibration probes' times. */
export function speedModelFrom(times: CalibrationTimes): SpeedModel {
  const big = probeCostTerms(CALIBRATION_PROBES.big);
  const small = probeCostTerms(CALIBRATION_PROBES.small);
  if (times.once === undefined) {
    // The once-per-probe work priced as the rest.
    const merged = (t: ProbeCostTerms): ProbeCostTerms => ({ work: t.work + t.once, once: 0, steps: t.steps });
    const { a, b } = solveTwo(merged(big), times.big, merged(small), times.small);
    return { perWork: a, perStep: b };
  }
  // The once probe's time is mostly its once work; the others' is mostly their steps'. One
  // round of each, then the steps' costs again without the once work they carry.
  const once = probeCostTerms(CALIBRATION_PROBES.once);
  let { a, b } = solveTwo(big, times.big, small, times.small);
  const perOnce = Math.min(a, Math.max(a / 1000, (times.once - a * once.work - b * once.steps) / once.once));
  ({ a, b } = solveTwo(
    big,
    Math.max(times.big - perOnce * big.once, 1e-9),
    small,
    Math.max(times.small - perOnce * small.once, 1e-9),
  ));
  return { perWork: a, perStep: b, perOnce: Math.min(a, perOnce) };
}

/**
 * Below this, the finished probes' work and steps are too nearly proportional (probes of one
 * shape, or of shapes whose work is a fixed multiple of T) to tell the two costs apart:
 * 1 - (correlation of work and steps)^2.
 */
const DISTINCT_TERMS = 1e-3;
/** A refit may move the calibrated speed by at most this factor either way. */
const MAX_REFIT_FACTOR = 100;

/**
 * The speed model refitted to the probes a runner has finished, so that later estimates follow
 * what sweeps really took here rather than the calibration probes alone. The costs of the work
 * and of the steps are fitted by least squares (the once-per-probe work at the calibrated price
 * taken off) only when the probes tell them apart (their work and steps are not nearly
 * proportional) and both come out >= 0; otherwise the calibrated model is scaled by one factor
 * (least squares of the seconds on its predictions), which cannot go degenerate. With no
 * calibrated model, the work alone is fitted.
 */
export class SpeedFit {
  private n = 0;
  // Sums of products of the terms (w work, o once, t steps) and the seconds s.
  private readonly sum = { ww: 0, wo: 0, oo: 0, wt: 0, ot: 0, tt: 0, ws: 0, os: 0, ts: 0 };

  /** A finished probe: its shape, what it computed (`needs`, from its sweep's spec) and the worker's seconds. */
  add(c: ProbeShape, seconds: number, needs: ProbeCostNeeds = {}): void {
    if (!(seconds > 0) || !Number.isFinite(seconds)) return;
    // The worker's own time, as the model's: estimateProbes adds the per-probe costs around it.
    const { work: w, once: o, steps: t } = probeCostTerms(c, needs);
    const s = seconds;
    const m = this.sum;
    this.n++;
    m.ww += w * w;
    m.wo += w * o;
    m.oo += o * o;
    m.wt += w * t;
    m.ot += o * t;
    m.tt += t * t;
    m.ws += w * s;
    m.os += o * s;
    m.ts += t * s;
  }

  /** The fitted model once there are enough probes to fit, else null; `calibrated` is the model the fit refines. */
  model(calibrated: SpeedModel | null = null, minProbes = 8): SpeedModel | null {
    const m = this.sum;
    if (this.n < minProbes || !(m.ww > 0)) return null;
    // Regress y = s - q o on w and t, q the calibrated price of the once work; without a
    // calibrated model, x = w + o stands for the work (the once work priced as the rest).
    const q = calibrated ? (calibrated.perOnce ?? calibrated.perWork) : 0;
    const xx = calibrated ? m.ww : m.ww + 2 * m.wo + m.oo;
    const xt = calibrated ? m.wt : m.wt + m.ot;
    const xy = calibrated ? m.ws - q * m.wo : m.ws + m.os;
    const ty = calibrated ? m.ts - q * m.ot : m.ts;
    const det = xx * m.tt - xt * xt;
    if (det > DISTINCT_TERMS * xx * m.tt) {
      const a = (xy * m.tt - ty * xt) / det;
      const b = (xx * ty - xt * xy) / det;
      if (a > 0 && b >= 0)
        return this.bounded(calibrated ? { perWork: a, perStep: b, perOnce: q } : { perWork: a, perStep: b }, calibrated);
    }
    if (calibrated) {
      // seconds ~ f * (a w + q o + b t): f = sum(p s) / sum(p^2), p the calibrated prediction.
      const { perWork: a, perStep: b } = calibrated;
      const ps = a * m.ws + q * m.os + b * m.ts;
      const pp = a * a * m.ww + q * q * m.oo + b * b * m.tt + 2 * (a * q * m.wo + a * b * m.wt + q * b * m.ot);
      const f = pp > 0 ? ps / pp : NaN;
      if (!(f > 0)) return calibrated;
      return this.bounded({ perWork: a * f, perStep: b * f, perOnce: q * f }, calibrated);
    }
    const a = xy / xx;
    return a > 0 ? { perWork: a, perStep: 0 } : null;
  }

  /** Within MAX_REFIT_FACTOR of the calibrated model's costs (each term), so no fit is wild. */
  private bounded(m: SpeedModel, calibrated: SpeedModel | null): SpeedModel {
    if (!calibrated) return m;
    const clamp = (v: number, ref: number): number =>
      ref > 0 ? Math.min(ref * MAX_REFIT_FACTOR, Math.max(ref / MAX_REFIT_FACTOR, v)) : Math.max(0, v);
    const out: SpeedModel = { perWork: clamp(m.perWork, calibrated.perWork), perStep: clamp(m.perStep, calibrated.perStep) };
    if (m.perOnce !== undefined) out.perOnce = clamp(m.perOnce, calibrated.perOnce ?? calibrated.perWork);
    return out;
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

/** A probe's engine seconds as the model prices it, computing what `settings` asks. */
export function modelSeconds(c: ProbeShape, m: SpeedModel, settings: SweepProbeSettings): number {
  return engineSeconds(probeCostTerms(c, settings), m);
}

/** The curves a probe stores: the asked norms (all five by default), dc for the LSTM only. */
function storedNorms(arch: ProbeShape['arch'], norms: readonly NormName[] = NORM_NAMES): number {
  return norms.filter((n) => n !== 'dc' || arch === 'lstm').length;
}

/** Bytes per stored probe besides its blobs (row, config JSON, indexes), measured roughly. */
const PROBE_OVERHEAD_BYTES = 600;

/** `settings`: what the sweep's probes compute (default: all five norms, no Lyapunov vectors). */
export function estimateProbes(
  probes: ExpandedProbe[],
  workers: number,
  m: SpeedModel,
  settings: SweepProbeSettings = { lyapunovVectors: 0 },
): SweepEstimate {
  let norms = 0;
  let bytes = 0;
  const engine: number[] = [];
  for (const p of probes) {
    const c = p.config;
    const values = storedValues(c, settings);
    norms += values;
    bytes += values * 8 + PROBE_OVERHEAD_BYTES;
    engine.push(modelSeconds(c, m, settings));
  }
  const wall = probes.length === 0 ? 0 : STARTUP_SECONDS + sweepSeconds(probes, engine, workers, settings);
  return { probes: probes.length, norms, diskBytes: bytes, seconds: wall, workers, basis: 'calibrated' };
}

/** The values a probe stores: a curve of its loss step's steps per norm it computes. */
export function storedValues(c: Pick<ProbeConfig, 'arch' | 'lossStep'>, settings: SweepProbeSettings): number {
  return (c.lossStep + 1) * storedNorms(c.arch, settings.norms);
}

/**
 * A sweep's wall time from its probes' engine seconds (probes[i]'s is engine[i]) on `workers`
 * workers: each probe's worker and host costs added around them (see WORKER_SECONDS_PER_PROBE),
 * and the sweep's own start.
 */
export function sweepSeconds(
  probes: readonly ExpandedProbe[],
  engine: readonly number[],
  workers: number,
  settings: SweepProbeSettings,
): number {
  const lanes = engine.map((s) => s + WORKER_SECONDS_PER_PROBE);
  const host = probes.map((p) => HOST_SECONDS_PER_PROBE + HOST_SECONDS_PER_STORED_VALUE * storedValues(p.config, settings));
  return SWEEP_SECONDS + makespan(lanes, workers, host);
}

/**
 * The sweep's wall time when its probes take these seconds on `workers` workers, handed out
 * biggest first to whichever worker is free first (the runner's order), and then, if `host` is
 * given, host[i] seconds of probe i on the host once it has finished there: the host takes the
 * finished probes one at a time, in the order they finish, so it is the host that sets the pace
 * when the probes are many and short.
 */
export function makespan(seconds: readonly number[], workers: number, host: readonly number[] = []): number {
  const lanes = new Array<number>(Math.max(1, workers)).fill(0);
  const order = seconds.map((_, i) => i).sort((a, b) => seconds[b] - seconds[a]);
  const finished: { at: number; host: number }[] = [];
  for (const i of order) {
    let free = 0;
    for (let l = 1; l < lanes.length; l++) if (lanes[l] < lanes[free]) free = l;
    lanes[free] += seconds[i];
    finished.push({ at: lanes[free], host: host[i] ?? 0 });
  }
  finished.sort((a, b) => a.at - b.at);
  let hostFree = 0;
  for (const f of finished) hostFree = Math.max(hostFree, f.at) + f.host;
  return Math.max(hostFree, ...lanes);
}
