import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { probeWork } from '../../engine/probeCost';
import { addTestSweep, tempDir } from '../testing/labTestSupport';
import { LabStore } from './labStore';
import { loadMigrations, migrate } from './migrate';
import { openLabDatabase } from './openDatabase';

const SPEC = {
  name: 'order',
  archs: ['rnn', 'lstm'] as const,
  T: [8, 32, 16],
  forgetBias: [0, 1],
  seeds: [1, 2],
  N: 2,
  D: 3,
  H: 4,
};

/** The queue's order, from the configs alone: biggest work first, then expansion order. */
function expectedOrder(store: LabStore, sweepId: number): number[] {
  return store
    .listProbes(sweepId)
    .sort((a, b) => probeWork(b) - probeWork(a) || a.idx - b.idx)
    .map((p) => p.id);
}

function currentLab() {
  const db = openLabDatabase(join(tempDir(), 'lab.sqlite'));
  const store = new LabStore(db);
  return { db, store, id: addTestSweep(store, { ...SPEC, archs: [...SPEC.archs] }) };
}

describe('the queue order', () => {
  it('hands out the biggest probes of a sweep first (ties in expansion order), by the stored work', () => {
    const { db, store, id } = currentLab();
    const probes = store.listProbes(id);
    expect(probes.every((p) => p.work === probeWork(p))).toBe(true);
    expect(store.nextQueued([id], 1000).map((p) => p.id)).toEqual(expectedOrder(store, id));
    // Distinct work values and ties both occur, so the order is really tested both ways.
    expect(new Set(probes.map((p) => p.work)).size).toBeGreaterThan(2);
    expect(new Set(probes.map((p) => p.work)).size).toBeLessThan(probes.length);
    db.close();
  });

  it('gives probes queued under schema 1 their work when a runner opens the file, same order', () => {
    // The same sweep as SeqLab 0.1 left it: a schema-1 file, probes without a work column.
    const { db: current, store: source, id } = currentLab();
    const sweep = source.getSweep(id)!;
    const probes = source.listProbes(id);
    current.close();
    const path = join(tempDir(), 'old.sqlite');
    const old = new Database(path);
    migrate(
      old,
      loadMigrations().filter((m) => m.version === 1),
    );
    old
      .prepare(
        `INSERT INTO sweeps (id, name, spec_json, spec_hash, status, total_probes, created_at) VALUES (?, ?, ?, ?, 'queued', ?, ?)`,
      )
      .run(sweep.id, sweep.name, sweep.spec_json, sweep.spec_hash, sweep.total_probes, sweep.created_at);
    const insert = old.prepare(
      `INSERT INTO probes (id, sweep_id, idx, arch, T, forget_bias, seed, N, D, H, init_scheme, wh_gain, h0_scale, b_scale, loss_step, config_json)
       VALUES (@id, @sweep_id, @idx, @arch, @T, @forget_bias, @seed, @N, @D, @H, @init_scheme, @wh_gain, @h0_scale, @b_scale, @loss_step, @config_json)`,
    );
    for (const { work: _work, ...p } of probes) {
      insert.run({
        id: p.id,
        sweep_id: p.sweep_id,
        idx: p.idx,
        arch: p.arch,
        T: p.T,
        forget_bias: p.forget_bias,
        seed: p.seed,
        N: p.N,
        D: p.D,
        H: p.H,
        init_scheme: p.init_scheme,
        wh_gain: p.wh_gain,
        h0_scale: p.h0_scale,
        b_scale: p.b_scale,
        loss_step: p.loss_step,
        config_json: p.config_json,
      });
    }
    old.close();

    const db = openLabDatabase(path);
    const store = new LabStore(db);
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(2);
    expect(store.listProbes(id).every((p) => p.work === null)).toBe(true);
    expect(store.fillMissingWork()).toBe(probes.length);
    expect(store.fillMissingWork()).toBe(0);
    expect(store.nextQueued([id], 1000).map((p) => p.id)).toEqual(expectedOrder(store, id));
    db.close();
  });
});
