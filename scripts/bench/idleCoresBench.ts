// A sweep of one probe, in a lab of one worker and in a lab of two: with two, the second worker
// has nothing to run, so the probe's products use its core too (the scheduler's probeThreads).
// Each lab runs the sweep three times and the fastest counts: the first runs on a fresh worker,
// and with two workers the next may go to the other one, as fresh.
import { availableParallelism } from 'node:os';
import type { SweepSpec } from '../../src/contract/sweepSpec';
import { shapeSpec, timeSweep, withFreshLab } from './freshLab';

interface IdleCoresLine {
  workload: 'idle-cores';
  probe: string;
  one_worker_seconds: number;
  two_workers_seconds: number;
  speedup: number;
}

const PROBES = [
  { arch: 'lstm', T: 96, N: 16, H: 512 },
  { arch: 'lstm', T: 200, N: 1, H: 1024 },
  { arch: 'rnn', T: 48, N: 128, H: 1024 },
] as const;

function sweepSeconds(spec: SweepSpec, workers: number): Promise<number> {
  return withFreshLab(workers, async (lab) => {
    let seconds = Infinity;
    for (let run = 0; run < 3; run++) seconds = Math.min(seconds, await timeSweep(lab, { ...spec, name: `${spec.name} ${run}` }));
    return seconds;
  });
}

/** One line per probe; none on a machine of one core. */
export async function idleCoresBench(): Promise<IdleCoresLine[]> {
  if (availableParallelism() < 2) return [];
  const lines: IdleCoresLine[] = [];
  for (const p of PROBES) {
    const spec = shapeSpec(`one probe ${p.arch}:${p.H}:${p.N}`, p, [1]);
    const one = await sweepSeconds(spec, 1);
    const two = await sweepSeconds(spec, 2);
    lines.push({
      workload: 'idle-cores',
      probe: `${p.arch} T=${p.T} N=${p.N} D=16 H=${p.H}`,
      one_worker_seconds: Math.round(one * 1000) / 1000,
      two_workers_seconds: Math.round(two * 1000) / 1000,
      speedup: Math.round((one / two) * 100) / 100,
    });
  }
  return lines;
}
