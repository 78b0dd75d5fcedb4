// The engine's public surface: pure float64 math, no I/O.
export { runProbe, type ProbeResult, type ProbeOptions, type NormChoice } from './probe';
export { withDefaults, gateWidth, type ProbeConfig, type ProbeConfigInput, type Arch, type InitScheme } from './probeConfig';
export {
  validateProbeConfig,
  probeBytes,
  ProbeConfigError,
  LIMITS,
  DEFAULT_MAX_PROBE_BYTES,
  MAX_PROBE_THREADS,
  threadsEach,
  formatBytes,
} from './probeLimits';
export { fromLog10 } from './scaledNumber';
export { planTrace, STORED_TRACE_MAX_BYTES, type ProbeNeeds, type TracePlan } from './tracePlan';
export { buildInputs, type ProbeInputs } from './inputs';
export { modelInputs, type ImportedWeights, type GivenModel } from './importedInputs';
export { STEP_NORM_NAMES, type StepNormsLog, type StepNormName, type ChosenStepNorms } from './backward';
export type { FullGradNorms } from './fullGradient';
export type { ForwardSummary } from './forward';
export type { ProbeTheory } from './theory';
export { SpectralNormCache } from './spectralNormCache';
export { DEFAULT_LYAPUNOV_K, hasLyapunovPass, type LyapunovExponents, type LyapunovOptions } from './lyapunov';
