// The sample timer: which workers it asks and when it declines, with workers whose every message
// the test writes; then real worker processes timing real samples through the runner.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withDefaults } from '../../engine/index';
import type { TimingSample } from '../../engine/probeCost';
import { LabStore } from '../store/labStore';
import { openLabDatabase } from '../store/openDatabase';
import { tempDir, WORKER } from '../testing/labTestSupport';
import { ANSWER_LIFETIME_MS, SampleTimer } from './sampleTimer';
import { SweepRunner } from './sweepRunner';
import { WorkerPool } from './workerPool';
import { forkSpawner } from './workerTransport';
import { scriptedSpawner, type ScriptedWorker } from '../testing/scriptedWorker';

/** A scripted worker's answer to the last 'timeSamples' it was sent. */
function answer(worker: ScriptedWorker, seconds: number[] | null): void {
  const asked = worker.sent.filter((m) => m.type === 'timeSamples').at(-1);
  if (asked?.type !== 'timeSamples') throw new Error('not asked');
  worker.say({ type: 'sampleTimes', requestId: asked.requestId, seconds });
}

const SAMPLES: TimingSample[] = [
  { config: withDefaults({ arch: 'rnn', T: 4, N: 2, D: 2, H: 2, seed: 1 }), lyapunovVectors: 0 },
  { config: withDefaults({ arch: 'rnn', T: 32, N: 2, D: 2, H: 2, seed: 1 }), lyapunovVectors: 0 },
];

function scriptedPool(workers: number, clock?: { ms: number }) {
  const { spawned, spawn } = scriptedSpawner();
  const released: string[][] = [];
  // The pool's events run later, once `timer` is set.
  const pool = new WorkerPool(
    spawn,
    {
      message: (_w, msg) => {
        if (msg.type === 'sampleTimes') timer.onAnswer(msg);
      },
      exit: (w) => timer.onExit(w),
    },
    60_000,
  );
  const timer: SampleTimer = new SampleTimer(pool, {
    // What the workers are doing when the timer lets them go.
    released: () => released.push(members.map((w) => w.state.kind)),
    now: clock ? () => clock.ms : undefined,
  });
  const members = Array.from({ length: workers }, () => pool.spawn());
  for (const w of spawned) w.say({ type: 'ready', pid: 1 });
  return { pool, timer, spawned, members, released };
}

