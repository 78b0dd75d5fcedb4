import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ProbeOutcome } from '../../worker/workerProtocol';
import { mergeLabs } from '../mergeLabs';
import { checkSweepSpec, specHash } from '../sweep/expandSweep';
import { addTestSweep, tempDir } from '../testing/labTestSupport';
import { recordingStore } from '../testing/recordingStore';
import { LabStore, type ProbeCounts } from './labStore';
import { loadMigrations, migrate } from './migrate';
import { openLabDatabase } from './openDatabase';
import { openReadonlyStore, readSweepSummaries } from './readSummaries';

const SPEC = {
  name: 'counted',
  archs: ['rnn', 'lstm'] as ('rnn' | 'lstm')[],
  T: [4, 8, 12],
  forgetBias: [0, 1],
  seeds: { count: 5 },
  N: 1,
  D: 1,
  H: 2,
};

/** The counts as a full scan of the sweep's probes has them: what the kept counters must equal. */
function countedByScan(db: Database.Database, sweepId: number): ProbeCounts {
  const c: ProbeCounts = { total: 0, queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
  for (const r of db.prepare('SELECT status, count(*) AS n FROM probes WHERE sweep_id = ? GROUP BY status').all(sweepId) as {
    status: keyof ProbeCounts;
    n: number;
  }[]) {
    c[r.status] = r.n;
    c.total += r.n;
  }
  return c;
}

function expectExact(store: LabStore, what: string): void {
  for (const s of store.listSweeps()) expect(store.counts(s.id), `${what}, sweep ${s.id}`).toEqual(countedByScan(store.db, s.id));
}

function outcome(steps = 2): ProbeOutcome {
  const curve = () => new Float64Array(steps).fill(-1);
  return {
    steps,
    seconds: 0.001,
    theory: { whSpectralNorm: 1, meanSlope: 1 },
    norms: { dh: curve(), dWx: curve(), dWh: curve(), db: curve(), dc: null },
  };
}

/** A small deterministic PRNG (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('per-sweep probe counts (kept by triggers, migration 003)', () => {
  it('equal a full count after every kind of status change, in any order', () => {
    const db = openLabDatabase(join(tempDir(), 'lab.sqlite'));
    const store = new LabStore(db);
    const sweeps = [addTestSweep(store, SPEC), addTestSweep(store, { ...SPEC, name: 'other', T: [3] })];
    expectExact(store, 'queued');
    const rnd = random(11);
    const pick = <T>(xs: T[]): T | undefined => xs[Math.floor(rnd() * xs.length)];
    const withStatus = (status: string) =>
      (db.prepare('SELECT id FROM probes WHERE status = ?').all(status) as { id: number }[]).map((r) => r.id);
    const ops: [string, () => void][] = [
      ['dispatch', () => store.markDispatched(withStatus('queued').filter(() => rnd() < 0.3))],
      [
        'done',
        () => {
          const id = pick(withStatus('running'));
          if (id) store.storeResult(id, outcome());
        },
      ],
      [
        'own failure',
        () => {
          const id = pick(withStatus('running'));
          if (id) store.failAttempt(id, 'boom');
        },
      ],
      ['requeue', () => store.requeue(withStatus('running').filter(() => rnd() < 0.5))],
      ['orphans', () => store.requeueOrphans()],
      ['settle', () => sweeps.forEach((s) => store.settleSweep(s))],
      ['retry', () => sweeps.forEach((s) => store.retryFailed(s))],
    ];
    for (let step = 0; step < 400; step++) {
      const [name, op] = pick(ops)!;
      op();
      expectExact(store, `after ${name} (step ${step})`);
    }
    expect(store.counts(sweeps[0]).done).toBeGreaterThan(0);
    store.cancelSweep(sweeps[0]);
    expectExact(store, 'after cancel');
    store.dropSweep(sweeps[1]);
    expect(store.counts(sweeps[1]).total).toBe(0);
    expect(db.prepare('SELECT count(*) AS n FROM sweep_counts').get()).toEqual({ n: 1 });
    db.close();
  });

  it('are filled in exactly when a schema-2 lab is opened (and read by a scan while it is only read)', () => {
    const path = join(tempDir(), 'v2.sqlite');
    const old = new Database(path);
    migrate(
      old,
      loadMigrations().filter((m) => m.version <= 2),
    );
    const check = checkSweepSpec(SPEC);
    if (!check.ok) throw new Error('spec rejected');
    old
      .prepare(`INSERT INTO sweeps (name, spec_json, spec_hash, total_probes, created_at) VALUES ('v2', '{}', 'h', ?, 'now')`)
      .run(check.probes.length);
    const insert = old.prepare(
      `INSERT INTO probes (sweep_id, idx, arch, T, seed, N, D, H, init_scheme, wh_gain, h0_scale, b_scale, loss_step, config_json, status)
       VALUES (1, ?, 'rnn', 4, 1, 1, 1, 2, 'scaled', 1, 0, 0, 3, '{}', ?)`,
    );
    const statuses = ['queued', 'running', 'done', 'failed', 'cancelled'];
    check.probes.forEach((p, i) => insert.run(p.idx, statuses[i % statuses.length]));
    const before = countedByScan(old, 1);
    old.close();
    // Read-only (status, export beside an older SeqLab): not migrated, counted the old way.
    const reader = openReadonlyStore(path);
    expect(readSweepSummaries(reader).map((x) => x.probes)).toEqual([before]);
    expect(reader.findSweepBySpec('h')?.id).toBe(1);
    expect(reader.db.pragma('user_version', { simple: true })).toBe(2);
    reader.close();
    const db = openLabDatabase(path);
    const store = new LabStore(db);
    expect(store.counts(1)).toEqual(before);
    expect(before.running).toBeGreaterThan(0);
    db.close();
  });

  it('equal a full count after a merge of shards', () => {
    const dir = tempDir();
    const check = checkSweepSpec(SPEC);
    if (!check.ok) throw new Error('spec rejected');
    const parts = [1, 2].map((index) => {
      const path = join(dir, `part-${index}.sqlite`);
      const db = openLabDatabase(path);
      const store = new LabStore(db);
      const shard = { index, count: 2 };
      const id = store.createSweep(
        check.spec,
        specHash(check.spec),
        check.probes.filter((p) => p.idx % 2 === index - 1),
        check.probes.length,
        shard,
      );
      // Part 1 finished, part 2 half way (and one probe left running by a dead runner).
      const probes = store.listProbes(id);
      const finished = index === 1 ? probes : probes.slice(0, probes.length / 2);
      store.markDispatched(finished.map((p) => p.id));
      for (const p of finished) store.storeResult(p.id, outcome(p.loss_step + 1));
      store.markDispatched([probes[probes.length - 1].id]);
      db.close();
      return path;
    });
    const into = join(dir, 'merged.sqlite');
    const report = mergeLabs(parts, into);
    const db = openLabDatabase(into, { readonly: true });
    const store = new LabStore(db);
    expectExact(store, 'after merge');
    expect(store.counts(report.sweepId)).toMatchObject({ total: check.probes.length, done: report.done });
    db.close();
  });

  it('cancel a big sweep in one statement, whatever its size', () => {
    const rec = recordingStore(join(tempDir(), 'lab.sqlite'));
    const id = addTestSweep(rec.store, { ...SPEC, archs: ['rnn'], T: { from: 1, to: 20, count: 20 }, seeds: { count: 1000 } });
    const probes = rec.store.nextQueued([id], 20);
    rec.store.markDispatched(probes.map((p) => p.id));
    for (const p of probes.slice(0, 5)) rec.store.storeResult(p.id, outcome(p.loss_step + 1));
    rec.clear();
    expect(rec.store.cancelSweep(id)).toEqual({ from: 'queued', to: 'cancelled' });
    const writes = rec.statements.filter((sql) => /^\s*(UPDATE|INSERT|DELETE)\b[^;]*\bprobes\b/i.test(sql));
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^UPDATE probes SET status = 'cancelled'/);
    expect(rec.store.counts(id)).toEqual({ total: 20_000, queued: 0, running: 0, done: 5, failed: 0, cancelled: 19_995 });
    expectExact(rec.store, 'after cancel');
    rec.close();
  });
});
