// Migration 005 rebuilds the probes table (its arch CHECK gains 'gru'): a lab file at schema 4
// full of data keeps every row, count, index and trigger, and its foreign keys keep working.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../testing/labTestSupport';
import { latestSchemaVersion, loadMigrations, migrate } from './migrate';
import { openLabDatabase } from './openDatabase';

const STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;

const blob = (values: number[]): Buffer => Buffer.from(Float64Array.from(values).buffer);

/** A lab file at schema 4 with two sweeps of probes in every status, results with rates, and a sweep being queued. */
function labAtSchema4(path: string): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  migrate(db, loadMigrations().slice(0, 4));
  expect(db.pragma('user_version', { simple: true })).toBe(4);
  const sweep = db.prepare(
    `INSERT INTO sweeps (name, spec_json, spec_hash, status, total_probes, created_at) VALUES (?, ?, ?, ?, ?, '2026-01-01T00:00:00Z')`,
  );
  const probe = db.prepare(
    `INSERT INTO probes (sweep_id, idx, arch, T, forget_bias, seed, N, D, H, init_scheme, wh_gain, h0_scale, b_scale,
                         loss_step, config_json, status, attempts, error, seconds, wh_spectral_norm, mean_slope, work)
     VALUES (?, ?, ?, ?, ?, ?, 2, 3, 4, 'scaled', 1, 0, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const result = db.prepare(
    `INSERT INTO probe_results (probe_id, steps, dh, dc, dWx, dWh, db, lyapunov_top, lyapunov_spectrum, mean_field, cell_path, pmb_bound)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let s = 1; s <= 2; s++) {
      const sweepId = Number(sweep.run(`sweep ${s}`, `{"name":"sweep ${s}"}`, `hash${s}`, 'running', 20).lastInsertRowid);
      for (let idx = 0; idx < 20; idx++) {
        const arch = idx % 2 ? 'lstm' : 'rnn';
        const status = STATUSES[idx % STATUSES.length];
        const T = 8 + idx;
        const id = Number(
          probe.run(
            sweepId,
            idx,
            arch,
            T,
            arch === 'lstm' ? idx / 4 : null,
            idx + 1,
            T - 1,
            `{"idx":${idx}}`,
            status,
            status === 'failed' ? 3 : 1,
            status === 'failed' ? 'boom' : null,
            status === 'done' ? 0.25 : null,
            status === 'done' ? 1.5 + idx : null,
            status === 'done' ? 0.5 : null,
            1000 * T,
          ).lastInsertRowid,
        );
        if (status === 'done') {
          const steps = Array.from({ length: T }, (_, k) => -k * 0.1 - s);
          result.run(
            id,
            T,
            blob(steps),
            arch === 'lstm' ? blob(steps.map((v) => v * 2)) : null,
            blob(steps),
            blob(steps),
            blob(steps),
            -0.01 * idx,
            blob([-0.01, -0.02]),
            arch === 'rnn' ? -0.03 : null,
            arch === 'lstm' ? -0.04 : null,
            -Infinity,
          );
        }
      }
    }
    db.prepare('INSERT INTO sweep_queueing (sweep_id, probes) VALUES (2, 20)').run();
  })();
  db.close();
}

const PROBE_COLUMNS = `id, sweep_id, idx, arch, T, forget_bias, seed, N, D, H, init_scheme, wh_gain, h0_scale, b_scale, loss_step,
  config_json, status, attempts, error, started_at, finished_at, seconds, wh_spectral_norm, mean_slope, work`;
const RESULT_COLUMNS = `probe_id, steps, hex(dh), hex(dc), hex(dWx), hex(dWh), hex(db), lyapunov_top, hex(lyapunov_spectrum),
  mean_field, cell_path, pmb_bound`;

function contents(db: Database.Database) {
  return {
    sweeps: db.prepare('SELECT * FROM sweeps ORDER BY id').all(),
    probes: db.prepare(`SELECT ${PROBE_COLUMNS} FROM probes ORDER BY id`).all(),
    results: db.prepare(`SELECT ${RESULT_COLUMNS} FROM probe_results ORDER BY probe_id`).all(),
    counts: db.prepare('SELECT * FROM sweep_counts ORDER BY sweep_id').all(),
    queueing: db.prepare('SELECT * FROM sweep_queueing ORDER BY sweep_id').all(),
  };
}

const schemaObjects = (db: Database.Database, on: string) =>
  (
    db
      .prepare(`SELECT type, name FROM sqlite_master WHERE tbl_name = ? AND name NOT LIKE 'sqlite_%' ORDER BY type, name`)
      .all(on) as {
      type: string;
      name: string;
    }[]
  ).map((o) => `${o.type} ${o.name}`);

const countsOf = (db: Database.Database, sweepId: number) =>
  db.prepare('SELECT queued, running, done, failed, cancelled FROM sweep_counts WHERE sweep_id = ?').get(sweepId);

const scannedCounts = (db: Database.Database, sweepId: number) =>
  Object.fromEntries(
    STATUSES.map((s) => [
      s,
      (db.prepare('SELECT count(*) AS n FROM probes WHERE sweep_id = ? AND status = ?').get(sweepId, s) as { n: number }).n,
    ]),
  );

