// A lab on a fresh file for a benchmark: the lab service as the app and the lab server run it,
// its workers started, in a temporary folder that is removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Arch } from '../../src/engine/index';
import { DEFAULT_SWEEP_SPEC, type SweepSpec } from '../../src/contract/sweepSpec';
import { openLabService, type LabService } from '../../src/lab/labService';

export async function withFreshLab<R>(workers: number, use: (lab: LabService) => Promise<R>): Promise<R> {
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-bench-lab-'));
  const lab = await openLabService({ dbPath: join(dir, 'lab.sqlite'), workers, startWorkers: true });
  try {
    return await use(lab);
  } finally {
    await lab.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Queues the sweep and waits until it is done: the seconds from queueing to done. */
export async function timeSweep(lab: LabService, spec: SweepSpec): Promise<number> {
  const t0 = performance.now();
  const queued = await lab.queueSweep(spec);
  if (!queued.ok) throw new Error(`${spec.name}: ${queued.error.message}`);
  const done = await lab.waitForSweep(queued.value.id);
  if (!done.ok || done.value.status !== 'done') throw new Error(`${spec.name}: the sweep did not finish`);
  return (performance.now() - t0) / 1000;
}

/** A sweep of one shape (D = 16, forget-gate bias 1) at one T, a probe per seed: what these benches time. */
export function shapeSpec(name: string, p: { arch: Arch; T: number; N: number; H: number }, seeds: number[]): SweepSpec {
  return { ...DEFAULT_SWEEP_SPEC, name, archs: [p.arch], T: [p.T], forgetBias: [1], seeds, N: p.N, D: 16, H: p.H };
}
