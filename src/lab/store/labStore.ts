// Every SQL statement of the lab file. Synchronous (better-sqlite3); the runner's process is the
// only writer. A probe's results and its status change are always one transaction.
import type Database from 'better-sqlite3';
import type { NormName, ProbeStatus, SweepStatus } from '../../contract/labApi';
import type { SweepSpec } from '../../contract/sweepSpec';
import type { ExpandedProbe } from '../sweep/expandSweep';
import { decodeLog10, encodeLog10 } from './resultBlob';

export interface SweepRow {
  id: number;
  name: string;
  spec_json: string;
  spec_hash: string;
  status: SweepStatus;
  shard_index: number | null;
  shard_count: number | null;
  total_probes: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface ProbeRow {
  id: number;
  sweep_id: number;
  idx: number;
  arch: 'rnn' | 'lstm';
  T: number;
  forget_bias: number | null;
  seed: number;
  N: number;
  D: number;
  H: number;
  init_scheme: string;
  wh_gain: number;
  h0_scale: number;
  b_scale: number;
  loss_step: number;
  config_json: string;
  status: ProbeStatus;
  attempts: number;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
  seconds: number | null;
  wh_spectral_norm: number | null;
  mean_slope: number | null;
}

export interface ProbeCounts {
  total: number;
  queued: number;
  running: number;
  done: number;
  failed: number;
  cancelled: number;
}

/** What a worker sends back for one finished probe. */
export interface ProbeOutcome {
  steps: number;
  norms: { dh: Float64Array; dWx: Float64Array; dWh: Float64Array; db: Float64Array; dc?: Float64Array | null };
  theory: { whSpectralNorm: number; meanSlope: number };
  seconds: number;
}

export interface StoredResult {
  steps: number;
  dh: Float64Array;
  dc: Float64Array | null;
  dWx: Float64Array;
  dWh: Float64Array;
  db: Float64Array;
}

export const now = (): string => new Date().toISOString();

export const MAX_ATTEMPTS = 3;

export class LabStore {
  constructor(readonly db: Database.Database) {}

  // ---- sweeps -------------------------------------------------------------------------------

  createSweep(spec: SweepSpec, hash: string, probes: ExpandedProbe[], totalProbes: number, shard?: { index: number; count: number }): number {
    const insertSweep = this.db.prepare(
      `INSERT INTO sweeps (name, spec_json, spec_hash, status, shard_index, shard_count, total_probes, created_at)
       VALUES (?, ?, ?, 'queued', ?, ?, ?, ?)`,
    );
    const insertProbe = this.db.prepare(
      `INSERT INTO probes (sweep_id, idx, arch, T, forget_bias, seed, N, D, H, init_scheme, wh_gain, h0_scale, b_scale, loss_step, config_json)
       VALUES (@sweep_id, @idx, @arch, @T, @forget_bias, @seed, @N, @D, @H, @init_scheme, @wh_gain, @h0_scale, @b_scale, @loss_step, @config_json)`,
    );
    return this.db.transaction(() => {
      const info = insertSweep.run(spec.name, JSON.stringify(spec), hash, shard?.index ?? null, shard?.count ?? null, totalProbes, now());
      const sweepId = Number(info.lastInsertRowid);
      for (const p of probes) {
        const c = p.config;
        insertProbe.run({
          sweep_id: sweepId, idx: p.idx, arch: c.arch, T: c.T, forget_bias: p.forgetBias, seed: c.seed, N: c.N, D: c.D, H: c.H,
          init_scheme: c.init, wh_gain: c.whGain, h0_scale: c.h0Scale, b_scale: c.bScale, loss_step: c.lossStep,
          config_json: JSON.stringify(c),
        });
      }
      return sweepId;
    })();
  }

  /** The latest sweep of this spec (and shard) that was not cancelled. */
  findSweepBySpec(hash: string, shard?: { index: number; count: number }): SweepRow | undefined {
    return this.db
      .prepare(
        `SELECT * FROM sweeps WHERE spec_hash = ? AND status <> 'cancelled'
           AND shard_index IS ? AND shard_count IS ? ORDER BY id DESC LIMIT 1`,
      )
      .get(hash, shard?.index ?? null, shard?.count ?? null) as SweepRow | undefined;
  }

  getSweep(id: number): SweepRow | undefined {
    return this.db.prepare('SELECT * FROM sweeps WHERE id = ?').get(id) as SweepRow | undefined;
  }

