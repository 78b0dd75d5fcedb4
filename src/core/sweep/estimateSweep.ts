// What a spec costs before it is queued: probes, stored norms, disk, and rough wall time from
// this machine's measured engine speed (one small probe timed on first use, then scaled by work).
import { runProbe } from '../../engine/index';
import type { SweepEstimate } from '../../shared/labApi';
import type { ExpandedProbe } from './expandSweep';

/** Work of one probe: T * N * (D + H) * G multiply-adds, roughly, for forward + backward. */
export function probeWork(c: { arch: 'rnn' | 'lstm'; T: number; N: number; D: number; H: number }): number {
  return c.T * c.N * (c.D + c.H) * (c.arch === 'lstm' ? 4 * c.H : c.H);
}

/** Seconds per unit of work (probeWork) and per time step (the per-step overhead of small probes). */
interface SpeedModel {
  perWork: number;
  perStep: number;
}

let model: SpeedModel | null = null;

/** Per-probe cost outside the engine: messages, the SQLite write, scheduling (measured ~1 ms). */
const PER_PROBE_SECONDS = 0.002;
/** Starting the worker processes (measured ~0.15 s). */
const STARTUP_SECONDS = 0.2;

function timeProbe(config: { arch: 'lstm'; T: number; N: number; D: number; H: number; seed: number }): number {
  let seconds = Infinity;
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now();
    runProbe(config, { fullGradients: false });
    if (i > 0) seconds = Math.min(seconds, (performance.now() - t0) / 1000); // the first run warms up the JIT
  }
  return Math.max(seconds, 1e-6);
}

/**
 * This machine's engine speed, measured once per process from two probes: one dominated by the
 * matrix products (H = 64) and one by the elementwise work and per-step overhead (H = 4).
 */
export function speedModel(): SpeedModel {
  if (model) return model;
  const big = { arch: 'lstm' as const, T: 128, N: 16, D: 16, H: 64, seed: 1 };
  const small = { arch: 'lstm' as const, T: 512, N: 4, D: 4, H: 4, seed: 1 };
  const tb = timeProbe(big);
  const ts = timeProbe(small);
  // Solve tb = a*work(big) + b*T(big), ts = a*work(small) + b*T(small) for a, b >= 0.
  const [w1, u1, w2, u2] = [probeWork(big), big.T, probeWork(small), small.T];
  const det = w1 * u2 - w2 * u1;
  let a = (tb * u2 - ts * u1) / det;
  let b = (w1 * ts - w2 * tb) / det;
  if (!(a > 0)) a = tb / w1;
  if (!(b > 0)) b = 0;
  model = { perWork: a, perStep: b };
  return model;
}

/** Seconds per unit of probeWork on this machine (measured once per process). */
export function measuredSecondsPerWork(): number {
  return speedModel().perWork;
}

function probeSeconds(c: { arch: 'rnn' | 'lstm'; T: number; N: number; D: number; H: number }, m: SpeedModel): number {
  return m.perWork * probeWork(c) + m.perStep * c.T + PER_PROBE_SECONDS;
}

/** Bytes per stored probe besides its blobs (row, config JSON, indexes), measured roughly. */
const PROBE_OVERHEAD_BYTES = 600;

export function estimateProbes(probes: ExpandedProbe[], workers: number): SweepEstimate {
  let norms = 0;
  let bytes = 0;
  let total = 0;
  let longest = 0;
  const m = speedModel();
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
