// One probe in this process (`seqlab probe`): its inputs checked against the engine's limits and
// this machine's memory, and its result as a report of plain values and exact log10s, so an
// adapter never touches the engine itself.
import type { NormName } from '../contract/labApi';
import { fail, ok, type Result } from '../contract/result';
import {
  LIMITS,
  MAX_PROBE_THREADS,
  ProbeConfigError,
  fromLog10,
  modelInputs,
  runProbe,
  validateProbeConfig,
  withDefaults,
  type FullGradNorms,
  type ImportedWeights,
  type ProbeConfig,
  type ProbeConfigInput,
  type ProbeResult,
  type ChosenStepNorms,
} from '../engine/index';
import { TensorFileError, importWeights, readInputs, readStateDict } from './modelFile/importedModel';
import { maxProbeBytes } from './sweep/expandSweep';
import { internal } from './serviceResult';

/** The range of every numeric probe input. */
export const PROBE_LIMITS = LIMITS;
/** The most threads a probe's products may use (`seqlab probe --threads`). */
export const PROBE_MAX_THREADS = MAX_PROBE_THREADS;
export type ProbeLimitField = keyof typeof LIMITS;
export type { ProbeConfig, ProbeConfigInput };

/** Per step k = 0..t: the norm, 0 where float64 cannot hold it... */
type StepValues = Partial<Record<NormName, number[]>>;
/** ...and its exact log10 (null only for an exact 0). */
type StepLog10 = Partial<Record<NormName, (number | null)[]>>;

export interface ProbeReport {
  /** Every input, defaults filled in. */
  config: ProbeConfig;
  forward: { loss: number | null; h_fro: number; h_last: number[] };
  /** The norms for the loss at step t = config.lossStep. */
  last_loss: { t: number; log10: StepLog10 } & StepValues;
  /** Frobenius norms of the full gradients of L = sum_t L_t. */
  full_grad_norms?: FullGradNorms;
  /** With lossTable: every loss step t's norms (log10 only). */
  loss_table?: { t: number; log10: StepLog10 }[];
  /** With imported weights: the file, the layer and its sizes. */
  weights?: { file: string; layer: number; arch: ProbeConfig['arch']; D: number; H: number };
  /** With given sequences: the file and its (N, T, D). */
  inputs?: { file: string; N: number; T: number; D: number };
}

export interface ProbeReportOptions {
  /** Also every loss step t: the whole (t, k) table, O(T^2) work. */
  lossTable?: boolean;
  /** The loss step's norms to compute (default all five); the full gradients and the loss table are reported whole. */
  norms?: readonly NormName[];
  /** Threads the products may use (default 1): the results are the same for any count. */
  threads?: number;
}

/**
 * The probe's inputs with defaults filled in, or an invalid-argument Result whose one issue names
 * the field ('memory' when the probe would need more than it may use here).
 */
export function checkProbe(input: ProbeConfigInput): Result<ProbeConfig> {
  const config = withDefaults(input);
  try {
    validateProbeConfig(config, maxProbeBytes());
  } catch (err) {
    if (err instanceof ProbeConfigError)
      return fail('invalid-argument', err.message, [{ path: err.field, message: err.message }]);
    return internal(err);
  }
  return ok(config);
}

/** What the engine is asked for a report: the full gradients too. */
function engineOptions(options: ProbeReportOptions) {
  return { fullGradients: true, lossTable: options.lossTable, norms: options.norms, threads: options.threads };
}

/** Runs one probe (forward pass, BPTT for the loss at one step, full gradients) here and now. */
export function runProbeReport(input: ProbeConfigInput, options: ProbeReportOptions = {}): Result<ProbeReport> {
  const config = checkProbe(input);
  if (!config.ok) return config;
  try {
    return ok(toReport(runProbe(config.value, engineOptions(options))));
  } catch (err) {
    return internal(err);
  }
}

/**
 * A probe on a trained layer and/or the user's own sequences: T, N, D and H may be left out, as
 * the files fix them (given ones that disagree are refused, naming the field).
 */
export type ModelProbeInput = Omit<ProbeConfigInput, 'T' | 'N' | 'D' | 'H'> &
  Partial<Pick<ProbeConfigInput, 'T' | 'N' | 'D' | 'H'>> & {
    /** A PyTorch state_dict (.safetensors or .npz) of an nn.RNN, nn.LSTM or nn.GRU. */
    weights?: string;
    /** Its layer (default 0). */
    layer?: number;
    /** Sequences x, a .npy of shape (N, T, D). */
    inputs?: string;
  };

const invalid = (field: string, message: string) => fail('invalid-argument', message, [{ path: field, message }]);

