import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { SweepSummary } from '../../contract/labApi';
import type { Result } from '../../contract/result';
import type { SweepSpecInput } from '../../contract/sweepSpec';
import { openLabService, type LabService } from '../labService';
import { CLI, countRows, tempDir, waitUntil } from '../testing/labTestSupport';
import { QUEUE_CHUNK, shardProbes, shardSize } from './queueInChunks';

/** 100,000 tiny probes, the most a sweep may have. */
const BIG: SweepSpecInput = {
  name: 'big',
  archs: ['rnn'],
  T: { from: 1, to: 100, count: 100 },
  seeds: { count: 1000 },
  N: 1,
  D: 1,
  H: 1,
};
const BIG_PROBES = 100_000;

function unwrap<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

const open: LabService[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  while (open.length) await open.pop()!.close();
});

async function service(dbPath: string): Promise<LabService> {
  const s = await openLabService({ dbPath, workers: 1 });
  open.push(s);
  return s;
}

describe('queueing a big sweep in chunks', () => {
  it('queues 100,000 probes a chunk per turn of the event loop, saying how far it is', async () => {
    const dbPath = join(tempDir(), 'lab.sqlite');
    const lab = await service(dbPath);
    const reader = new Database(dbPath, { readonly: true });
    // A timer that runs whenever the event loop is free: what it sees is what went in meanwhile.
    const seen: number[] = [];
    const tick = setInterval(() => seen.push((reader.prepare('SELECT count(*) AS n FROM probes').get() as { n: number }).n), 1);
    const events: SweepSummary[] = [];
    lab.onProgress((e) => events.push(e.sweep));
    const queued = unwrap(await lab.queueSweep(BIG));
    clearInterval(tick);
    expect(queued.probes.total).toBe(BIG_PROBES);
    expect(queued.queueing).toBeUndefined();

    const between = [...new Set(seen)].filter((n) => n > 0 && n < BIG_PROBES);
    expect(between.length).toBeGreaterThanOrEqual(BIG_PROBES / QUEUE_CHUNK - 1);
    const steps = seen.slice(1).map((n, i) => n - seen[i]);
    expect(Math.max(...steps)).toBeLessThanOrEqual(QUEUE_CHUNK);

    const progress = events.filter((s) => s.queueing).map((s) => s.queueing!);
    expect(progress.length).toBeGreaterThanOrEqual(BIG_PROBES / QUEUE_CHUNK - 1);
    expect(progress.every((q, i) => q.total === BIG_PROBES && q.queued === (i + 1) * QUEUE_CHUNK)).toBe(true);
    expect(unwrap(await lab.listSweeps())[0].queueing).toBeUndefined();
    // The last word listeners had is the queued sweep, not one still being queued.
    expect(events.filter((s) => s.id === queued.id).at(-1)).toMatchObject({ probes: { total: BIG_PROBES } });
    expect(events.filter((s) => s.id === queued.id).at(-1)!.queueing).toBeUndefined();

    const cancelled = unwrap(await lab.cancelSweep(queued.id));
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.probes.cancelled + cancelled.probes.done).toBe(BIG_PROBES);
    reader.close();
  });

  it('stops queueing a sweep cancelled meanwhile: the probes it has are cancelled, no more come', async () => {
    const dbPath = join(tempDir(), 'lab.sqlite');
    const lab = await service(dbPath);
    let cancelling: Promise<Result<SweepSummary>> | null = null;
    lab.onProgress((e) => {
      if (e.sweep.queueing && !cancelling) cancelling = lab.cancelSweep(e.sweep.id);
    });
    const queued = unwrap(await lab.queueSweep(BIG));
    expect(unwrap(await cancelling!).status).toBe('cancelled');
    expect(queued).toMatchObject({ status: 'cancelled', probes: { total: QUEUE_CHUNK, cancelled: QUEUE_CHUNK, queued: 0 } });
    expect(queued.queueing).toBeUndefined();
    expect(countRows(dbPath, 'SELECT count(*) AS n FROM probes')).toBe(QUEUE_CHUNK);
    expect(countRows(dbPath, 'SELECT count(*) AS n FROM sweep_queueing')).toBe(0);
  });

  it('leaves nothing behind when the lab closes while queueing: the next open removes the half-queued sweep', async () => {
    const dbPath = join(tempDir(), 'lab.sqlite');
    const lab = await service(dbPath);
    // An object, not a `let`: TypeScript does not see the callback assign a local.
    const closing: { done?: Promise<void> } = {};
    lab.onProgress((e) => {
      if (e.sweep.queueing && !closing.done) closing.done = lab.close();
    });
    const r = await lab.queueSweep(BIG);
    await closing.done;
    expect(r.ok || r.error.code).toBe('unavailable');
    expect(countRows(dbPath, 'SELECT count(*) AS n FROM sweep_queueing')).toBe(1);
    expect(countRows(dbPath, 'SELECT count(*) AS n FROM probes')).toBeLessThan(BIG_PROBES);
    const again = await service(dbPath);
    expect(unwrap(await again.listSweeps())).toEqual([]);
    expect(countRows(dbPath, 'SELECT count(*) AS n FROM probes')).toBe(0);
  });

  it('removes the half-queued sweep of a runner killed (kill -9) while queueing, when the next one opens the file', async () => {
    const dir = tempDir();
    const dbPath = join(dir, 'lab.sqlite');
    const spec = join(dir, 'big.json');
    writeFileSync(spec, JSON.stringify(BIG));
    const child = spawn(process.execPath, [CLI, 'sweep', spec, '--db', dbPath, '--workers', '1'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise((r) => child.on('close', r));
    // Said right after the first chunk is in.
    await waitUntil(() => /queueing 100000 probes/.test(stderr), 30_000, 'the first chunk');
    child.kill('SIGKILL');
    await exited;
    expect(countRows(dbPath, 'SELECT count(*) AS n FROM sweep_queueing')).toBe(1);
    expect(countRows(dbPath, 'SELECT count(*) AS n FROM probes')).toBeLessThan(BIG_PROBES);
    const lab = await service(dbPath);
    expect(unwrap(await lab.listSweeps())).toEqual([]);
    expect(countRows(dbPath, 'SELECT count(*) AS n FROM probes')).toBe(0);
    expect(countRows(dbPath, 'SELECT count(*) AS n FROM sweep_counts')).toBe(0);
  });

  it('gives each shard its probes and counts them', () => {
    const probes = Array.from({ length: 16 }, (_, idx) => ({ idx }));
    for (const count of [1, 3, 7, 16, 20]) {
      let all = 0;
      for (let index = 1; index <= count; index++) {
        const mine = [...shardProbes(probes, { index, count })];
        expect(mine.every((p) => p.idx % count === index - 1)).toBe(true);
        expect(shardSize(16, { index, count })).toBe(mine.length);
        all += mine.length;
      }
      expect(all).toBe(16);
    }
    expect(shardSize(16, undefined)).toBe(16);
  });
});
