// Messages between the runner (main side) and a probe worker process. Sent by structured clone
// (child_process 'advanced' serialization, or Electron's parentPort), so Float64Arrays and
// -Infinity cross as they are.
import type { ProbeConfig } from '../../engine/index';
import type { ProbeOutcome } from '../store/labStore';

export interface ProbeTask {
  probeId: number;
  config: ProbeConfig;
}

export type ToWorker =
  /** Run these probes in order, reporting each. */
  | { type: 'run'; tasks: ProbeTask[] }
  /** Drop these probes if not started yet; answered with 'skipped' (the ones actually dropped). */
  | { type: 'skip'; probeIds: number[] }
  | { type: 'shutdown' };

export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'started'; probeId: number }
  | { type: 'done'; probeId: number; outcome: ProbeOutcome }
  | { type: 'error'; probeId: number; message: string }
  | { type: 'skipped'; probeIds: number[] };
