// `seqlab probe`: one probe, printed as JSON (--json) or as a short table.
import type { Command } from 'commander';
import { totalmem } from 'node:os';
import {
  DEFAULT_MAX_PROBE_BYTES, LIMITS, ProbeConfigError, fromLog10, runProbe, validateProbeConfig, withDefaults,
  type ProbeConfig, type ProbeResult, type StepNormsLog,
} from '../../engine/index';
import { CliError, parseNumberFlag } from './cliError';

const FLAG_OF: Record<string, string> = {
  arch: '--arch', T: '--T', N: '--N', D: '--D', H: '--H', seed: '--seed', rng: '--rng', init: '--init',
  forgetBias: '--forget-bias', whGain: '--wh-gain', h0Scale: '--h0-scale', bScale: '--b-scale',
  lossStep: '--loss-step', memory: '--T/--N/--D/--H',
};

const int = (flag: keyof typeof LIMITS) =>
  parseNumberFlag(FLAG_OF[flag], `[${LIMITS[flag].min}, ${LIMITS[flag].max}]`, true);
const real = (flag: keyof typeof LIMITS) =>
  parseNumberFlag(FLAG_OF[flag], `[${LIMITS[flag].min}, ${LIMITS[flag].max}]`, false);

interface ProbeFlags {
  arch: string; T: number; N: number; D: number; H: number; seed: number; rng: string; init: string;
  forgetBias?: number; whGain?: number; h0Scale?: number; bScale?: number; lossStep?: number; json?: boolean;
  lossTable?: boolean;
}

export function registerProbeCommand(program: Command): void {
  program
    .command('probe')
    .description('run one probe: forward pass + backprop through time for the loss at one step')
    .requiredOption('--arch <arch>', 'rnn | lstm')
    .requiredOption('--T <steps>', 'sequence length', int('T'))
    .option('--N <n>', 'batch size', int('N'), 1)
    .option('--D <d>', 'input size', int('D'), 3)
    .option('--H <h>', 'hidden size', int('H'), 4)
    .option('--seed <seed>', 'numpy seed', int('seed'), 1)
    .option('--rng <rng>', 'random stream: numpy', 'numpy')
    .option('--init <scheme>', 'article | scaled', 'scaled')
    .option('--forget-bias <bf>', 'added to the LSTM forget-gate bias', real('forgetBias'))
    .option('--wh-gain <g>', 'scaled init: Wh *= g / sqrt(H)', real('whGain'))
    .option('--h0-scale <s>', 'scaled init: h0 *= s', real('h0Scale'))
    .option('--b-scale <s>', 'scaled init: b *= s', real('bScale'))
    .option('--loss-step <t>', 'the loss step t, 0-based (default T-1)', parseNumberFlag('--loss-step', '[0, T-1]', true))
    .option('--loss-table', 'also every loss step t: the whole (t, k) table, O(T^2) work (JSON: "loss_table")')
    .option('--json', 'print one JSON object')
    .action((flags: ProbeFlags) => {
      const config = toConfig(flags);
      if (flags.lossTable && config.T > 2000) {
        process.stderr.write(`seqlab: --loss-table is O(T^2): ${config.T} backward passes of up to ${config.T} steps\n`);
      }
      const result = runProbe(config, { fullGradients: true, lossTable: flags.lossTable });
      process.stdout.write(flags.json ? JSON.stringify(toJson(result)) + '\n' : toTable(result));
    });
}

function toConfig(f: ProbeFlags): ProbeConfig {
  const config = withDefaults({
    arch: f.arch as ProbeConfig['arch'], T: f.T, N: f.N, D: f.D, H: f.H, seed: f.seed,
    rng: f.rng as 'numpy', init: f.init as ProbeConfig['init'],
    forgetBias: f.forgetBias, whGain: f.whGain, h0Scale: f.h0Scale, bScale: f.bScale, lossStep: f.lossStep,
  });
  try {
    validateProbeConfig(config, maxProbeBytes());
  } catch (err) {
    if (err instanceof ProbeConfigError) {
      throw new CliError(`${FLAG_OF[err.field] ?? err.field}: ${err.message}`);
    }
    throw err;
  }
  return config;
}

/** Half the machine's memory, at most the engine's default. */
export function maxProbeBytes(): number {
  return Math.min(DEFAULT_MAX_PROBE_BYTES, Math.floor(totalmem() / 2));
}

type Norms = Record<string, number[]>;

function stepArrays(s: StepNormsLog): { plain: Norms; log10: Record<string, (number | null)[]> } {
  const plain: Norms = {};
  const log10: Record<string, (number | null)[]> = {};
  for (const name of ['dh', 'dWx', 'dWh', 'db', 'dc'] as const) {
    const a = s[name];
    if (!a) continue;
    plain[name] = Array.from(a, fromLog10);
    log10[name] = Array.from(a, (v) => (v === -Infinity ? null : v));
  }
  return { plain, log10 };
}

export function toJson(r: ProbeResult) {
  const { plain, log10 } = stepArrays(r.lossStepNorms);
  return {
    config: r.config,
    forward: { loss: r.forward.loss, h_fro: r.forward.hFro, h_last: Array.from(r.forward.hLast) },
    last_loss: { t: r.config.lossStep, ...plain, log10 },
    full_grad_norms: r.fullGradNorms,
    ...(r.lossTable ? { loss_table: r.lossTable.map((row, t) => ({ t, log10: stepArrays(row).log10 })) } : {}),
  };
}

function toTable(r: ProbeResult): string {
  const c = r.config;
  const s = r.lossStepNorms;
  const names = (['dh', 'dc', 'dWx', 'dWh', 'db'] as const).filter((n) => s[n]);
  const lines = [
    `${c.arch.toUpperCase()}  T=${c.T} N=${c.N} D=${c.D} H=${c.H}  seed=${c.seed} init=${c.init}` +
      (c.arch === 'lstm' ? ` forget-bias=${c.forgetBias}` : '') + `  loss step t=${c.lossStep}`,
    `forward loss ${r.forward.loss?.toPrecision(10)}   ||h||_F ${r.forward.hFro.toPrecision(10)}`,
    '',
    ['k', 't-k', ...names].map((h) => h.padStart(12)).join(''),
  ];
  const rows = pickRows(c.lossStep + 1);
  for (const k of rows) {
    lines.push([String(k), String(c.lossStep - k), ...names.map((n) => formatLog10(s[n]![k]))].map((v) => v.padStart(12)).join(''));
  }
  if (r.fullGradNorms) {
    const g = r.fullGradNorms;
    lines.push('', `full gradients of L = sum_t L_t:  dWx ${g.dWx.toPrecision(8)}  dWh ${g.dWh.toPrecision(8)}  db ${g.db.toPrecision(8)}  dh0 ${g.dh0.toPrecision(8)}  dx ${g.dx.toPrecision(8)}`);
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

/** 1.234e-3500 style, from an exact log10. */
export function formatLog10(v: number): string {
  if (v === -Infinity) return '0';
  const e = Math.floor(v);
  let m = 10 ** (v - e);
  let exp = e;
  if (m >= 9.9995) { m /= 10; exp += 1; }
  return `${m.toFixed(3)}e${exp}`;
}
