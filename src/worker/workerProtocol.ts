// Messages between the runner (main side) and a probe worker process. Sent by structured clone
// (child_process 'advanced' serialization, or Electron's parentPort), so Float64Arrays and
// -Infinity cross as they are. Imports only the engine: the store takes ProbeOutcome from here.
import type { GivenModel, ProbeConfig, StepNormName } from '../engine/index';
import type { CalibrationTimes, TimingSample } from '../engine/probeCost';

export interface ProbeTask {
  probeId: number;
  config: ProbeConfig;
  /** Lyapunov vectors per sequence, from the sweep's spec; 0: none computed. */
  lyapunovVectors: number;
  /** The norms to compute, from the sweep's spec; absent: all five. */
  norms?: StepNormName[];
  /** The memory the probe may take (this worker's share of the lab's budget): it checkpoints to fit. */
  maxBytes?: number;
  /** Threads its products may use (default 1): more when the other workers leave cores idle. */
  threads?: number;
  /**
   * A sweep with weights / inputs files: the trained layer and the sequences, read once per sweep
   * by the runner (one copy per batch crosses: the tasks of a batch share it).
   */
  model?: GivenModel;
  /** The sweep's files could not be read (or changed since it was queued): the probe fails with this. */
  modelError?: string;
}

/** What a worker sends back for one finished probe. */
export interface ProbeOutcome {
  steps: number;
  /** The asked norms (dc: LSTM only); an absent or null one was not computed. */
  norms: Partial<Record<StepNormName, Float64Array | null>>;
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

/** A probe's connectivity table (src/lab/connectivity.ts): the loss table's rows at these loss steps. */
export interface LossTableTask {
  requestId: number;
  config: ProbeConfig;
  /** The loss steps t of the rows, ascending; each row holds every step k <= t. */
  lossSteps: number[];
}

/** The rows, lossSteps[i]'s in rows[i] (log10 per step k = 0..t, -Infinity an exact 0). */
export interface LossTableRows {
  rows: { dh: Float64Array; dWx: Float64Array; dWh: Float64Array; db: Float64Array; dc?: Float64Array | null }[];
  seconds: number;
}

export type ToWorker =
  /** Compute a loss table (a one-off worker: nothing else is sent to it), reporting progress. */
  | { type: 'lossTable'; task: LossTableTask }
  /** Run these probes in order, reporting each. */
  | { type: 'run'; tasks: ProbeTask[] }
  /** Drop these probes if not started yet; answered with 'skipped' (the ones actually dropped). */
  | { type: 'skip'; probeIds: number[] }
  /** Time the calibration probes (between probes) and answer with 'speed'. */
  | { type: 'calibrate' }
  /** Time these samples of a sweep's shapes (between probes) and answer with 'sampleTimes'. */
  | { type: 'timeSamples'; requestId: number; samples: TimingSample[] }
  | { type: 'shutdown' };

export type FromWorker =
  | { type: 'ready'; pid: number }
  /** The answer to 'calibrate': how long the calibration probes took here. */
  | { type: 'speed'; speed: CalibrationTimes }
  /** The answer to 'timeSamples': each sample's seconds, in order (null: a sample could not run, `message` says why). */
  | { type: 'sampleTimes'; requestId: number; seconds: number[] | null; message?: string }
  | { type: 'started'; probeId: number }
  | { type: 'done'; probeId: number; outcome: ProbeOutcome }
  | { type: 'error'; probeId: number; message: string }
  | { type: 'skipped'; probeIds: number[] }
  /** Rows of a loss table done so far (sent at most every 200 ms). */
  | { type: 'lossTableProgress'; requestId: number; done: number; total: number }
  | { type: 'lossTableDone'; requestId: number; table: LossTableRows }
  | { type: 'lossTableError'; requestId: number; message: string };
