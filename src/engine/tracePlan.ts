// How a probe keeps its forward trace, and what memory the probe takes with it.
//
// A stored trace keeps every step (h, and the slopes or LSTM coefficients): O(T N H). When that
// would exceed STORED_TRACE_MAX_BYTES or the probe's budget, the trace is checkpointed: the
// state at the start of every segment of about sqrt(T) steps is kept, and backprop recomputes
// one segment at a time (the same values to the bit), for O(sqrt(T) N H) instead, at the cost of
// a second forward pass. The inputs (x, and dout when every step's loss is needed) stay stored.
import { unitStepDoubles, dimsOf, forwardDoubles, forwardHeapBytes, segmentCount, type Dims, type TraceLayout } from './forward';
import { backwardDoubles, type StepNormName } from './backward';
import { fullGradientDoubles } from './fullGradient';
import { theoryDoubles } from './theory';
import { lyapunovDoubles } from './lyapunov';
import type { ProbeConfig } from './probeConfig';

/** What a probe computes besides the loss step's norms, as far as its memory goes. */
export interface ProbeNeeds {
  /** The full-gradient pass of L = sum_t L_t (which reads every step's dout). */
  fullGradients?: boolean;
  /** Every step's dout without the full gradients (the total loss, the loss table). */
  allDout?: boolean;
  /** The Lyapunov pass with this many exponents (see lyapunov.ts). */
  lyapunovK?: number;
  /** The loss step's norms (default all five): without dWh (and the full gradients) no pass reads h back. */
  norms?: readonly StepNormName[];
}

/**
 * Whether a pass reads h_t back after step t + 1: the dWh norms (of h_{k-1}) and the full
 * gradients do; the dh, dc, dWx and db norms, the theory and the Lyapunov pass do not. When none
 * does, the trace keeps h for two steps only (transientHidden in forward.ts).
 */
export function readsHiddenStates(needs: ProbeNeeds): boolean {
  return Boolean(needs.fullGradients) || !needs.norms || needs.norms.includes('dWh');
}

/**
 * The largest trace kept whole (when the probe's budget allows it too): 2 GiB, what the grid
 * benchmark lets numpy's stored forward pass take. Past it the stored trace would buy at most a
 * second forward pass for O(T) memory; below it the stored trace is the faster path, by up to
 * 1.5x for the RNN at N >= 128 (its product is the step's whole cost, and checkpointing does it
 * three times a step instead of two). (At 512 MiB, the RNN at H = 512, N = 128, T = 516 took
 * 2.4 s checkpointed, numpy 1.5 s stored.) The long LSTM of the memory target (T = 300,000,
 * N = 4, H = 32: 2.15 GB stored) still checkpoints.
 */
export const STORED_TRACE_MAX_BYTES = 2 * 1024 ** 3;

export interface TracePlan extends TraceLayout {
  /** More than one segment: segments are recomputed from checkpoints. */
  checkpointed: boolean;
  /** Every byte the probe allocates: its workspace, its per-step flags and exponents, its results. */
  bytes: number;
}

/** Doubles of a probe's workspace for a layout. */
export function probeDoubles(d: Dims, layout: TraceLayout, needs: ProbeNeeds): number {
  return (
    forwardDoubles(d, layout) +
    backwardDoubles(d) +
    theoryDoubles(d) +
    (needs.fullGradients ? fullGradientDoubles(d) : 0) +
    (needs.lyapunovK ? lyapunovDoubles(d, needs.lyapunovK) : 0)
  );
}

/** Doubles of the workspace a probe takes under `maxBytes` (its trace planned by planTrace). */
export function probeArenaDoubles(
  c: Pick<ProbeConfig, 'arch' | 'T' | 'N' | 'D' | 'H'>,
  needs: ProbeNeeds,
  maxBytes: number,
  segment?: number,
): number {
  return probeDoubles(dimsOf(c.arch, c.T, c.N, c.D, c.H), planTrace(c, needs, maxBytes, segment), needs);
}

/** Bytes the part of the trace that checkpointing shrinks takes for `steps` steps held. */
function traceBytes(d: Dims, steps: number, transientHidden: boolean): number {
  return 8 * steps * d.N * d.H * unitStepDoubles(d.arch, transientHidden);
}

/**
 * Steps per segment of a checkpointed trace: ~sqrt(T), balancing the checkpoints (h, and c for
 * the LSTM, per segment) against the window (h unless transient, and 1 slope, 6 or 5
 * coefficients per step).
 */
export function checkpointSegment(d: Dims, transientHidden = false): number {
  const perCheckpoint = d.arch === 'lstm' ? 2 : 1;
  const perStep = unitStepDoubles(d.arch, transientHidden);
  return Math.max(1, Math.min(d.T, Math.ceil(Math.sqrt((d.T * perCheckpoint) / perStep))));
}

function bytesOf(d: Dims, layout: TraceLayout, needs: ProbeNeeds): number {
  const results = 8 * d.T * (d.arch === 'lstm' ? 5 : 4);
  return 8 * probeDoubles(d, layout, needs) + forwardHeapBytes(d, layout) + results;
}

/**
 * The layout a probe runs with under a budget of maxBytes: its trace stored when that fits (in
 * maxBytes and STORED_TRACE_MAX_BYTES), checkpointed otherwise. `segment` forces a checkpointed
 * layout with that many steps per segment (tests, measurements).
 */
export function planTrace(
  c: Pick<ProbeConfig, 'arch' | 'T' | 'N' | 'D' | 'H'>,
  needs: ProbeNeeds,
  maxBytes: number,
  segment?: number,
): TracePlan {
  const d = dimsOf(c.arch, c.T, c.N, c.D, c.H);
  const allDout = Boolean(needs.fullGradients || needs.allDout);
  const transientHidden = !readsHiddenStates(needs);
  const plan = (steps: number): TracePlan => {
    const layout = { segment: Math.max(1, Math.min(d.T, steps)), allDout, transientHidden };
    return { ...layout, checkpointed: segmentCount(d, layout) > 1, bytes: bytesOf(d, layout, needs) };
  };
  if (segment !== undefined) return plan(segment);
  const stored = plan(d.T);
  if (traceBytes(d, d.T, transientHidden) <= STORED_TRACE_MAX_BYTES && stored.bytes <= maxBytes) return stored;
  const checkpointed = plan(checkpointSegment(d, transientHidden));
  return checkpointed.bytes < stored.bytes ? checkpointed : stored;
}
