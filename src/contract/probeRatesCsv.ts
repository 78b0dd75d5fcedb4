// `seqlab summary --csv` and the Summary view's CSV download: one row per finished probe, the
// configuration columns the tidy CSV export uses, then per computed norm its rates and horizon,
// the Lyapunov exponents and the theory's rates. Pure, so the CLI and the browser write the same
// file. An exact 0 is -inf; a horizon not reached within the run is ">loss_step".
import { NORM_NAMES, type NormName } from './labApi';
import type { ProbeRatesRow } from './probeRates';
import { PROBE_KEY_COLUMNS } from './probeColumns';

const CONFIG_COLUMNS = PROBE_KEY_COLUMNS;

/** The norms any row has, in the usual order. */
export function normsOf(rows: readonly ProbeRatesRow[]): NormName[] {
  return NORM_NAMES.filter((n) => rows.some((r) => n in r.rate));
}

/** A number as the CSV writes it: -inf for an exact 0, empty for none. */
export const csvNumber = (v: number | null | undefined): string => {
  if (v === null || v === undefined) return '';
  if (v === -Infinity) return '-inf';
  if (v === Infinity) return 'inf';
  return String(v);
};

/** A horizon cell: the distance, or the censored form when not reached within the run. */
export function horizonCell(r: ProbeRatesRow, n: NormName, censored: (longest: number) => string): string {
  if (!(n in r.horizon)) return '';
  const h = r.horizon[n];
  return h === null || h === undefined ? censored(r.loss_step) : String(h);
}

/** RFC 4180 quoting where a field needs it (as csv-stringify does). */
const quote = (field: string): string => (/[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);

export function probeRatesCsv(rows: readonly ProbeRatesRow[], norms: readonly NormName[] = normsOf(rows)): string {
  const header = [
    ...CONFIG_COLUMNS,
    ...norms.flatMap((n) => [`rate_${n}`, `rate_tail_${n}`, `horizon_${n}`]),
    'lyapunov_top',
    'lyapunov_spectrum',
    'mean_field',
    'cell_path',
    'pmb_bound',
  ];
  const body = rows.map((r) => [
    ...CONFIG_COLUMNS.map((c) => (r[c] === null ? '' : String(r[c]))),
    ...norms.flatMap((n) => [csvNumber(r.rate[n]), csvNumber(r.rate_tail[n]), horizonCell(r, n, (l) => `>${l}`)]),
    csvNumber(r.lyapunov?.top),
    r.lyapunov ? r.lyapunov.spectrum.map(csvNumber).join(' ') : '',
    csvNumber(r.theory.mean_field),
    csvNumber(r.theory.cell_path),
    csvNumber(r.theory.pmb_bound),
  ]);
  return [header, ...body].map((line) => line.map(quote).join(',') + '\n').join('');
}
