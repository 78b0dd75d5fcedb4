// Lab files for the rate tests: one of schema 4 with an RNN and an LSTM probe (T = 8) ready for
// results, and one of schema 3 (no rate columns) holding a finished RNN probe as a schema-3 build
// wrote it.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LabStore, type ProbeRow } from '../store/labStore';
import { loadMigrations, migrate } from '../store/migrate';
import { openLabDatabase } from '../store/openDatabase';
import { checkSweepSpec, specHash } from '../sweep/expandSweep';
import { tempDir } from './labTestSupport';

/** A log-norm curve over `steps` steps falling by `rate` a step towards the loss step (0 at the end). */
export const straightCurve = (steps: number, rate: number): Float64Array =>
  Float64Array.from({ length: steps }, (_, k) => -rate * (steps - 1 - k));

/** Every norm of a T = 8 probe (no dc) as straightCurve(8, rate). */
export const straightNorms = (rate: number) => ({
  dh: straightCurve(8, rate),
  dWx: straightCurve(8, rate),
  dWh: straightCurve(8, rate),
  db: straightCurve(8, rate),
});

/** A lab file at `path` with one sweep of an RNN and an LSTM probe (T 8, bf 1, one seed, N 1, D 1, H 2). */
export function labWithTwoProbes(path: string): { store: LabStore; sweepId: number; probes: ProbeRow[] } {
  const check = checkSweepSpec({
    name: 'rates',
    archs: ['rnn', 'lstm'],
    T: [8],
    forgetBias: [1],
    seeds: { count: 1 },
    N: 1,
    D: 1,
    H: 2,
  });
  if (!check.ok) throw new Error('spec rejected');
  const store = new LabStore(openLabDatabase(path));
  const sweepId = store.createSweep(check.spec, specHash(check.spec), check.probes, check.probes.length);
  return { store, sweepId, probes: store.listProbes(sweepId) };
}

/**
 * Writes a schema-3 lab file at `path`: sweep 1 with one finished RNN probe (id 1, T 8) whose
 * every norm is straightCurve(8, 1), as a schema-3 build wrote it (this one would write schema 4).
 */
export function writeSchema3Lab(path: string): void {
  const { store, probes } = labWithTwoProbes(join(tempDir(), 'v4.sqlite'));
  store.close();
  const db = new Database(path);
  migrate(db, loadMigrations().slice(0, 3));
  db.close();
  const blob = Buffer.from(straightCurve(8, 1).buffer);
  const raw = new Database(path);
  raw
    .prepare(
      `INSERT INTO sweeps (id, name, spec_json, spec_hash, total_probes, created_at) VALUES (1, 'old', '{}', 'h', 1, 'now')`,
    )
    .run();
  raw
    .prepare(
      `INSERT INTO probes (id, sweep_id, idx, arch, T, forget_bias, seed, N, D, H, init_scheme, wh_gain, h0_scale, b_scale, loss_step, config_json, status)
       VALUES (1, 1, 0, 'rnn', 8, NULL, 1, 1, 1, 2, 'scaled', 1, 0, 0, 7, ?, 'done')`,
    )
    .run(probes[0].config_json);
  raw
    .prepare('INSERT INTO probe_results (probe_id, steps, dh, dc, dWx, dWh, db) VALUES (1, 8, ?, NULL, ?, ?, ?)')
    .run(blob, blob, blob, blob);
  raw.close();
}
