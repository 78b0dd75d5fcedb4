// Schema 6 (migrations/006_chosen_norms.sql): every norm's blob may be NULL. A lab file of schema
// 5 with finished probes migrates with every row as it was, its foreign keys intact; afterwards a
// probe that computed only some norms is stored with NULL for the others.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { checkSweepSpec, specHash } from '../sweep/expandSweep';
import { tempDir } from '../testing/labTestSupport';
import { LabStore } from './labStore';
import { openLabDatabase } from './openDatabase';
import { loadMigrations, migrate } from './migrate';

const curve = (steps: number, slope: number) => Float64Array.from({ length: steps }, (_, k) => -slope * (steps - 1 - k));
const blob = (a: Float64Array) => Buffer.from(a.buffer.slice(0));

const notNull = (db: Database.Database) =>
  Object.fromEntries(
    (db.prepare('PRAGMA table_info(probe_results)').all() as { name: string; notnull: number }[]).map((c) => [c.name, c.notnull]),
  );

describe('migration 006: norms that were not computed', () => {
  it('a schema-5 lab with finished probes migrates with every row, column and foreign key as it was', () => {
    const path = join(tempDir(), 'v5.sqlite');
    const db = new Database(path);
    db.pragma('foreign_keys = ON');
    migrate(db, loadMigrations().slice(0, 5));
    expect(db.pragma('user_version', { simple: true })).toBe(5);
    expect(notNull(db)).toMatchObject({ dh: 1, dWx: 1, dWh: 1, db: 1, dc: 0 });
    db.prepare(
      `INSERT INTO sweeps (id, name, spec_json, spec_hash, total_probes, created_at) VALUES (1, 'old', '{}', 'h', 2, 'now')`,
    ).run();
    const insertProbe = db.prepare(
      `INSERT INTO probes (id, sweep_id, idx, arch, T, forget_bias, seed, N, D, H, init_scheme, wh_gain, h0_scale, b_scale,
         loss_step, config_json, status, work) VALUES (?, 1, ?, ?, 6, ?, 1, 1, 1, 2, 'scaled', 1, 0, 0, 5, '{}', 'done', 7)`,
    );
    insertProbe.run(1, 0, 'rnn', null);
    insertProbe.run(2, 1, 'lstm', 1);
    const insertResult = db.prepare(
      `INSERT INTO probe_results (probe_id, steps, dh, dc, dWx, dWh, db, lyapunov_top, lyapunov_spectrum, mean_field, cell_path,
         pmb_bound) VALUES (?, 6, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    insertResult.run(
      1,
      blob(curve(6, 1)),
      null,
      blob(curve(6, 2)),
      blob(curve(6, 3)),
      blob(curve(6, 4)),
      -0.5,
      blob(curve(2, 1)),
      -0.4,
      null,
      -0.1,
    );
    insertResult.run(
      2,
      blob(curve(6, 5)),
      blob(curve(6, 6)),
      blob(curve(6, 7)),
      blob(curve(6, 8)),
      blob(curve(6, 9)),
      null,
      null,
      null,
      -Infinity,
      null,
    );
    const before = db.prepare('SELECT * FROM probe_results ORDER BY probe_id').all();
    db.close();

    const migrated = openLabDatabase(path);
    expect(migrated.pragma('user_version', { simple: true })).toBe(loadMigrations().at(-1)!.version);
    expect(migrated.prepare('SELECT * FROM probe_results ORDER BY probe_id').all()).toEqual(before);
    expect(notNull(migrated)).toMatchObject({ probe_id: 0, steps: 1, dh: 0, dc: 0, dWx: 0, dWh: 0, db: 0 });
    expect(migrated.pragma('foreign_key_check')).toEqual([]);
    expect(migrated.pragma('integrity_check', { simple: true })).toBe('ok');
    // The rebuilt table still belongs to its probes: deleting the sweep takes the results with it.
    migrated.prepare('DELETE FROM sweeps WHERE id = 1').run();
    expect(migrated.prepare('SELECT count(*) AS n FROM probe_results').get()).toEqual({ n: 0 });
    // ...and a result of no probe is refused.
    expect(() => migrated.prepare(`INSERT INTO probe_results (probe_id, steps) VALUES (99, 1)`).run()).toThrow(/FOREIGN KEY/);
    migrated.close();
  });

  it('a probe that computed only dh is stored with NULL for the other norms', () => {
    const check = checkSweepSpec({ name: 'dh', archs: ['lstm'], T: [4], N: 1, D: 1, H: 2, norms: ['dh'] });
    if (!check.ok) throw new Error('spec rejected');
    const store = new LabStore(openLabDatabase(join(tempDir(), 'lab.sqlite')));
    const sweepId = store.createSweep(check.spec, specHash(check.spec), check.probes, check.probes.length);
    const [probe] = store.listProbes(sweepId);
    store.storeResult(probe.id, {
      steps: 4,
      seconds: 0.1,
      theory: { whSpectralNorm: 1, meanSlope: 1 },
      norms: { dh: curve(4, 1) },
    });
    const row = store.getResultRow(probe.id)!;
    store.close();
    expect(row.dh).toEqual(blob(curve(4, 1)));
    expect([row.dc, row.dWx, row.dWh, row.db]).toEqual([null, null, null, null]);
  });
});
