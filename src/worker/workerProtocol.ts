// Messages between the runner (main side) and a probe worker process. Sent by structured clone
// (child_process 'advanced' serialization, or Electron's parentPort), so Float64Arrays and
// -Infinity cross as they are.
import type { ProbeConfig } from '../engine/index';
import type { ProbeOutcome } from '../lab/store/labStore';
import type { CalibrationTimes } from '../lab/sweep/estimateSweep';

export interface ProbeTask {
  probeId: number;
  config: ProbeConfig;
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
