// The standard sweep through the full runner: worker processes + SQLite writes on a temp lab
// file. Unlike a user's sweep (which runs the RNN once per (T, seed)), all 40 configs run, as the
// numpy baseline does. Called by scripts/bench.ts; the built worker (out/main/probeWorker.js)
// must exist (`npm run build`).
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { withDefaults } from '../src/engine/index';
import { DEFAULT_SWEEP_SPEC } from '../src/shared/sweepSpec';
import { SweepRunner } from '../src/core/runner/sweepRunner';
import { forkSpawner } from '../src/core/runner/workerTransport';
import { LabStore } from '../src/core/store/labStore';
import { openLabDatabase } from '../src/core/store/openDatabase';
import { specHash, type ExpandedProbe } from '../src/core/sweep/expandSweep';
import { tempDir } from '../src/core/testing/labTestSupport';

function standardProbes(): ExpandedProbe[] {
  const probes: ExpandedProbe[] = [];
  for (const T of [16, 64, 256, 1024]) {
    for (const forgetBias of [-2, 0, 1, 2, 4]) {
      for (const arch of ['rnn', 'lstm'] as const) {
        const config = withDefaults({ arch, T, N: 16, D: 16, H: 64, seed: 1000 * (arch === 'rnn' ? 0 : 1) + T, forgetBias });
        probes.push({ idx: probes.length, config, forgetBias: arch === 'lstm' ? forgetBias : null });
      }
    }
  }
  return probes;
}

export interface BenchRunnerFigure {
  workload: 'standard-sweep-40-runner';
  impl: 'seqlab-runner';
  configs: number;
  seconds: number;
  configs_per_second: number;
  workers: number;
  includes: string;
}

/** Workers default to every core: the main process only stores results and is mostly idle. */
export async function benchRunner(opts: { workers?: number } = {}): Promise<BenchRunnerFigure> {
  const workers = opts.workers ?? cpus().length;
  const dir = tempDir('seqlab-bench-');
  const db = openLabDatabase(join(dir, 'bench.sqlite'));
  try {
    const store = new LabStore(db);
    const probes = standardProbes();
    const spec = { ...DEFAULT_SWEEP_SPEC, name: 'standard-sweep-40-runner' };
    const t0 = performance.now();
    const runner = new SweepRunner(store, { spawn: forkSpawner(), workers });
    const sweepId = store.createSweep(spec, specHash(spec), probes, probes.length);
    runner.activate(sweepId);
    const status = await runner.waitForSweep(sweepId);
    const seconds = (performance.now() - t0) / 1000;
    await runner.stop();
    if (status !== 'done') throw new Error(`bench sweep ended ${status}`);
    return {
      workload: 'standard-sweep-40-runner',
      impl: 'seqlab-runner',
      configs: probes.length,
      seconds: Math.round(seconds * 1000) / 1000,
      configs_per_second: Math.round((probes.length / seconds) * 100) / 100,
      workers,
      includes: 'worker start-up, engine, result transfer, SQLite writes (one transaction per probe)',
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchRunner()));
}
