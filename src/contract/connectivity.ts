// A probe's connectivity table (issue 10, item 5): log10 of a norm of dL_t/d(step k) for every
// pair of a loss step t and a step k <= t, what Distill's "Visualizing memorization in RNNs"
// draws: how far back each loss step's gradient reaches. O(T^2) work, so computed on demand
// (in a worker), stored with the probe, and refused above CONNECTIVITY_MAX_T.
import { z } from 'zod';
import { NORM_NAMES, type Arch, type NormName } from './labApi';

/** The longest sequence whose table is computed; above, the call answers with what it would cost. */
export const CONNECTIVITY_MAX_T = 4096;

/** At most this many loss steps (and steps): evenly spaced over 0..T-1, every one for T <= this. */
export const CONNECTIVITY_GRID_MAX = 256;

export interface ConnectivityRequest {
  probeId: number;
  norm: NormName;
}

export interface ConnectivityTable {
  probeId: number;
  sweepId: number;
  arch: Arch;
  T: number;
  forgetBias: number | null;
  seed: number;
  norm: NormName;
  /** The sampled steps, ascending, the same for the loss steps t (rows) and the steps k (columns). */
  steps: number[];
  /**
   * Row by row (row i: loss step steps[i]; column j: step steps[j]), log10 of the norm; null an
   * exact 0. Only cells with steps[j] <= steps[i] exist: the others are null and never drawn.
   */
  log10: (number | null)[];
  /** How long the computation took, and when. */
  seconds: number;
  computedAt: string;
}

export type ConnectivityAnswer =
  | { status: 'ready'; table: ConnectivityTable }
  /** Being computed in a worker: ask again. done and total count backward steps. */
  | { status: 'computing'; probeId: number; done: number; total: number; etaSeconds: number | null };

/** The sampled steps of a T-step probe: at most CONNECTIVITY_GRID_MAX, evenly spaced, first and last included. */
export function connectivitySteps(T: number, max = CONNECTIVITY_GRID_MAX): number[] {
  const n = Math.min(T, max);
  if (n <= 1) return [0];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = Math.round((i * (T - 1)) / (n - 1));
    if (out[out.length - 1] !== s) out.push(s);
  }
  return out;
}

export const connectivityRequestSchema = z
  .object({
    probeId: z
      .number({ error: 'probeId must be a number' })
      .int({ error: 'probeId must be a positive integer' })
      .min(1, { error: 'probeId must be a positive integer' })
      .max(Number.MAX_SAFE_INTEGER, { error: 'probeId must be a positive integer' }),
    norm: z.enum(NORM_NAMES as [NormName, ...NormName[]], { error: `norm must be one of ${NORM_NAMES.join(', ')}` }),
  })
  .strict();
