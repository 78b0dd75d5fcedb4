// The memory the lab's probes may take: half the machine's, shared by the probes that run at
// once. Each sweep worker runs one probe at a time, so a worker's probe gets the budget divided
// by the workers; the engine checkpoints its trace to fit it (src/engine/tracePlan.ts) and
// refuses only a probe that cannot fit even so.
import { totalmem } from 'node:os';
import { DEFAULT_MAX_PROBE_BYTES } from '../../engine/index';

/** What every probe running at once may take together. */
export function labMemoryBudget(): number {
  return Math.floor(totalmem() / 2);
}

/** What one worker's probe may take while `workers` run at once (at most the engine's default). */
export function perWorkerProbeBytes(workers: number, budget = labMemoryBudget()): number {
  return Math.min(DEFAULT_MAX_PROBE_BYTES, Math.floor(budget / Math.max(1, Math.floor(workers))));
}