const asked = (w: ScriptedWorker): number => w.sent.filter((m) => m.type === 'timeSamples').length;
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('the sample timer', () => {
  it("asks `concurrency` idle workers at once and answers the slowest one's time of each sample", async () => {
    const { timer, spawned } = scriptedPool(2);
    const times = timer.time(SAMPLES, 2, 10_000);
    await turn();
    expect(spawned.map(asked)).toEqual([1, 1]);
    answer(spawned[0], [0.1, 0.9]);
    answer(spawned[1], [0.3, 0.8]);
    expect(await times).toEqual([0.3, 0.9]);
  });

  it('asks one worker of two when the sweep keeps one busy, and keeps the answer', async () => {
    const { timer, spawned } = scriptedPool(2);
    const times = timer.time(SAMPLES, 1, 10_000);
    await turn();
    expect(spawned.map(asked)).toEqual([1, 0]);
    answer(spawned[0], [0.1, 0.4]);
    expect(await times).toEqual([0.1, 0.4]);
    // The same samples again: the kept answer, no worker asked.
    expect(await timer.time(SAMPLES, 1, 10_000)).toEqual([0.1, 0.4]);
    expect(spawned.map(asked)).toEqual([1, 0]);
  });

  it("keeps the workers it asks 'timing' until the last has answered, then lets them go idle", async () => {
    const { timer, spawned, members, released } = scriptedPool(3);
    const times = timer.time(SAMPLES, 2, 10_000);
    await turn();
    expect(members.map((w) => w.state.kind)).toEqual(['timing', 'timing', 'idle']);
    answer(spawned[0], [0.1, 0.2]);
    await turn();
    expect(members.map((w) => w.state.kind)).toEqual(['timing', 'timing', 'idle']);
    expect(released).toEqual([]);
    answer(spawned[1], [0.1, 0.2]);
    await times;
    expect(released).toEqual([['idle', 'idle', 'idle']]);
  });

  it('lets the workers go when the timing fails: one died, the other did not answer in time', async () => {
    const { timer, spawned, members, released } = scriptedPool(2);
    const times = timer.time(SAMPLES, 2, 50);
    await turn();
    spawned[0].exit(1, 'crashed');
    expect(await times).toBeNull();
    expect(members.map((w) => w.state.kind)).toEqual(['dead', 'idle']);
    expect(released).toHaveLength(1);
  });

  it('times the samples again once the kept answer is older than its lifetime', async () => {
    const clock = { ms: 0 };
    const { timer, spawned } = scriptedPool(1, clock);
    const first = timer.time(SAMPLES, 1, 10_000);
    await turn();
    answer(spawned[0], [0.1, 0.4]);
    expect(await first).toEqual([0.1, 0.4]);
    clock.ms = ANSWER_LIFETIME_MS - 1;
    expect(await timer.time(SAMPLES, 1, 10_000)).toEqual([0.1, 0.4]);
    expect(asked(spawned[0])).toBe(1);
    clock.ms = ANSWER_LIFETIME_MS + 1;
    const again = timer.time(SAMPLES, 1, 10_000);
    await turn();
    expect(asked(spawned[0])).toBe(2);
    answer(spawned[0], [0.2, 0.5]);
    expect(await again).toEqual([0.2, 0.5]);
  });

  it('runs one timing at a time: the next starts when the last is answered', async () => {
    const { timer, spawned } = scriptedPool(2);
    const first = timer.time(SAMPLES, 2, 10_000);
    const second = timer.time(SAMPLES.slice(0, 1), 1, 10_000);
    await turn();
    expect(spawned.map(asked)).toEqual([1, 1]);
    answer(spawned[0], [0.1, 0.2]);
    answer(spawned[1], [0.1, 0.2]);
    await first;
    await turn();
    expect(spawned.map(asked)).toEqual([2, 1]);
    answer(spawned[0], [0.05]);
    expect(await second).toEqual([0.05]);
  });

  it('declines while a worker runs probes, or with too few workers', async () => {
    const { timer, pool, spawned, members } = scriptedPool(2);
    pool.assign(members[1], new Map([[7, 1]]));
    expect(await timer.time(SAMPLES, 1, 10_000)).toBeNull();
    pool.release(members[1], [7]);
    expect(await timer.time(SAMPLES, 3, 10_000)).toBeNull();
    expect(spawned.map(asked)).toEqual([0, 0]);
  });

  it('gives up on a worker that dies, answers nothing, or does not answer in time', async () => {
    const dies = scriptedPool(1);
    const t1 = dies.timer.time(SAMPLES, 1, 10_000);
    await turn();
    dies.spawned[0].exit(1, 'crashed');
    expect(await t1).toBeNull();

    const fails = scriptedPool(1);
    const t2 = fails.timer.time(SAMPLES, 1, 10_000);
    await turn();
    answer(fails.spawned[0], null);
    expect(await t2).toBeNull();

    const silent = scriptedPool(1);
    expect(await silent.timer.time(SAMPLES, 1, 50)).toBeNull();
  });
});

describe("the runner's timeSamples, with real workers", () => {
  it('starts the pool and has two workers time the samples at once', async () => {
    const db = openLabDatabase(join(tempDir(), 'lab.sqlite'));
    const runner = new SweepRunner(new LabStore(db), { spawn: forkSpawner(WORKER), workers: 2 });
    try {
      const times = await runner.timeSamples(SAMPLES, 2);
      expect(times).toHaveLength(2);
      for (const t of times!) expect(Number.isFinite(t) && t > 0).toBe(true);
      expect(runner.workerPids()).toHaveLength(2);
    } finally {
      await runner.stop();
      db.close();
    }
  });
});
