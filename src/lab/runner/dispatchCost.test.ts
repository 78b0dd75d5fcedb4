import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeWork } from '../../engine/probeCost';
import { addTestSweep, tempDir, WORKER } from '../testing/labTestSupport';
import { recordingStore, type RecordingStore } from '../testing/recordingStore';
import { SweepRunner } from './sweepRunner';
import { forkSpawner } from './workerTransport';

const TINY = { archs: ['rnn' as const], N: 1, D: 1, H: 1 };

/** The same statement whatever its values: numbers and strings become ?. */
const shape = (sql: string): string => sql.replace(/'(?:[^']|'')*'/g, '?').replace(/\b\d+(?:\.\d+)?\b/g, '?');

/**
 * What a statement may do to stay O(log n) in the sweep's size: read probes by their key, or
 * the head of the queue in index order (the queue index with a LIMIT); never scan or sort.
 */
function costProblems(rec: RecordingStore, sql: string): string[] {
  const problems: string[] = [];
  for (const step of rec.plan(sql)) {
    if (/TEMP B-TREE/.test(step)) problems.push(`sorts: ${step}`);
    else if (/^SCAN /.test(step) && !/^SCAN json_each VIRTUAL TABLE/.test(step)) problems.push(`scans: ${step}`);
    else if (
      /^SEARCH probes\b/.test(step) &&
      !/USING INTEGER PRIMARY KEY/.test(step) &&
      !(/USING INDEX probes_queue/.test(step) && /\bLIMIT\b/.test(sql))
    ) {
      problems.push(`reads a range of probes: ${step}`);
    }
  }
  return problems;
}

describe('dispatch cost', () => {
  it('finds the next probes by the queue index, biggest first, without sorting the queue', () => {
    const rec = recordingStore(join(tempDir(), 'lab.sqlite'));
    const big = addTestSweep(rec.store, { name: 'big', ...TINY, T: { from: 1, to: 30, count: 30 }, seeds: { count: 100 } });
    const small = addTestSweep(rec.store, { name: 'small', ...TINY, T: [2, 5], seeds: { count: 10 } });
    rec.clear();
    const next = rec.store.nextQueued([small, big], 16);
    const [select] = rec.statements.filter((s) => /^SELECT/.test(s));
    const plan = rec.plan(select);
    expect(plan.join('\n')).toMatch(/SEARCH probes USING INDEX probes_queue \(status=\? AND sweep_id=\?\)/);
    expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
    // The order the index gives: the first sweep's biggest probes, ties in expansion order.
    const expected = rec.store
      .listProbes(big)
      .sort((a, b) => probeWork(b) - probeWork(a) || a.idx - b.idx)
      .slice(0, 16);
    expect(next.map((p) => p.id)).toEqual(expected.map((p) => p.id));
    expect(next.every((p) => p.T === 30)).toBe(true);
    rec.close();
  });

  it('runs a sweep without scanning or sorting its probes per finished probe (real workers)', async () => {
    const rec = recordingStore(join(tempDir(), 'lab.sqlite'));
    const id = addTestSweep(rec.store, { name: 'tiny', ...TINY, T: [1, 2, 3], seeds: { count: 400 } });
    const runner = new SweepRunner(rec.store, { spawn: forkSpawner(WORKER), workers: 1 });
    runner.start(false);
    // Steady state only: what a runner does once at start (requeue orphans, fill missing work) may scan.
    rec.recording = false;
    rec.clear();
    let finished = 0;
    runner.onProgress((e) => {
      if (e.probe?.status === 'done' && ++finished === 100) rec.recording = true;
    });
    runner.activate(id);
    expect(await runner.waitForSweep(id)).toBe('done');
    await runner.stop();
    rec.recording = false;
    const shapes = [...new Set(rec.statements.map(shape))];
    // The run was recorded: results stored, counts read, next probes picked.
    expect(rec.statements.filter((s) => /^UPDATE probes SET status = 'done'/.test(s)).length).toBeGreaterThanOrEqual(1000);
    expect(shapes.some((s) => /FROM sweep_counts/.test(s))).toBe(true);
    expect(shapes.some((s) => /^SELECT \* FROM probes WHERE status = \? AND sweep_id IN/.test(s))).toBe(true);
    // One statement of each shape stands for the others (the same plan, other values).
    const examples = new Map(rec.statements.map((sql) => [shape(sql), sql]));
    const problems = [...examples].flatMap(([form, sql]) => costProblems(rec, sql).map((p) => `${p}\n    in ${form}`));
    expect(problems).toEqual([]);
    rec.close();
  });
});
