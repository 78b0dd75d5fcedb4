// `npm run bench -- --estimates`: is the sweep form's time estimate right? For every point of the
// size grid (./gridBench.ts: arch x H x N, D = 16) and for the standard sweep, with 1 and with 2
// workers: a fresh lab file, the estimate exactly as the form asks it (the lab service's
// estimateSweep), then the sweep queued and timed until it is done, and their ratio. The standard
// sweep also runs with its loss step at a quarter of T (its backward passes a quarter as long). A grid
// point's sweep is two probes (seeds 1 and 2) at a T the engine does in about TARGET_SECONDS
// (timed here first, in this process), at most 16384 for H <= 64 (as the grid).
//
//   --only standard,lstm:64:16   only these (the standard sweeps, points arch:H:N; comma-separated)
//   --no-standard                the grid points only
import { withDefaults } from '../../src/engine/index';
import { timeSamples } from '../../src/engine/probeCost';
import { DEFAULT_SWEEP_SPEC, type SweepSpec } from '../../src/contract/sweepSpec';
import { perWorkerProbeBytes } from '../../src/lab/sweep/memoryBudget';
import { speedModelInProcess } from '../../src/lab/sweep/estimateSweep';
import { costGroups, timeGroupCosts } from '../../src/lab/sweep/timedEstimate';
import { shapeSpec, timeSweep, withFreshLab } from './freshLab';
import { gridPoints, type GridPoint } from './gridBench';

/** The seconds a grid point's probe is sized for (H > 64). */
const TARGET_SECONDS = 1;
/** What the target counts as within (the issue's bar). */
const WITHIN = 0.25;

/** T for a point: what the engine does here in about TARGET_SECONDS, at most 16384 at H <= 64 (as the grid). */
async function pointT(p: GridPoint): Promise<number> {
  const settings = { lyapunovVectors: 0 };
  const maxBytes = perWorkerProbeBytes(2);
  const config = withDefaults({ arch: p.arch, T: 1_000_000, N: p.N, D: 16, H: p.H, seed: 1 });
  const { groups } = costGroups([config], settings, maxBytes);
  const costs = await timeGroupCosts(groups, settings, speedModelInProcess(), maxBytes, async (s) => timeSamples(s), 1);
  const { once, perStep } = costs![0];
  const T = Math.max(2, Math.min(1_000_000, Math.round((TARGET_SECONDS - once) / perStep)));
  return p.H <= 64 ? Math.min(16_384, T) : T;
}

function pointSpec(p: GridPoint, T: number): SweepSpec {
  return shapeSpec(`estimate ${p.arch}:${p.H}:${p.N}`, { ...p, T }, [1, 2]);
}

interface EstimateLine {
  workload: 'estimate';
  sweep: string;
  T: number | null;
  probes: number;
  workers: number;
  basis: string;
  estimate_seconds: number;
  taken_seconds: number;
  estimate_over_taken: number;
}

function measure(name: string, spec: SweepSpec, T: number | null, workers: number): Promise<EstimateLine> {
  return withFreshLab(workers, async (lab) => {
    const estimate = await lab.estimateSweep(spec);
    if (!estimate.ok) throw new Error(`${name}: ${estimate.error.message}`);
    const taken = await timeSweep(lab, spec);
    const e = estimate.value;
    return {
      workload: 'estimate',
      sweep: name,
      T,
      probes: e.probes,
      workers,
      basis: e.basis,
      estimate_seconds: Math.round(e.seconds * 1000) / 1000,
      taken_seconds: Math.round(taken * 1000) / 1000,
      estimate_over_taken: Math.round((e.seconds / taken) * 1000) / 1000,
    };
  });
}

export async function estimateBench(argv: readonly string[]): Promise<void> {
  const json = argv.includes('--json');
  // 'standard' in --only is the standard sweep.
  const only = argv.find((a, i) => argv[i - 1] === '--only');
  const standard = only ? only.split(',').includes('standard') : !argv.includes('--no-standard');
  const rest = only
    ?.split(',')
    .filter((t) => t !== 'standard')
    .join(',');
  const points = only !== undefined && !rest ? [] : gridPoints(rest ? ['--only', rest] : []);
  const lines: EstimateLine[] = [];
  const report = (line: EstimateLine): void => {
    lines.push(line);
    if (json) console.log(JSON.stringify(line));
    else
      console.log(
        `  ${line.sweep.padEnd(16)} ${String(line.T ?? '').padStart(7)}  ${String(line.workers).padStart(7)}  ` +
          `${line.estimate_seconds.toFixed(3).padStart(10)}  ${line.taken_seconds.toFixed(3).padStart(8)}  ` +
          `${line.estimate_over_taken.toFixed(2).padStart(7)}${Math.abs(line.estimate_over_taken - 1) > WITHIN ? ' *' : ''}` +
          `${line.basis === 'timed' ? '' : `  (${line.basis})`}`,
      );
  };
  if (!json) {
    console.log("SeqLab's sweep-form estimate against the time the sweep took (fresh lab, queue to done)");
    console.log('  sweep                  T  workers  estimate s   taken s  est/taken   (* outside 25%)');
  }
  const quarterLoss: SweepSpec = { ...DEFAULT_SWEEP_SPEC, name: 'standard, loss at T/4', lossStep: { fraction: 0.25 } };
  if (standard)
    for (const workers of [1, 2]) {
      report(await measure('standard', DEFAULT_SWEEP_SPEC, null, workers));
      report(await measure('standard T/4', quarterLoss, null, workers));
    }
  for (const p of points) {
    const T = await pointT(p);
    for (const workers of [1, 2]) report(await measure(`${p.arch}:${p.H}:${p.N}`, pointSpec(p, T), T, workers));
  }
  const within = lines.filter((l) => Math.abs(l.estimate_over_taken - 1) <= WITHIN).length;
  if (json) console.log(JSON.stringify({ workload: 'estimate-summary', within_25_percent: within, of: lines.length }));
  else console.log(`  within 25%: ${within} of ${lines.length}`);
}
