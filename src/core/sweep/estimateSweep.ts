// What a spec costs before it is queued: probes, stored norms, disk, and rough wall time from
// this machine's measured engine speed (one small probe timed on first use, then scaled by work).
import { runProbe } from '../../engine/index';
import type { SweepEstimate } from '../../shared/labApi';
import type { ExpandedProbe } from './expandSweep';

/** Work of one probe: T * N * (D + H) * G multiply-adds, roughly, for forward + backward. */
export function probeWork(c: { arch: 'rnn' | 'lstm'; T: number; N: number; D: number; H: number }): number {
  return c.T * c.N * (c.D + c.H) * (c.arch === 'lstm' ? 4 * c.H : c.H);
}

let secondsPerWork: number | null = null;

/** Seconds per unit of probeWork on this machine (measured once per process). */
export function measuredSecondsPerWork(): number {
  if (secondsPerWork !== null) return secondsPerWork;
  const config = { arch: 'lstm' as const, T: 128, N: 16, D: 16, H: 32, seed: 1 };
  runProbe(config, { fullGradients: false }); // warm up the JIT
  let seconds = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    runProbe(config, { fullGradients: false });
    seconds = Math.min(seconds, (performance.now() - t0) / 1000);
  }
  secondsPerWork = Math.max(seconds, 1e-6) / probeWork(config);
  return secondsPerWork;
}

/** Bytes per stored probe besides its blobs (row, config JSON, indexes), measured roughly. */
const PROBE_OVERHEAD_BYTES = 600;

export function estimateProbes(probes: ExpandedProbe[], workers: number): SweepEstimate {
  let norms = 0;
  let bytes = 0;
  let work = 0;
  let longest = 0;
  for (const p of probes) {
    const c = p.config;
    const perStep = c.arch === 'lstm' ? 5 : 4;
    const steps = c.lossStep + 1;
    norms += steps * perStep;
    bytes += steps * perStep * 8 + PROBE_OVERHEAD_BYTES;
    const w = probeWork(c);
    work += w;
    longest = Math.max(longest, w);
  }
  const spw = measuredSecondsPerWork();
  // Workers share the work, but the sweep lasts at least as long as its longest probe.
  const seconds = Math.max((work * spw) / workers, longest * spw);
  return { probes: probes.length, norms, diskBytes: bytes, seconds, workers };
}