describe('migration 005 (gru in probes.arch)', () => {
  it('keeps every row, count, index and trigger of a schema-4 lab, and the probes accept gru', () => {
    const path = join(tempDir(), 'lab.sqlite');
    labAtSchema4(path);
    const before = new Database(path, { readonly: true });
    const was = contents(before);
    const objects = schemaObjects(before, 'probes');
    before.close();
    expect(was.results).toHaveLength(8);
    expect(objects).toEqual([
      'index probes_queue',
      'table probes',
      'trigger sweep_counts_new_probe',
      'trigger sweep_counts_probe_gone',
      'trigger sweep_counts_probe_status',
    ]);

    const db = new Database(path);
    db.pragma('foreign_keys = ON');
    expect(migrate(db, loadMigrations().slice(0, 5))).toBe(5);
    // Switched off around the migration's transaction only.
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(contents(db)).toEqual(was);
    expect(schemaObjects(db, 'probes')).toEqual(objects);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    // The uniqueness of (sweep_id, idx) came with the table.
    expect(() =>
      db
        .prepare(
          `INSERT INTO probes (sweep_id, idx, arch, T, seed, N, D, H, init_scheme, wh_gain, h0_scale, b_scale, loss_step, config_json)
      VALUES (1, 0, 'gru', 4, 1, 1, 1, 1, 'scaled', 1, 0, 0, 3, '{}')`,
        )
        .run(),
    ).toThrow(/UNIQUE/);

    // The triggers keep counting: a new gru probe, a status change, a deletion.
    const insert =
      db.prepare(`INSERT INTO probes (sweep_id, idx, arch, T, forget_bias, seed, N, D, H, init_scheme, wh_gain, h0_scale,
      b_scale, loss_step, config_json) VALUES (1, ?, ?, 4, 0, 1, 1, 1, 1, 'scaled', 1, 0, 0, 3, '{}')`);
    const gru = Number(insert.run(100, 'gru').lastInsertRowid);
    expect(() => insert.run(101, 'transformer')).toThrow(/CHECK constraint failed/);
    db.prepare("UPDATE probes SET status = 'done' WHERE id = ?").run(gru);
    db.prepare('DELETE FROM probes WHERE sweep_id = 1 AND idx = 0').run();
    const counted = countsOf(db, 1) as Record<string, number>;
    expect(counted).toEqual(scannedCounts(db, 1));
    expect(counted.done).toBe(5); // 4 done of 20, + the gru one

    // Foreign keys still point at the new table: a probe's results go with it, a sweep's probes with it.
    const doneProbe = (db.prepare('SELECT probe_id FROM probe_results LIMIT 1').get() as { probe_id: number }).probe_id;
    db.prepare('DELETE FROM probes WHERE id = ?').run(doneProbe);
    expect(db.prepare('SELECT count(*) AS n FROM probe_results WHERE probe_id = ?').get(doneProbe)).toEqual({ n: 0 });
    expect(() =>
      db
        .prepare("INSERT INTO probe_results (probe_id, steps, dh, dWx, dWh, db) VALUES (99999, 1, x'00', x'00', x'00', x'00')")
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.prepare('DELETE FROM sweeps WHERE id = 2').run();
    expect(db.prepare('SELECT count(*) AS n FROM probes WHERE sweep_id = 2').get()).toEqual({ n: 0 });
    expect(
      db.prepare('SELECT count(*) AS n FROM probe_results r JOIN probes p ON p.id = r.probe_id WHERE p.sweep_id = 2').get(),
    ).toEqual({ n: 0 });
    db.close();
  });

  it('opens a schema-4 lab at the latest schema with its results and counts', () => {
    const path = join(tempDir(), 'lab.sqlite');
    labAtSchema4(path);
    const before = new Database(path, { readonly: true });
    const was = contents(before);
    before.close();
    const db = openLabDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(latestSchemaVersion());
    const now = contents(db);
    expect(now.probes).toEqual(was.probes);
    expect(now.results).toEqual(was.results);
    expect(now.counts).toEqual(was.counts);
    for (const id of [1, 2]) expect(countsOf(db, id)).toEqual(scannedCounts(db, id));
    db.close();
  });

  it('rolls the whole migration back when it would orphan rows', () => {
    const path = join(tempDir(), 'lab.sqlite');
    labAtSchema4(path);
    const db = new Database(path);
    // A result whose probe is gone (written with foreign keys off): the check before commit refuses it.
    db.pragma('foreign_keys = OFF');
    db.prepare(
      "INSERT INTO probe_results (probe_id, steps, dh, dWx, dWh, db) VALUES (5000, 1, x'00', x'00', x'00', x'00')",
    ).run();
    db.pragma('foreign_keys = ON');
    expect(() => migrate(db, loadMigrations().slice(0, 5))).toThrow(
      /would leave 1 rows of probe_results without their parent row/,
    );
    expect(db.pragma('user_version', { simple: true })).toBe(4);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(schemaObjects(db, 'probes')).toContain('trigger sweep_counts_new_probe');
    db.close();
  });
});
