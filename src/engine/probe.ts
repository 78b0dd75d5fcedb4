// The engine's public entry point: one probe = inputs from a seed, the forward pass, and
// backprop through time for the loss at one step, reporting every step's gradient norms.
import { buildInputs, type ProbeInputs } from './inputs';
import { dimsOf, forwardDoubles, runForward, summarizeForward, type ForwardHooks, type ForwardSummary } from './forward';
import { backwardDoubles, backwardFromLossStep, type BackwardOptions, type StepNormsLog } from './backward';
import { fullGradientDoubles, fullGradientNorms, type FullGradNorms } from './fullGradient';
import { withDefaults, type ProbeConfig, type ProbeConfigInput } from './probeConfig';
import { validateProbeConfig } from './probeLimits';
import { Workspace } from './workspace';
import { probeTheory, theoryDoubles, type ProbeTheory } from './theory';

export interface ProbeOptions extends BackwardOptions {
  /** Also compute the full gradients of L = sum_t L_t (one more backward pass). */
  fullGradients?: boolean;
  /** Also report the total loss L = sum_t L_t (reads every step's dout). */
  totalLoss?: boolean;
  /** Compute the whole (loss step t, step k) table: O(T^2) work, O(T^2) memory. */
  lossTable?: boolean;
  /** Use these inputs instead of drawing them from the seed (tests only). */
  inputs?: ProbeInputs;
  /** Nudge the forward pass (finite-difference tests only). */
  forwardHooks?: ForwardHooks;
}

export interface ProbeResult {
  config: ProbeConfig;
  forward: ForwardSummary;
  theory: ProbeTheory;
  /** Norms for the loss at config.lossStep, indexed by step k = 0..lossStep, as log10. */
  lossStepNorms: StepNormsLog;
  fullGradNorms?: FullGradNorms;
  /** lossTable[t] = the norms for the loss at step t (only with options.lossTable). */
  lossTable?: StepNormsLog[];
}

export function runProbe(input: ProbeConfigInput, options: ProbeOptions = {}): ProbeResult {
  const config = withDefaults(input);
  validateProbeConfig(config);
  const d = dimsOf(config.arch, config.T, config.N, config.D, config.H);
  // The total loss and the extra passes read every step's dout; a single-loss probe reads one.
  const needsAllDout = Boolean(options.fullGradients || options.lossTable || options.totalLoss);
  const inputs = options.inputs ?? buildInputs(config, needsAllDout ? undefined : config.lossStep);
  const ws = Workspace.create(
    forwardDoubles(d) + backwardDoubles(d) + theoryDoubles(d) + (options.fullGradients ? fullGradientDoubles(d) : 0),
  );
  const allDout = needsAllDout;
  const trace = runForward(d, inputs, ws, options.forwardHooks, allDout ? undefined : config.lossStep);
  const forward = summarizeForward(trace, allDout);
  const scratch = ws.take(backwardDoubles(d));
  const lossStepNorms = backwardFromLossStep(trace, config.lossStep, Workspace.within(ws, scratch), options);
  const result: ProbeResult = { config, forward, theory: probeTheory(trace, ws), lossStepNorms };
  if (options.fullGradients) result.fullGradNorms = fullGradientNorms(trace, ws);
  if (options.lossTable) {
    result.lossTable = [];
    for (let t = 0; t < config.T; t++) {
      result.lossTable.push(backwardFromLossStep(trace, t, Workspace.within(ws, scratch)));
    }
  }
  return result;
}
