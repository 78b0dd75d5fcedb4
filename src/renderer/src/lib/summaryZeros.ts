// Exact zeros in the Summary. `loadProbeRates` answers with seqlab summary's rows, where a rate
// of -Infinity means the norm is exactly 0 inside the fit window. JSON has no -Infinity, so over
// the lab server such a rate arrives as null (what `seqlab summary --json` prints too); here it
// becomes -Infinity again, so that both shells (IPC keeps -Infinity) show and aggregate the same.
// A horizon of null is censored (not reached within the run: "> loss step"), never "missing".
import type { NormName } from '../../../contract/labApi';
import type { PerNorm, ProbeRatesRow } from '../../../contract/probeRates';

const revive = (rates: PerNorm<number | null>): PerNorm<number | null> => {
  const out: PerNorm<number | null> = {};
  for (const [norm, v] of Object.entries(rates) as [NormName, number | null | undefined][]) out[norm] = v ?? -Infinity;
  return out;
};

/**
 * The rows with every present-but-null rate as -Infinity. (A rate is null for another reason only
 * on a curve of one point, loss step 0, which a sweep of T >= 2 never has.)
 */
export function reviveExactZeros(rows: readonly ProbeRatesRow[]): ProbeRatesRow[] {
  return rows.map((r) => (r.loss_step === 0 ? r : { ...r, rate: revive(r.rate), rate_tail: revive(r.rate_tail) }));
}

/** Horizons as numbers to order and aggregate: a censored one is +Infinity (beyond every finite one). */
export const horizonValue = (h: number | null | undefined): number | null => (h === undefined ? null : h === null ? Infinity : h);

/** Back: +Infinity is censored (null). */
export const horizonOf = (v: number): number | null => (v === Infinity ? null : v);
