// seqlab summary's rows (one per probe) -> the Summary's rows: one per configuration of a sweep
// (everything but the seed), each number the median over its seeds with their spread. The
// numbers are the CLI's (src/lab/probeRates.ts); only the aggregation over seeds is here.
import type { Arch, NormName } from '../../../contract/labApi';
import type { ProbeRatesRow } from '../../../contract/probeRates';
import { seedStats, type SeedStats, type SpreadKind } from './stats';
import { horizonOf, horizonValue } from './summaryZeros';

/** The fit window a rate is read over: every distance, or the tail after the transient (its second half). */
export type FitWindowKind = 'full' | 'tail';

export const FIT_WINDOW_LABELS: Record<FitWindowKind, string> = {
  full: 'full range (every distance)',
  tail: 'tail (second half of the distances)',
};

export interface SummaryRow {
  key: string;
  sweepId: number;
  arch: Arch;
  T: number;
  forgetBias: number | null;
  seeds: number;
  lossStep: number;
  /** Decades per step over each window: median and spread over seeds (-Infinity an exact 0). */
  rate: SeedStats | null;
  rateTail: SeedStats | null;
  /** Distance to fall 10^-6 or to an exact 0: median and spread, +Infinity censored ("> loss step"). */
  horizon: SeedStats | null;
  /** The median horizon as the table shows it: null censored. */
  horizonMedian: number | null | undefined;
  /** Top Lyapunov exponent of the backward product (the exact asymptotic rate), median over seeds. */
  lyapunovTop: number | null;
  /** Seeds whose top exponent is > 0: chaotic forward dynamics (only statistics reproduce). */
  chaoticSeeds: number;
  /** The theory's rates, medians (null where not applicable). */
  meanField: number | null;
  cellPath: number | null;
  pmbBound: number | null;
}

/** A probe's configuration without its seed: what seeds are aggregated over. */
function configKey(r: ProbeRatesRow): string {
  return JSON.stringify([
    r.sweep_id,
    r.arch,
    r.T,
    r.forget_bias,
    r.N,
    r.D,
    r.H,
    r.init,
    r.wh_gain,
    r.h0_scale,
    r.b_scale,
    r.loss_step,
  ]);
}

const medianOf = (values: (number | null | undefined)[]): number | null => seedStats(values, 'minmax')?.median ?? null;

export function summaryRows(rows: readonly ProbeRatesRow[], norm: NormName, spread: SpreadKind): SummaryRow[] {
  const groups = new Map<string, ProbeRatesRow[]>();
  for (const r of rows) {
    if (!(norm in r.rate)) continue;
    const k = configKey(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const out: SummaryRow[] = [];
  for (const [key, g] of groups) {
    const first = g[0];
    const horizon = seedStats(
      g.map((r) => horizonValue(r.horizon[norm])),
      spread,
    );
    const tops = g.map((r) => r.lyapunov?.top ?? null);
    out.push({
      key,
      sweepId: first.sweep_id,
      arch: first.arch as Arch,
      T: first.T,
      forgetBias: first.arch === 'lstm' ? first.forget_bias : null,
      seeds: new Set(g.map((r) => r.seed)).size,
      lossStep: first.loss_step,
      rate: seedStats(
        g.map((r) => r.rate[norm]),
        spread,
      ),
      rateTail: seedStats(
        g.map((r) => r.rate_tail[norm]),
        spread,
      ),
      horizon,
      horizonMedian: horizon ? horizonOf(horizon.median) : undefined,
      lyapunovTop: medianOf(tops),
      chaoticSeeds: tops.filter((t) => t !== null && t > 0).length,
      meanField: medianOf(g.map((r) => r.theory.mean_field)),
      cellPath: medianOf(g.map((r) => r.theory.cell_path)),
      pmbBound: medianOf(g.map((r) => r.theory.pmb_bound)),
    });
  }
  return out.sort(
    (a, b) =>
      a.sweepId - b.sweepId ||
      (a.arch === b.arch ? 0 : a.arch === 'rnn' ? -1 : b.arch === 'rnn' ? 1 : a.arch.localeCompare(b.arch)) ||
      a.T - b.T ||
      (a.forgetBias ?? 0) - (b.forgetBias ?? 0),
  );
}

/** The rate of a row over a window. */
export const rateOver = (r: SummaryRow, w: FitWindowKind): SeedStats | null => (w === 'full' ? r.rate : r.rateTail);

/** A row's theory line for its arch: the mean-field factor (RNN), the cell path (LSTM). */
export const theoryRate = (r: SummaryRow): number | null => (r.arch === 'lstm' ? r.cellPath : r.meanField);
