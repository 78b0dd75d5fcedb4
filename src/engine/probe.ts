// The engine's public entry point: one probe = inputs from a seed, the forward pass, and
// backprop through time for the loss at one step, reporting every step's gradient norms.
import type { ModelInputs } from './inputs';
import { dimsOf, runForward, summarizeForward, type ForwardHooks, type ForwardSummary } from './forward';
import {
  LossStepBackward,
  backwardDoubles,
  backwardFromLossStep,
  type BackwardOptions,
  type ChosenStepNorms,
  type StepNormName,
  type StepNormsLog,
} from './backward';
import { FullGradientBackward, type FullGradNorms } from './fullGradient';
import { withDefaults, type ProbeConfig, type ProbeConfigInput } from './probeConfig';
import { DEFAULT_MAX_PROBE_BYTES, MAX_PROBE_THREADS, validateProbeConfig } from './probeLimits';
import { planTrace, probeDoubles, type ProbeNeeds } from './tracePlan';
import { withProductThreads, Workspace } from './workspace';
import { probeTheory, spectralNormByGram, type ProbeTheory } from './theory';
import type { SpectralNormCache, SpectralRoute } from './spectralNormCache';
import { carryTakesRiders, ridesCarry, SpectralRider } from './spectralRider';
import {
  DEFAULT_LYAPUNOV_K,
  LyapunovBackward,
  checkLyapunovOptions,
  type LyapunovExponents,
  type LyapunovOptions,
} from './lyapunov';

export interface ProbeOptions extends BackwardOptions {
  /** Also compute the full gradients of L = sum_t L_t (one more backward pass). */
  fullGradients?: boolean;
  /** Also report the total loss L = sum_t L_t (reads every step's dout). */
  totalLoss?: boolean;
  /** Compute the whole (loss step t, step k) table: O(T^2) work, O(T^2) memory. */
  lossTable?: boolean;
  /** With lossTable: only these loss steps' rows, in this order (lossTable[i] is step lossTableSteps[i]). */
  lossTableSteps?: readonly number[];
  /** With lossTable: called after each row (the table is the slow part: progress for it). */
  onLossTableRow?: (done: number, total: number) => void;
  /** The memory this probe may take (default DEFAULT_MAX_PROBE_BYTES); it checkpoints its trace to fit. */
  maxBytes?: number;
  /** Checkpoint the trace in segments of this many steps, whatever the memory (tests, measurements). */
  checkpointSegment?: number;
  /**
   * Threads the native products may use (default 1, at most MAX_PROBE_THREADS): the lab gives a
   * probe the cores its other workers leave idle. The results do not depend on it.
   */
  threads?: number;
  /** Also the top-k finite-time Lyapunov exponents of the loss step's backward Jacobian product (lyapunov.ts). */
  lyapunov?: LyapunovOptions;
  /**
   * sigma_max(Wh) of weights met before: a probe whose Wh equals one of them takes its value
   * instead of computing it (the same bits), else adds its own. A sweep worker keeps one for all
   * its probes: those differing only in their forget bias share Wh.
   */
  spectralNorms?: SpectralNormCache;
  /**
   * How sigma_max(Wh) is computed, whatever the shape would choose (ridesCarry): from its Gram
   * matrix, or riding on the loss pass's carries, which needs the native kernels and one sequence
   * of an RNN or LSTM (tests, measurements). The two agree to rounding.
   */
  spectralRoute?: SpectralRoute;
  /** Use these inputs instead of drawing them from the seed (tests only). */
  inputs?: ModelInputs;
  /** Nudge the forward pass (finite-difference tests only). */
  forwardHooks?: ForwardHooks;
}

export interface NormChoice {
  /**
   * The loss step's norms to compute: the others are skipped, and with them the weight-gradient
   * work when none of dWx, dWh, db is asked. Each asked norm comes out as it does when all are.
   */
  norms: readonly StepNormName[];
}

export interface ProbeResult<LossStepNorms extends ChosenStepNorms = StepNormsLog> {
  config: ProbeConfig;
  forward: ForwardSummary;
  theory: ProbeTheory;
  /** Norms for the loss at config.lossStep, indexed by step k = 0..lossStep, as log10 (only the asked ones). */
  lossStepNorms: LossStepNorms;
  fullGradNorms?: FullGradNorms;
  /** lossTable[t] = the norms for the loss at step t (only with options.lossTable; see lossTableSteps). */
  lossTable?: StepNormsLog[];
  /** Only with options.lyapunov. */
  lyapunov?: LyapunovExponents;
  /** Whether the trace was checkpointed (recomputed segment by segment) rather than stored. */
  checkpointed: boolean;
}

