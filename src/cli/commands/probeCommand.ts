// `seqlab probe`: one probe, printed as JSON (--json) or as a short table.
import type { Command } from 'commander';
import type { NormName } from '../../contract/labApi';
import {
  PROBE_LIMITS,
  PROBE_MAX_THREADS,
  runModelProbeReport,
  runProbeReport,
  type ProbeConfigInput,
  type ProbeLimitField,
  type ProbeReport,
} from '../../lab/probeService';
import { CliError, integerFlag, parseNumberFlag } from './cliError';
import { NORMS_FLAG_HELP, parseNormsFlag } from './normsFlag';

const FLAG_OF: Record<string, string> = {
  arch: '--arch',
  T: '--T',
  N: '--N',
  D: '--D',
  H: '--H',
  seed: '--seed',
  rng: '--rng',
  init: '--init',
  forgetBias: '--forget-bias',
  whGain: '--wh-gain',
  h0Scale: '--h0-scale',
  bScale: '--b-scale',
  lossStep: '--loss-step',
  memory: '--T/--N/--D/--H',
  weights: '--weights',
  layer: '--layer',
  inputs: '--inputs',
};

/** Sizes used when neither a flag nor a file gives them. */
const DEFAULT_SIZES = { N: 1, D: 3, H: 4 };

const int = (flag: ProbeLimitField) =>
  parseNumberFlag(FLAG_OF[flag], `[${PROBE_LIMITS[flag].min}, ${PROBE_LIMITS[flag].max}]`, true);
const real = (flag: ProbeLimitField) =>
  parseNumberFlag(FLAG_OF[flag], `[${PROBE_LIMITS[flag].min}, ${PROBE_LIMITS[flag].max}]`, false);

interface ProbeFlags {
  arch: string;
  T?: number;
  N?: number;
  D?: number;
  H?: number;
  seed: number;
  rng: string;
  init: string;
  forgetBias?: number;
  whGain?: number;
  h0Scale?: number;
  bScale?: number;
  lossStep?: number;
  json?: boolean;
  lossTable?: boolean;
  weights?: string;
  layer?: number;
  inputs?: string;
  norms?: NormName[];
  threads: number;
}

export function registerProbeCommand(program: Command): void {
  program
    .command('probe')
    .description('run one probe: forward pass + backprop through time for the loss at one step')
    .requiredOption('--arch <arch>', 'rnn | lstm | gru')
    .option('--T <steps>', 'sequence length (required unless --inputs gives it)', int('T'))
    .option('--N <n>', 'batch size (default 1, or from --inputs)', int('N'))
    .option('--D <d>', 'input size (default 3, or from --weights / --inputs)', int('D'))
    .option('--H <h>', 'hidden size (default 4, or from --weights)', int('H'))
    .option('--weights <file>', 'a PyTorch state_dict of nn.RNN (tanh), nn.LSTM or nn.GRU, .safetensors or .npz')
    .option('--layer <l>', 'the layer of --weights (default 0)', parseNumberFlag('--layer', '[0, 1000]', true))
    .option('--inputs <file>', 'sequences x as a .npy of shape (N, T, D), float32 or float64')
    .option('--seed <seed>', 'numpy seed', int('seed'), 1)
    .option('--rng <rng>', 'random stream: numpy', 'numpy')
    .option('--init <scheme>', 'article | scaled', 'scaled')
    .option('--forget-bias <bf>', "added to the LSTM forget-gate bias (GRU: the update gate z's input bias)", real('forgetBias'))
    .option('--wh-gain <g>', 'scaled init: Wh *= g / sqrt(H)', real('whGain'))
    .option('--h0-scale <s>', 'scaled init: h0 *= s', real('h0Scale'))
    .option('--b-scale <s>', 'scaled init: b *= s', real('bScale'))
    .option('--loss-step <t>', 'the loss step t, 0-based (default T-1)', parseNumberFlag('--loss-step', '[0, T-1]', true))
    .option('--norms <names>', NORMS_FLAG_HELP, parseNormsFlag)
    .option('--loss-table', 'also every loss step t: the whole (t, k) table, O(T^2) work (JSON: "loss_table")')
    .option(
      '--threads <n>',
      `threads for the large matrix products (1-${PROBE_MAX_THREADS}; the results are the same for any count)`,
      integerFlag('--threads', 1, PROBE_MAX_THREADS),
      1,
    )
    .option('--json', 'print one JSON object')
    .action((flags: ProbeFlags) => {
      if (flags.lossTable && flags.T !== undefined && flags.T > 2000) {
        process.stderr.write(`seqlab: --loss-table is O(T^2): ${flags.T} backward passes of up to ${flags.T} steps\n`);
      }
      const options = { lossTable: flags.lossTable, norms: flags.norms, threads: flags.threads };
      const fromFiles = flags.weights !== undefined || flags.inputs !== undefined;
      if (!fromFiles && flags.T === undefined) throw new CliError('--T: required (unless --inputs gives it)');
      if (!fromFiles && flags.layer !== undefined) throw new CliError('--layer: only with --weights');
      const report = fromFiles
        ? runModelProbeReport(
            {
              ...toConfigInput(flags),
              T: flags.T,
              N: flags.N,
              D: flags.D,
              H: flags.H,
              weights: flags.weights,
              layer: flags.layer,
              inputs: flags.inputs,
            },
            options,
          )
        : runProbeReport(toConfigInput(flags), options);
      if (!report.ok) {
        const field = report.error.issues?.[0]?.path;
        // An invalid input names its flag; anything else is the engine failing (exit 1).
        if (report.error.code === 'invalid-argument' && field)
          throw new CliError(`${FLAG_OF[field] ?? field}: ${report.error.message}`);
        throw new CliError(report.error.message, 1);
      }
      process.stdout.write(flags.json ? JSON.stringify(report.value) + '\n' : toTable(report.value));
    });
}

