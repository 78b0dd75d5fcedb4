// `npm run bench:dispatch`: what the runner's own bookkeeping costs as a sweep grows. Tiny probes
// (rnn, T=1, N=D=H=1: the engine's share is negligible) are run through the full runner (worker
// processes, one SQLite transaction per result) for a sweep of 1,000 and one of 50,000; dispatch
// in O(log n) means the big one runs at least half as fast (probes per second). Then a sweep of
// 100,000 is queued through the service (chunked: the longest the event loop was held is
// printed) and cancelled (one statement). Prints a summary, or one JSON line with --json. The
// built worker (out/main/probeWorker.js) must exist (`npm run build`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { SweepSpecInput } from '../../src/contract/sweepSpec';
import { withDefaults } from '../../src/engine/index';
import { openLabService } from '../../src/lab/labService';
import { defaultWorkers, SweepRunner } from '../../src/lab/runner/sweepRunner';
import { forkSpawner } from '../../src/lab/runner/workerTransport';
import { LabStore } from '../../src/lab/store/labStore';
import { openLabDatabase } from '../../src/lab/store/openDatabase';
import { checkSweepSpec, specHash, type ExpandedProbe } from '../../src/lab/sweep/expandSweep';

const json = process.argv.includes('--json');
const SIZES = [1000, 50_000];
/** The target: the big sweep at no less than this fraction of the small one's rate. */
const TARGET_RATIO = 0.5;
const QUEUED: SweepSpecInput = {
  name: 'queue 100000',
  archs: ['rnn'],
  T: { from: 1, to: 100, count: 100 },
  seeds: { count: 1000 },
  N: 1,
  D: 1,
  H: 1,
};

function tinyProbes(n: number): ExpandedProbe[] {
  return Array.from({ length: n }, (_, idx) => ({
    idx,
    config: withDefaults({ arch: 'rnn', T: 1, N: 1, D: 1, H: 1, seed: idx + 1 }),
    forgetBias: null,
  }));
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Probes per second of a sweep of n tiny probes, from activation to the last result committed (pool started before). */
async function dispatchRate(n: number, workers: number): Promise<{ probes: number; seconds: number; rate: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-dispatch-'));
  const db = openLabDatabase(join(dir, 'bench.sqlite'));
  try {
    const store = new LabStore(db);
    const check = checkSweepSpec({ name: `tiny ${n}`, archs: ['rnn'], T: [1], N: 1, D: 1, H: 1 });
    if (!check.ok) throw new Error('bench spec rejected');
    const sweepId = store.createSweep(check.spec, specHash(check.spec), tinyProbes(n), n);
    const runner = new SweepRunner(store, { spawn: forkSpawner(), workers });
    await runner.warmUp();
    const t0 = performance.now();
    runner.activate(sweepId);
    const status = await runner.waitForSweep(sweepId);
    const seconds = (performance.now() - t0) / 1000;
    await runner.stop();
    if (status !== 'done') throw new Error(`bench sweep ended ${status}`);
    return { probes: n, seconds: round(seconds, 2), rate: round(n / seconds) };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Queueing 100,000 probes through the service, and cancelling them. */
async function queueAndCancel(): Promise<{ probes: number; queueSeconds: number; longestBlockMs: number; cancelMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-dispatch-'));
  const lab = await openLabService({ dbPath: join(dir, 'bench.sqlite'), workers: 1 });
  try {
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const t0 = performance.now();
    const queued = await lab.queueSweep(QUEUED);
    const queueSeconds = (performance.now() - t0) / 1000;
    delay.disable();
    if (!queued.ok) throw new Error(queued.error.message);
    const t1 = performance.now();
    const cancelled = await lab.cancelSweep(queued.value.id);
    const cancelMs = performance.now() - t1;
    if (!cancelled.ok || cancelled.value.status !== 'cancelled') throw new Error('cancel failed');
    return {
      probes: queued.value.probes.total,
      queueSeconds: round(queueSeconds, 2),
      longestBlockMs: round(delay.max / 1e6),
      cancelMs: round(cancelMs),
    };
  } finally {
    await lab.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const workers = defaultWorkers();
  const rates = [];
  for (const n of SIZES) rates.push(await dispatchRate(n, workers));
  const ratio = round(rates[1].rate / rates[0].rate, 2);
  const queue = await queueAndCancel();
  const figure = {
    workload: 'dispatch-tiny-probes',
    workers,
    rates,
    ratio,
    target_ratio: TARGET_RATIO,
    meets_target: ratio >= TARGET_RATIO,
    queue_100000: queue,
  };
  if (json) {
    console.log(JSON.stringify(figure));
    return;
  }
  for (const r of rates)
    console.log(
      `${String(r.probes).padStart(6)} tiny probes: ${r.seconds} s, ${r.rate} probes/s (${workers} worker${workers > 1 ? 's' : ''})`,
    );
  console.log(`50,000 vs 1,000: ${ratio} of the rate (target >= ${TARGET_RATIO}: ${figure.meets_target ? 'met' : 'NOT met'})`);
  console.log(
    `queueing ${queue.probes} probes: ${queue.queueSeconds} s, the event loop held at most ${queue.longestBlockMs} ms; cancelling them: ${queue.cancelMs} ms`,
  );
}

await main();
