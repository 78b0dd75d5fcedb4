// Finished probes as `seqlab summary` rows: the stored curves summarised by the shared
// decaySummary (the Summary view's code), and the rates the worker stored beside them.
import { summarizeCurve } from '../contract/decaySummary';
import type { NormName } from '../contract/labApi';
import type { PerNorm, ProbeRatesRow } from '../contract/probeRates';
import type { LabStore, RateRow } from './store/labStore';
import { decodeLog10 } from './store/resultBlob';

const NORMS: readonly NormName[] = ['dh', 'dc', 'dWx', 'dWh', 'db'];

/** A stored curve (log10, -Infinity an exact 0) as the shared summary reads it (null an exact 0). */
function stepCurve(blob: Buffer, lossStep: number) {
  const log10 = Array.from(decodeLog10(blob), (v) => (v === -Infinity ? null : v));
  return { lossStep, log10 };
}

export function toProbeRatesRow(p: RateRow): ProbeRatesRow {
  const rate: PerNorm<number | null> = {};
  const rateTail: PerNorm<number | null> = {};
  const horizon: PerNorm<number | null> = {};
  for (const norm of NORMS) {
    const blob = p[norm];
    if (!blob) continue;
    const s = summarizeCurve(stepCurve(blob, p.loss_step));
    rate[norm] = s.full.rate;
    rateTail[norm] = s.tail.rate;
    horizon[norm] = s.horizon;
  }
  return {
    sweep_id: p.sweep_id,
    probe_id: p.id,
    arch: p.arch,
    T: p.T,
    forget_bias: p.forget_bias,
    seed: p.seed,
    N: p.N,
    D: p.D,
    H: p.H,
    init: p.init_scheme,
    wh_gain: p.wh_gain,
    h0_scale: p.h0_scale,
    b_scale: p.b_scale,
    loss_step: p.loss_step,
    rate,
    rate_tail: rateTail,
    horizon,
    lyapunov: p.lyapunov_spectrum
      ? { top: p.lyapunov_top ?? null, spectrum: Array.from(decodeLog10(p.lyapunov_spectrum)) }
      : null,
    theory: { mean_field: p.mean_field ?? null, cell_path: p.cell_path ?? null, pmb_bound: p.pmb_bound ?? null },
  };
}

export function readProbeRates(store: LabStore, sweepIds: readonly number[]): ProbeRatesRow[] {
  const rows: ProbeRatesRow[] = [];
  for (const p of store.rateRows(sweepIds)) rows.push(toProbeRatesRow(p));
  return rows;
}