function toConfigInput(f: ProbeFlags): ProbeConfigInput {
  return {
    arch: f.arch as ProbeConfigInput['arch'],
    T: f.T ?? 0,
    N: f.N ?? DEFAULT_SIZES.N,
    D: f.D ?? DEFAULT_SIZES.D,
    H: f.H ?? DEFAULT_SIZES.H,
    seed: f.seed,
    rng: f.rng as 'numpy',
    init: f.init as ProbeConfigInput['init'],
    forgetBias: f.forgetBias,
    whGain: f.whGain,
    h0Scale: f.h0Scale,
    bScale: f.bScale,
    lossStep: f.lossStep,
  };
}

function toTable(r: ProbeReport): string {
  const c = r.config;
  const s = r.last_loss.log10;
  const names = (['dh', 'dc', 'dWx', 'dWh', 'db'] as const satisfies readonly NormName[]).filter((n) => s[n]);
  const lines = [
    `${c.arch.toUpperCase()}  T=${c.T} N=${c.N} D=${c.D} H=${c.H}  seed=${c.seed} init=${c.init}` +
      (c.arch === 'rnn' ? '' : ` forget-bias=${c.forgetBias}`) +
      `  loss step t=${c.lossStep}`,
    ...(r.weights ? [`weights ${r.weights.file} layer ${r.weights.layer} (D=${r.weights.D}, H=${r.weights.H})`] : []),
    ...(r.inputs ? [`inputs ${r.inputs.file} (N=${r.inputs.N}, T=${r.inputs.T}, D=${r.inputs.D})`] : []),
    `forward loss ${r.forward.loss?.toPrecision(10)}   ||h||_F ${r.forward.h_fro.toPrecision(10)}`,
    '',
    ['k', 't-k', ...names].map((h) => h.padStart(12)).join(''),
  ];
  const rows = pickRows(c.lossStep + 1);
  if (rows.length < c.lossStep + 1) {
    lines.splice(
      lines.length - 1,
      0,
      `a sample of ${rows.length} of the ${c.lossStep + 1} steps, log-spaced in distance t-k (--json or --loss-table for every step)`,
    );
  }
  for (const k of rows) {
    lines.push(
      [String(k), String(c.lossStep - k), ...names.map((n) => formatLog10(s[n]![k]))].map((v) => v.padStart(12)).join(''),
    );
  }
  if (r.full_grad_norms) {
    const g = r.full_grad_norms;
    lines.push(
      '',
      `full gradients of L = sum_t L_t:  dWx ${formatLog10(g.log10.dWx)}  dWh ${formatLog10(g.log10.dWh)}  db ${formatLog10(g.log10.db)}  dh0 ${formatLog10(g.log10.dh0)}  dx ${formatLog10(g.log10.dx)}`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Every step for short runs; otherwise about 20 steps, log-spaced in distance from the loss. */
function pickRows(steps: number): number[] {
  if (steps <= 24) return Array.from({ length: steps }, (_, i) => steps - 1 - i);
  const ks = new Set<number>();
  for (let i = 0; i < 20; i++) ks.add(steps - 1 - Math.round((steps - 1) ** (i / 19)) + (i === 0 ? 1 : 0));
  ks.add(0);
  return [...ks].filter((k) => k >= 0 && k < steps).sort((a, b) => b - a);
}

/** 1.234e-3500 style, from an exact log10 (null or -Infinity: an exact 0). */
export function formatLog10(v: number | null): string {
  if (v === null || v === -Infinity) return '0';
  const e = Math.floor(v);
  let m = 10 ** (v - e);
  let exp = e;
  if (m >= 9.9995) {
    m /= 10;
    exp += 1;
  }
  return `${m.toFixed(3)}e${exp}`;
}