  listSweeps(): SweepRow[] {
    return this.db.prepare('SELECT * FROM sweeps ORDER BY id').all() as SweepRow[];
  }

  sweepsByName(name: string): SweepRow[] {
    return this.db.prepare('SELECT * FROM sweeps WHERE name = ? ORDER BY id').all(name) as SweepRow[];
  }

  unfinishedSweepIds(): number[] {
    return (this.db.prepare(`SELECT id FROM sweeps WHERE status IN ('queued', 'running') ORDER BY id`).all() as { id: number }[]).map((r) => r.id);
  }

  setSweepStatus(id: number, status: SweepStatus): void {
    const t = now();
    this.db
      .prepare(
        `UPDATE sweeps SET status = @status,
           started_at = CASE WHEN @status = 'running' AND started_at IS NULL THEN @t ELSE started_at END,
           finished_at = CASE WHEN @status IN ('done', 'failed', 'cancelled') THEN @t ELSE NULL END
         WHERE id = @id`,
      )
      .run({ id, status, t });
  }

  counts(sweepId: number): ProbeCounts {
    const rows = this.db.prepare('SELECT status, count(*) AS n FROM probes WHERE sweep_id = ? GROUP BY status').all(sweepId) as {
      status: ProbeStatus;
      n: number;
    }[];
    const c: ProbeCounts = { total: 0, queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
    for (const r of rows) {
      c[r.status] = r.n;
      c.total += r.n;
    }
    return c;
  }

  /** Marks a sweep done/failed once nothing is left to run; returns its status. */
  settleSweep(id: number): SweepStatus {
    const sweep = this.getSweep(id);
    if (!sweep) throw new Error(`no sweep ${id}`);
    if (sweep.status === 'cancelled' || sweep.status === 'done' || sweep.status === 'failed') return sweep.status;
    const c = this.counts(id);
    if (c.queued + c.running > 0) return sweep.status;
    const status: SweepStatus = c.failed > 0 ? 'failed' : 'done';
    this.setSweepStatus(id, status);
    return status;
  }

  // ---- probes -------------------------------------------------------------------------------

  getProbe(id: number): ProbeRow | undefined {
    return this.db.prepare('SELECT * FROM probes WHERE id = ?').get(id) as ProbeRow | undefined;
  }

  listProbes(sweepId: number): ProbeRow[] {
    return this.db.prepare('SELECT * FROM probes WHERE sweep_id = ? ORDER BY idx').all(sweepId) as ProbeRow[];
  }

  /** Queued probes of these sweeps, biggest first (so the pool's tail is short ones). */
  nextQueued(sweepIds: number[], limit: number): ProbeRow[] {
    if (sweepIds.length === 0 || limit <= 0) return [];
    return this.db
      .prepare(
        `SELECT * FROM probes WHERE status = 'queued' AND sweep_id IN (SELECT value FROM json_each(?))
         ORDER BY sweep_id, T * N * (D + H) * H * (CASE arch WHEN 'lstm' THEN 4 ELSE 1 END) DESC, idx LIMIT ?`,
      )
      .all(JSON.stringify(sweepIds), limit) as ProbeRow[];
  }

  countQueued(sweepIds: number[]): number {
    if (sweepIds.length === 0) return 0;
    return (this.db
      .prepare(`SELECT count(*) AS n FROM probes WHERE status = 'queued' AND sweep_id IN (SELECT value FROM json_each(?))`)
      .get(JSON.stringify(sweepIds)) as { n: number }).n;
  }

  markDispatched(ids: number[]): void {
    const stmt = this.db.prepare(`UPDATE probes SET status = 'running' WHERE id = ? AND status = 'queued'`);
    this.db.transaction(() => ids.forEach((id) => stmt.run(id)))();
  }

  markStarted(id: number): void {
    this.db.prepare(`UPDATE probes SET attempts = attempts + 1, started_at = ? WHERE id = ?`).run(now(), id);
  }

  /** Results + status 'done' in one transaction; a rerun replaces, never duplicates. */
  storeResult(id: number, r: ProbeOutcome): void {
    const putResult = this.db.prepare(
      'INSERT OR REPLACE INTO probe_results (probe_id, steps, dh, dc, dWx, dWh, db) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const setDone = this.db.prepare(
      `UPDATE probes SET status = 'done', error = NULL, finished_at = ?, seconds = ?, wh_spectral_norm = ?, mean_slope = ? WHERE id = ?`,
    );
    this.db.transaction(() => {
      const n = r.norms;
      putResult.run(id, r.steps, encodeLog10(n.dh), n.dc ? encodeLog10(n.dc) : null, encodeLog10(n.dWx), encodeLog10(n.dWh), encodeLog10(n.db));
      setDone.run(now(), r.seconds, r.theory.whSpectralNorm, r.theory.meanSlope, id);
    })();
  }

  /** Back to the queue; undoAttempt when the probe was stopped by us (not its own failure). */
  requeue(ids: number[], undoAttempt: boolean): void {
    const stmt = this.db.prepare(
      `UPDATE probes SET status = 'queued', started_at = NULL,
         attempts = CASE WHEN ? AND attempts > 0 THEN attempts - 1 ELSE attempts END
       WHERE id = ? AND status = 'running'`,
    );
    this.db.transaction(() => ids.forEach((id) => stmt.run(undoAttempt ? 1 : 0, id)))();
  }

  /** A failed attempt: queued again while attempts remain, else failed. Returns the new status. */
  failAttempt(id: number, reason: string): ProbeStatus {
    const p = this.getProbe(id);
    if (!p || p.status !== 'running') return p?.status ?? 'failed';
    const status: ProbeStatus = p.attempts >= MAX_ATTEMPTS ? 'failed' : 'queued';
    this.db
      .prepare(`UPDATE probes SET status = ?, error = ?, finished_at = CASE WHEN ? = 'failed' THEN ? ELSE NULL END WHERE id = ?`)
      .run(status, reason, status, now(), id);
    return status;
  }

  cancelProbes(ids: number[]): void {
    const stmt = this.db.prepare(`UPDATE probes SET status = 'cancelled', finished_at = ? WHERE id = ? AND status IN ('queued', 'running')`);
    const t = now();
    this.db.transaction(() => ids.forEach((id) => stmt.run(t, id)))();
  }

  cancelSweep(sweepId: number): void {
    this.db.transaction(() => {
      this.db.prepare(`UPDATE probes SET status = 'cancelled', finished_at = ? WHERE sweep_id = ? AND status IN ('queued', 'running')`).run(now(), sweepId);
      this.setSweepStatus(sweepId, 'cancelled');
    })();
  }

  retryFailed(sweepId: number): number {
    return this.db.transaction(() => {
      const n = this.db
        .prepare(`UPDATE probes SET status = 'queued', attempts = 0, error = NULL, finished_at = NULL WHERE sweep_id = ? AND status = 'failed'`)
        .run(sweepId).changes;
      return n;
    })();
  }

  /** Probes a dead process left 'running' go back to the queue. */
  requeueOrphans(): number {
    return this.db.prepare(`UPDATE probes SET status = 'queued', started_at = NULL WHERE status = 'running'`).run().changes;
  }

  // ---- results ------------------------------------------------------------------------------

  getResult(probeId: number): StoredResult | undefined {
    const r = this.db.prepare('SELECT * FROM probe_results WHERE probe_id = ?').get(probeId) as
      | { steps: number; dh: Buffer; dc: Buffer | null; dWx: Buffer; dWh: Buffer; db: Buffer }
      | undefined;
    if (!r) return undefined;
    return {
      steps: r.steps, dh: decodeLog10(r.dh), dc: r.dc ? decodeLog10(r.dc) : null,
      dWx: decodeLog10(r.dWx), dWh: decodeLog10(r.dWh), db: decodeLog10(r.db),
    };
  }

  /** Done probes of a sweep with one norm's blob (probes without that norm, e.g. dc of the RNN, left out). */
  curveRows(sweepId: number, norm: NormName, T?: number): (ProbeRow & { blob: Buffer })[] {
    // norm is one of five fixed names (validated by the caller): safe to put in the SQL.
    const col = { dh: 'dh', dc: 'dc', dWx: 'dWx', dWh: 'dWh', db: 'db' }[norm];
    return this.db
      .prepare(
        `SELECT p.*, r.${col} AS blob FROM probes p JOIN probe_results r ON r.probe_id = p.id
         WHERE p.sweep_id = ? AND p.status = 'done' AND r.${col} IS NOT NULL AND (? IS NULL OR p.T = ?)
         ORDER BY p.idx`,
      )
      .all(sweepId, T ?? null, T ?? null) as (ProbeRow & { blob: Buffer })[];
  }
}
