// Messages between the runner (main side) and a probe worker process. Sent by structured clone
// (child_process 'advanced' serialization, or Electron's parentPort), so Float64Arrays and
// -Infinity cross as they are. Imports only the engine: the store takes ProbeOutcome from here.
import type { ProbeConfig } from '../engine/index';
import type { CalibrationTimes } from '../engine/probeCost';

export interface ProbeTask {
  probeId: number;
  config: ProbeConfig;
  /** Lyapunov vectors per sequence, from the sweep's spec; 0: none computed. */
  lyapunovVectors: number;
}

/** What a worker sends back for one finished probe. */
export interface ProbeOutcome {
  steps: number;
  norms: { dh: Float64Array; dWx: Float64Array; dWh: Float64Array; db: Float64Array; dc?: Float64Array | null };
  theory: { whSpectralNorm: number; meanSlope: number };
  /** The exact asymptotic rate and the theory's, decades per step (absent: not computed). */
  rates?: ProbeRates;
  seconds: number;
}

/** See src/engine/lyapunov.ts and theory.ts; null where not computed or not applicable, -Infinity an exact 0. */
export interface ProbeRates {
  lyapunov: { top: number | null; spectrum: Float64Array } | null;
  meanField: number | null;
  cellPath: number | null;
  pmbBound: number | null;
}

export type ToWorker =
  /** Run these probes in order, reporting each. */
  | { type: 'run'; tasks: ProbeTask[] }
  /** Drop these probes if not started yet; answered with 'skipped' (the ones actually dropped). */
  | { type: 'skip'; probeIds: number[] }
  /** Time the calibration probes (between probes) and answer with 'speed'. */
  | { type: 'calibrate' }
  | { type: 'shutdown' };

export type FromWorker =
  | { type: 'ready'; pid: number }
  /** The answer to 'calibrate': how long the calibration probes took here. */
  | { type: 'speed'; speed: CalibrationTimes }
  | { type: 'started'; probeId: number }
  | { type: 'done'; probeId: number; outcome: ProbeOutcome }
  | { type: 'error'; probeId: number; message: string }
  | { type: 'skipped'; probeIds: number[] };