/** With `norms`, only the norms asked; without, every one. */
export function runProbe(input: ProbeConfigInput, options: ProbeOptions & NormChoice): ProbeResult<ChosenStepNorms>;
export function runProbe(input: ProbeConfigInput, options?: ProbeOptions): ProbeResult;
export function runProbe(input: ProbeConfigInput, options: ProbeOptions & Partial<NormChoice>): ProbeResult<ChosenStepNorms>;
export function runProbe(
  input: ProbeConfigInput,
  options: ProbeOptions & Partial<NormChoice> = {},
): ProbeResult<ChosenStepNorms> {
  const config = withDefaults(input);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_PROBE_BYTES;
  // The total loss and the extra passes read every step's dout; a single-loss probe reads one.
  const needs: ProbeNeeds = {
    fullGradients: options.fullGradients,
    allDout: Boolean(options.lossTable || options.totalLoss),
    // The loss table's rows are of all five norms, whichever the loss step's are.
    norms: options.lossTable ? undefined : options.norms,
  };
  if (options.lyapunov) {
    checkLyapunovOptions(config, options.lyapunov);
    needs.lyapunovK = options.lyapunov.k ?? DEFAULT_LYAPUNOV_K;
  }
  validateProbeConfig(config, maxBytes, needs);
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_PROBE_THREADS)
    throw new RangeError(`threads must be an integer in [1, ${MAX_PROBE_THREADS}] (got ${threads})`);
  return withProductThreads(threads, () => computeProbe(config, options, maxBytes, needs));
}

function computeProbe(
  config: ProbeConfig,
  options: ProbeOptions & Partial<NormChoice>,
  maxBytes: number,
  needs: ProbeNeeds,
): ProbeResult<ChosenStepNorms> {
  const d = dimsOf(config.arch, config.T, config.N, config.D, config.H);
  const layout = planTrace(config, needs, maxBytes, options.checkpointSegment);
  const ws = Workspace.create(probeDoubles(d, layout, needs));
  const source = options.inputs ? { given: options.inputs } : { draw: config };
  const { trace, sums } = runForward(d, layout, source, ws, options.forwardHooks, config.lossStep, options.fusedSteps !== false);
  // sigma_max(Wh): from a sweep worker's cache where it met this Wh, else from its Gram matrix
  // now, or riding on the loss pass's carries (spectralRider.ts). The two routes agree to
  // rounding, not to the bit, so the cache keeps each route's values apart.
  const route = options.spectralRoute ?? (ridesCarry(trace, config.lossStep) ? 'rider' : 'gram');
  if (route === 'rider' && !carryTakesRiders(trace))
    throw new RangeError('sigma_max by riders needs the native kernels and one sequence (N = 1) of an RNN or LSTM');
  const cached = options.spectralNorms?.get(trace.Wh, trace.H, trace.G, route);
  const rider = cached === undefined && route === 'rider' ? new SpectralRider(trace, ws) : null;
  const byGram = cached === undefined && route === 'gram' ? spectralNormByGram(trace, ws) : undefined;
  const scratch = ws.take(backwardDoubles(d));
  // One walk back over the trace serves both passes, so a checkpointed trace recomputes each
  // segment once for them.
  const lossPass = new LossStepBackward(trace, config.lossStep, Workspace.within(ws, scratch), options, options.norms, rider);
  const fullPass = options.fullGradients ? new FullGradientBackward(trace, ws) : null;
  const lyapunovPass = options.lyapunov ? new LyapunovBackward(trace, config.lossStep, ws, options.lyapunov) : null;
  for (let k = fullPass ? config.T - 1 : config.lossStep; k >= 0; k--) {
    trace.load(k);
    fullPass?.step(k);
    if (k <= config.lossStep) {
      lossPass.step(k);
      lyapunovPass?.step(k);
    }
  }
  const whSpectralNorm = cached ?? byGram ?? rider!.finish();
  if (cached === undefined) options.spectralNorms?.add(trace.Wh, trace.H, trace.G, route, whSpectralNorm);
  const result: ProbeResult<ChosenStepNorms> = {
    config,
    forward: summarizeForward(sums),
    theory: probeTheory(trace, sums, whSpectralNorm),
    lossStepNorms: lossPass.norms,
    checkpointed: layout.checkpointed,
  };
  if (fullPass) result.fullGradNorms = fullPass.norms();
  if (lyapunovPass) result.lyapunov = lyapunovPass.result();
  if (options.lossTable) {
    result.lossTable = [];
    const steps = options.lossTableSteps ?? Array.from({ length: config.T }, (_, t) => t);
    for (const t of steps) {
      if (!Number.isInteger(t) || t < 0 || t >= config.T)
        throw new RangeError(`loss table step ${t} is not in [0, ${config.T - 1}]`);
      result.lossTable.push(backwardFromLossStep(trace, t, Workspace.within(ws, scratch)));
      options.onLossTableRow?.(result.lossTable.length, steps.length);
    }
  }
  return result;
}
