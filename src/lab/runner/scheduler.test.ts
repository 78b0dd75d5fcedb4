import { describe, expect, it } from 'vitest';
import {
  batchLimit,
  blameCrash,
  candidatesWanted,
  fillBatch,
  planPump,
  unstartedProbes,
  withdrawSweep,
  type QueuedProbe,
  type SchedulerLimits,
} from './scheduler';
import type { WorkerState } from './workerPool';

const LIMITS: SchedulerLimits = { maxWorkers: 2, batchWork: 100, maxBatch: 4 };

const probe = (id: number, work: number, sweepId = 1): QueuedProbe => ({ id, sweepId, work });
const idle = (): { state: WorkerState } => ({ state: { kind: 'idle' } });
const starting = (): { state: WorkerState } => ({ state: { kind: 'starting' } });
const busy = (batch: [number, number][], current: number | null = null, stealing = false): { state: WorkerState } => ({
  state: { kind: 'busy', batch: new Map(batch), current, stealing },
});

describe('the scheduler', () => {
  it('gives each worker a fair share of the queue, at most maxBatch, at least one', () => {
    expect(batchLimit(0, LIMITS)).toBe(1);
    expect(batchLimit(3, LIMITS)).toBe(2);
    expect(batchLimit(7, LIMITS)).toBe(4);
    expect(batchLimit(1000, LIMITS)).toBe(4);
    expect(batchLimit(1000, { ...LIMITS, maxWorkers: 1000 })).toBe(1);
  });

  it('fills a batch by work, always with at least one probe', () => {
    expect(fillBatch([probe(1, 40), probe(2, 50), probe(3, 20)], 100).map((p) => p.id)).toEqual([1, 2]);
    expect(fillBatch([probe(1, 500), probe(2, 1)], 100).map((p) => p.id)).toEqual([1]);
    expect(fillBatch([probe(1, 60), probe(2, 40), probe(3, 1)], 100).map((p) => p.id)).toEqual([1, 2]);
    expect(fillBatch([], 100)).toEqual([]);
  });

  it('hands consecutive stretches of the queue to the idle workers in pool order', () => {
    const a = idle();
    const b = busy([[9, 1]], 9);
    const c = idle();
    const queue = [
      probe(1, 60),
      probe(2, 30),
      probe(3, 30),
      probe(4, 10),
      probe(5, 10),
      probe(6, 10),
      probe(7, 10),
      probe(8, 10),
    ];
    const workers = [a, b, c];
    expect(candidatesWanted(workers, queue.length, LIMITS)).toBe(2 * 4);
    const plan = planPump(workers, queue.length, queue, LIMITS);
    // a: 60 + 30 fits, the next 30 would not; c takes on from there, up to maxBatch.
    expect(plan.batches.map((x) => [x.worker, x.probes.map((p) => p.id)])).toEqual([
      [a, [1, 2]],
      [c, [3, 4, 5, 6]],
    ]);
    expect(plan.steal).toEqual([]);
    expect(plan.spawn).toBe(0); // the pool is full
  });

  it('starts workers while queued probes outnumber them, up to maxWorkers', () => {
    expect(planPump([], 5, [], { ...LIMITS, maxWorkers: 3 }).spawn).toBe(3);
    expect(planPump([], 1, [], { ...LIMITS, maxWorkers: 3 }).spawn).toBe(1);
    expect(planPump([starting()], 5, [], { ...LIMITS, maxWorkers: 3 }).spawn).toBe(2);
    // What this round dispatches no longer waits: one of two probes goes to w (a fair share of
    // two among three workers), one more worker is started for the other.
    const w = idle();
    const plan = planPump([w], 2, [probe(1, 10)], { ...LIMITS, maxWorkers: 3 });
    expect(plan.batches).toEqual([{ worker: w, probes: [probe(1, 10)] }]);
    expect(plan.spawn).toBe(1);
    expect(planPump([], 0, [], LIMITS).spawn).toBe(0);
  });

  it('steals queued-behind work back once the queue is empty and a worker is idle', () => {
    const a = idle();
    const b = busy(
      [
        [1, 1],
        [2, 1],
        [3, 2],
      ],
      1,
    );
    const c = busy(
      [
        [4, 1],
        [5, 1],
      ],
      4,
      true,
    ); // a steal is already on its way to it
    const d = busy([[6, 1]], 6); // nothing behind its running probe
    const plan = planPump([a, b, c, d], 0, [], LIMITS);
    expect(plan.batches).toEqual([]);
    expect(plan.steal).toEqual([{ worker: b, probeIds: [2, 3] }]);
    // Not while probes are still queued, nor when no worker is idle.
    expect(planPump([a, b], 1, [probe(7, 1)], LIMITS).steal).toEqual([]);
    expect(planPump([b, d], 0, [], LIMITS).steal).toEqual([]);
  });

  it('steals also when this round just emptied the queue and a worker got nothing', () => {
    const a = idle();
    const b = idle();
    const c = busy(
      [
        [1, 1],
        [2, 1],
      ],
      null,
    );
    const plan = planPump([a, b, c], 1, [probe(3, 10)], LIMITS);
    expect(plan.batches).toEqual([{ worker: a, probes: [probe(3, 10)] }]);
    expect(plan.steal).toEqual([{ worker: c, probeIds: [1, 2] }]);
  });

  it('gives the probes handed out with none left queued the cores no worker uses, one thread while any stays queued', () => {
    const four = { ...LIMITS, maxWorkers: 4 };
    // One probe, one idle worker, the pool's other three cores unused: all four.
    expect(planPump([idle()], 1, [probe(1, 10)], four).threads).toBe(4);
    // Two probes on two idle workers of four: two each.
    expect(planPump([idle(), idle()], 2, [probe(1, 10), probe(2, 10)], { ...four, maxBatch: 1 }).threads).toBe(2);
    // A busy worker, a starting one and one timing samples use their cores.
    const timing = { state: { kind: 'timing' } as WorkerState };
    expect(planPump([busy([[7, 1]], 7), starting(), timing, idle()], 1, [probe(1, 10)], four).threads).toBe(1);
    expect(planPump([busy([[7, 1]], 7), idle()], 1, [probe(1, 10)], four).threads).toBe(3);
    // Probes still queued after this round: one thread each.
    expect(planPump([idle()], 5, [probe(1, 10)], { ...four, maxBatch: 1 }).threads).toBe(1);
    // A pool of one worker keeps to one core.
    expect(planPump([idle()], 1, [probe(1, 10)], { ...LIMITS, maxWorkers: 1 }).threads).toBe(1);
  });

  it('withdraws a paused sweep’s unstarted probes, and kills for a cancel only the worker running its probe', () => {
    const mixed = busy(
      [
        [1, 7],
        [2, 8],
        [3, 7],
      ],
      1,
    ).state;
    expect(unstartedProbes(mixed)).toEqual([2, 3]);
    expect(withdrawSweep(mixed, 7, 'pause')).toEqual({ skip: [3] });
    expect(withdrawSweep(mixed, 8, 'pause')).toEqual({ skip: [2] });
    expect(withdrawSweep(mixed, 7, 'cancel')).toEqual({ kill: true });
    expect(withdrawSweep(mixed, 8, 'cancel')).toEqual({ skip: [2] });
    expect(withdrawSweep(mixed, 9, 'cancel')).toBeNull();
    expect(withdrawSweep({ kind: 'idle' }, 7, 'cancel')).toBeNull();
    expect(withdrawSweep({ kind: 'retiring' }, 7, 'pause')).toBeNull();
  });

  it('charges a crash to the probe reported started, else to the first unreported one', () => {
    expect(
      blameCrash(
        busy(
          [
            [1, 5],
            [2, 5],
            [3, 6],
          ],
          2,
        ).state,
      ),
    ).toEqual({
      culprit: 2,
      culpritSweep: 5,
      culpritUnreported: false,
      requeue: [1, 3],
      sweeps: [5, 6],
    });
    expect(
      blameCrash(
        busy(
          [
            [1, 5],
            [2, 6],
          ],
          null,
        ).state,
      ),
    ).toEqual({
      culprit: 1,
      culpritSweep: 5,
      culpritUnreported: true,
      requeue: [2],
      sweeps: [5, 6],
    });
    // A worker that died starting or idle held nothing: nobody is charged.
    for (const state of [{ kind: 'starting' }, { kind: 'idle' }] as WorkerState[]) {
      expect(blameCrash(state)).toEqual({
        culprit: null,
        culpritSweep: undefined,
        culpritUnreported: false,
        requeue: [],
        sweeps: [],
      });
    }
  });
});
