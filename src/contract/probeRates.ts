// One row of `seqlab summary`: a finished probe's configuration (the CSV export's column names),
// then its decay per computed norm (decaySummary.ts) and the rates beside it, decades per step.
import type { NormName } from './labApi';

export type PerNorm<V> = Partial<Record<NormName, V>>;

export interface ProbeRatesRow {
  sweep_id: number;
  probe_id: number;
  arch: string;
  T: number;
  forget_bias: number | null;
  seed: number;
  N: number;
  D: number;
  H: number;
  init: string;
  wh_gain: number;
  h0_scale: number;
  b_scale: number;
  loss_step: number;
  /** Fitted over the full range of distances, 0..loss_step; -Infinity: exactly 0 inside it. */
  rate: PerNorm<number | null>;
  /** Fitted over the tail after the transient: distances ceil(loss_step / 2)..loss_step. */
  rate_tail: PerNorm<number | null>;
  /** First distance at which the norm is 1e-6 of the loss step's, or exactly 0; null: not within the run (> loss_step). */
  horizon: PerNorm<number | null>;
  /** The finite-time Lyapunov exponents of the backward pass: null when not computed for this probe. */
  lyapunov: { top: number | null; spectrum: number[] } | null;
  /** The theory's rates (src/engine/theory.ts); null where not applicable or not computed. */
  theory: { mean_field: number | null; cell_path: number | null; pmb_bound: number | null };
}

export interface ProbeRatesRequest {
  /** Empty or absent: every sweep. */
  sweepIds?: number[];
}