export function runModelProbeReport(input: ModelProbeInput, options: ProbeReportOptions = {}): Result<ProbeReport> {
  if (!['rnn', 'lstm', 'gru'].includes(input.arch))
    return invalid('arch', `arch must be one of rnn, lstm, gru; got ${JSON.stringify(input.arch)}`);
  const layer = input.layer ?? 0;
  if (!Number.isInteger(layer) || layer < 0 || layer > 1000)
    return invalid('layer', `layer must be an integer in [0, 1000], got ${layer}`);
  let weights: ImportedWeights | undefined;
  let x: { N: number; T: number; D: number; x: Float64Array } | undefined;
  try {
    if (input.weights !== undefined) weights = importWeights(readStateDict(input.weights), input.arch, layer, input.weights);
    if (input.inputs !== undefined) x = readInputs(input.inputs);
  } catch (err) {
    if (err instanceof TensorFileError)
      return invalid(weights || input.weights === undefined ? 'inputs' : 'weights', err.message);
    return internal(err);
  }
  const sizes: Partial<Record<'T' | 'N' | 'D' | 'H', { value: number; from: string }>> = {};
  if (weights) {
    sizes.D = { value: weights.D, from: `the weights' input size (weight_ih_l${layer} is [G, ${weights.D}])` };
    sizes.H = { value: weights.H, from: `the weights' hidden size (weight_hh_l${layer} is [G, ${weights.H}])` };
  }
  if (x) {
    sizes.N = { value: x.N, from: `the inputs' N (shape [${x.N}, ${x.T}, ${x.D}])` };
    sizes.T = { value: x.T, from: `the inputs' T (shape [${x.N}, ${x.T}, ${x.D}])` };
    if (sizes.D && sizes.D.value !== x.D)
      return invalid(
        'inputs',
        `the inputs' D = ${x.D} (shape [${x.N}, ${x.T}, ${x.D}]) must be ${sizes.D.from}: ${sizes.D.value}`,
      );
    sizes.D ??= { value: x.D, from: `the inputs' D (shape [${x.N}, ${x.T}, ${x.D}])` };
  }
  for (const field of ['T', 'N', 'D', 'H'] as const) {
    const fixed = sizes[field];
    if (fixed && input[field] !== undefined && input[field] !== fixed.value) {
      return invalid(field, `${field} = ${input[field]} disagrees with ${fixed.from}: leave it out or give ${fixed.value}`);
    }
  }
  const sizeOf = (field: 'T' | 'N' | 'D' | 'H', fallback: number | undefined) => sizes[field]?.value ?? input[field] ?? fallback;
  const T = sizeOf('T', undefined);
  if (T === undefined) return invalid('T', 'T is required unless inputs give it');
  const config = checkProbe({ ...input, T, N: sizeOf('N', 1)!, D: sizeOf('D', 3)!, H: sizeOf('H', 4)! });
  if (!config.ok) return config;
  try {
    const given = modelInputs(config.value, { weights, x: x?.x });
    const report = toReport(runProbe(config.value, { ...engineOptions(options), inputs: given }));
    if (weights && input.weights !== undefined)
      report.weights = { file: input.weights, layer, arch: weights.arch, D: weights.D, H: weights.H };
    if (x && input.inputs !== undefined) report.inputs = { file: input.inputs, N: x.N, T: x.T, D: x.D };
    return ok(report);
  } catch (err) {
    if (err instanceof ProbeConfigError) return invalid(err.field, err.message);
    return internal(err);
  }
}

function stepArrays(s: ChosenStepNorms): { plain: StepValues; log10: StepLog10 } {
  const plain: StepValues = {};
  const log10: StepLog10 = {};
  for (const name of ['dh', 'dWx', 'dWh', 'db', 'dc'] as const) {
    const a = s[name];
    if (!a) continue;
    plain[name] = Array.from(a, fromLog10);
    log10[name] = Array.from(a, (v) => (v === -Infinity ? null : v));
  }
  return { plain, log10 };
}

function toReport(r: ProbeResult<ChosenStepNorms>): ProbeReport {
  const { plain, log10 } = stepArrays(r.lossStepNorms);
  return {
    config: r.config,
    forward: { loss: r.forward.loss, h_fro: r.forward.hFro, h_last: Array.from(r.forward.hLast) },
    last_loss: { t: r.config.lossStep, ...plain, log10 },
    full_grad_norms: r.fullGradNorms,
    ...(r.lossTable ? { loss_table: r.lossTable.map((row, t) => ({ t, log10: stepArrays(row).log10 })) } : {}),
  };
}
