// `seqlab summary --db lab.sqlite [--sweep NAME|ID ...] [--json|--csv]`: one row per finished
// probe, its configuration, then per computed norm the fitted rate (decades per step) and the
// horizon, the Lyapunov exponents and the theory's rates (read-only, beside a running lab). The
// numbers are the Summary view's: both use src/contract/decaySummary.ts.
//
// Exact zeros: a rate of -Infinity (the norm is exactly 0 inside the fit window) is null in JSON
// (which has no -Infinity) and -inf in the CSV and the table; a horizon not reached within the
// run is null in JSON, ">loss_step" in the CSV and "> loss_step" in the table.
import type { Command } from 'commander';
import type { ProbeRatesRow } from '../../contract/probeRates';
import { horizonCell, normsOf, probeRatesCsv } from '../../contract/probeRatesCsv';
import { CliError } from './cliError';
import { openReader, resolveSweepFlag } from './labFlags';

interface SummaryFlags {
  db: string;
  sweep?: string[];
  json?: boolean;
  csv?: boolean;
}

export function registerSummaryCommand(program: Command): void {
  program
    .command('summary')
    .description(
      'one row per finished probe: its configuration, decay rate and horizon per norm, Lyapunov exponents and theory rates',
    )
    .requiredOption('--db <file>', 'lab file (SQLite)')
    .option('--sweep <name|id...>', 'only these sweeps (by name or id); default every sweep')
    .option('--json', 'print a JSON array of rows')
    .option('--csv', 'print CSV, one row per probe')
    .action(summary);
}

async function summary(flags: SummaryFlags): Promise<void> {
  if (flags.json && flags.csv) throw new CliError('--json and --csv: choose one output format');
  const lab = openReader(flags.db);
  let rows: ProbeRatesRow[];
  try {
    const sweepIds = await resolveSweepFlag(lab, flags.sweep ?? [], flags.db);
    const read = await lab.loadProbeRates({ sweepIds });
    if (!read.ok) throw new CliError(`--db ${flags.db}: ${read.error.message}`);
    rows = read.value;
  } finally {
    lab.close();
  }
  if (flags.json) process.stdout.write(JSON.stringify(rows) + '\n');
  else if (flags.csv) process.stdout.write(probeRatesCsv(rows));
  else process.stdout.write(toTable(rows));
}

function toTable(rows: readonly ProbeRatesRow[]): string {
  if (rows.length === 0) return 'no finished probes\n';
  const norms = normsOf(rows);
  const fixed = (v: number | null | undefined): string =>
    v === -Infinity ? '-inf' : v === null || v === undefined ? '—' : v.toFixed(4);
  const head = [
    'sweep',
    'probe',
    'arch',
    'T',
    'bf',
    'seed',
    ...norms.flatMap((n) => [`rate ${n}`, `horizon ${n}`]),
    'lyapunov',
    'mean field',
    'cell path',
    'PMB bound',
  ];
  const body = rows.map((r) => [
    String(r.sweep_id),
    String(r.probe_id),
    r.arch,
    String(r.T),
    r.forget_bias === null ? '' : String(r.forget_bias),
    String(r.seed),
    ...norms.flatMap((n) => [n in r.rate ? fixed(r.rate[n]) : '', horizonCell(r, n, (l) => `> ${l}`)]),
    fixed(r.lyapunov?.top),
    fixed(r.theory.mean_field),
    fixed(r.theory.cell_path),
    fixed(r.theory.pmb_bound),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const fmt = (r: string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return (
    [fmt(head), ...body.map(fmt)].join('\n') +
    '\n' +
    'rates in decades per step (the fit over every distance); horizons: distance to 1e-6 or to an exact 0\n'
  );
}
