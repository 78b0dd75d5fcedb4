// Every SQL statement of the lab file. Synchronous (better-sqlite3); the runner's process is the
// only writer. A probe's results and its status change are always one transaction.
import { existsSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { Arch, NormName, ProbeStatus, SweepStatus } from '../../contract/labApi';
import type { SweepSpec } from '../../contract/sweepSpec';
import { probeWork } from '../../engine/probeCost';
import type { ProbeOutcome } from '../../worker/workerProtocol';
import type { ProbeConfig } from '../../engine/probeConfig';
import { RUNNABLE, allows, isTerminal, nextStatus, startsClock, type SweepEvent } from './sweepStatus';
import { encodeLog10, type ResultRow } from './resultBlob';

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
  arch: Arch;
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
  /** probeWork of its config (src/engine/probeCost.ts), stored for the queue's order. */
  work: number | null;
}

export interface ProbeCounts {
  total: number;
  queued: number;
  running: number;
  done: number;
  failed: number;
  cancelled: number;
}

/** A status change a sweep went through (from = to: the event left it as it was). */
export interface SweepTransition {
  from: SweepStatus;
  to: SweepStatus;
}

/** A probe to create: its place in the sweep's expansion and its inputs (what the expansion yields). */
export interface NewProbe {
  idx: number;
  config: ProbeConfig;
  /** null for the RNN. */
  forgetBias: number | null;
}

/** A finished probe's identifying columns and its result blobs, as the CSV export reads them. */
export type ExportRow = { sweep_name: string; id: number } & Pick<
  ProbeRow,
  | 'sweep_id'
  | 'arch'
  | 'T'
  | 'forget_bias'
  | 'seed'
  | 'N'
  | 'D'
  | 'H'
  | 'init_scheme'
  | 'wh_gain'
  | 'h0_scale'
  | 'b_scale'
  | 'loss_step'
> &
  Omit<ResultRow, 'probe_id'>;

/** A done probe with one norm's curve and its stored rates, as loadCurves reads it. */
export type CurveRow = ProbeRow & { blob: Buffer } & Pick<ResultRow, 'lyapunov_top' | 'mean_field' | 'cell_path' | 'pmb_bound'>;

/** An ExportRow with the probe's rates (ResultRow's schema-4 columns). */
export type RateRow = ExportRow;

/** A probe finished in another lab file (a shard), copied onto the matching probe here. */
export interface FinishedProbeCopy {
  /** The probe of this file it lands on. */
  targetId: number;
  source: ProbeRow;
  result: ResultRow;
}

export const now = (): string => new Date().toISOString();

/** A probe fails for good after this many failures of its own (runner deaths and stops do not count). */
export const MAX_ATTEMPTS = 3;

/** The schema version that keeps per-sweep counts and marks sweeps being queued (migrations/003_sweep_counts.sql). */
const SWEEP_COUNTS_SCHEMA = 3;

export class LabStore {
  /**
   * Whether the file has the kept counts and the queueing marks of schema 3. A lab opened for
   * reading only is not migrated, so an older one is read the old way (counted by a scan).
   */
  private readonly schema3: boolean;

  constructor(readonly db: Database.Database) {
    this.schema3 = (db.pragma('user_version', { simple: true }) as number) >= SWEEP_COUNTS_SCHEMA;
  }

  close(): void {
    this.db.close();
  }

  // ---- sweeps -------------------------------------------------------------------------------

  /** A sweep and all its probes, in one transaction (merge, tests; the service queues in chunks). */
  createSweep(
    spec: SweepSpec,
    hash: string,
    probes: NewProbe[],
    totalProbes: number,
    shard?: { index: number; count: number },
  ): number {
    return this.db.transaction(() => {
      const sweepId = this.beginSweep(spec, hash, probes.length, totalProbes, shard);
      this.insertProbes(sweepId, probes);
      this.endQueueing(sweepId);
      return sweepId;
    })();
  }

  /**
   * A sweep whose `probes` probes are inserted next (insertProbes, a chunk per call), marked as
   * being queued until endQueueing: never settled meanwhile, and removed by the next runner if
   * this process dies first (dropAbandonedQueueing).
   */
  beginSweep(
    spec: SweepSpec,
    hash: string,
    probes: number,
    totalProbes: number,
    shard?: { index: number; count: number },
  ): number {
    return this.db.transaction(() => {
      const info = this.db
        .prepare(
          `INSERT INTO sweeps (name, spec_json, spec_hash, status, shard_index, shard_count, total_probes, created_at)
           VALUES (?, ?, ?, 'queued', ?, ?, ?, ?)`,
        )
        .run(spec.name, JSON.stringify(spec), hash, shard?.index ?? null, shard?.count ?? null, totalProbes, now());
      const sweepId = Number(info.lastInsertRowid);
      this.db.prepare('INSERT INTO sweep_queueing (sweep_id, probes) VALUES (?, ?)').run(sweepId, probes);
      return sweepId;
    })();
  }

  /** Probes of a sweep being queued, in one transaction. */
  insertProbes(sweepId: number, probes: Iterable<NewProbe>): number {
    const insertProbe = this.db.prepare(
      `INSERT INTO probes (sweep_id, idx, arch, T, forget_bias, seed, N, D, H, init_scheme, wh_gain, h0_scale, b_scale, loss_step, config_json, work)
       VALUES (@sweep_id, @idx, @arch, @T, @forget_bias, @seed, @N, @D, @H, @init_scheme, @wh_gain, @h0_scale, @b_scale, @loss_step, @config_json, @work)`,
    );
    return this.db.transaction(() => {
      let n = 0;
      for (const p of probes) {
        const c = p.config;
        insertProbe.run({
          sweep_id: sweepId,
          idx: p.idx,
          arch: c.arch,
          T: c.T,
          forget_bias: p.forgetBias,
          seed: c.seed,
          N: c.N,
          D: c.D,
          H: c.H,
          init_scheme: c.init,
          wh_gain: c.whGain,
          h0_scale: c.h0Scale,
          b_scale: c.bScale,
          loss_step: c.lossStep,
          config_json: JSON.stringify(c),
          work: probeWork(c),
        });
        n++;
      }
      return n;
    })();
  }

  /** The sweep's probes are all in: it runs and settles like any other from now on. */
  endQueueing(sweepId: number): void {
    this.db.prepare('DELETE FROM sweep_queueing WHERE sweep_id = ?').run(sweepId);
  }

  /** How many probes a sweep still being queued will have; null once it is queued. */
  queueingTarget(sweepId: number): number | null {
    if (!this.schema3) return null;
    const row = this.db.prepare('SELECT probes FROM sweep_queueing WHERE sweep_id = ?').get(sweepId) as
      { probes: number } | undefined;
    return row?.probes ?? null;
  }

  /**
   * Sweeps left half-queued by a process that died while queueing them go, with their probes:
   * their queueing call never returned, so nobody knows them. Returns how many.
   */
  dropAbandonedQueueing(): number {
    return this.db.transaction(() => {
      const ids = (this.db.prepare('SELECT sweep_id FROM sweep_queueing').all() as { sweep_id: number }[]).map((r) => r.sweep_id);
      for (const id of ids) this.dropSweep(id);
      return ids.length;
    })();
  }

  /** A sweep and everything of it (probes, results, counts: ON DELETE CASCADE). */
  dropSweep(id: number): void {
    this.db.prepare('DELETE FROM sweeps WHERE id = ?').run(id);
  }

  /** The latest sweep of this spec (and shard) that was not cancelled. */
  findSweepBySpec(hash: string, shard?: { index: number; count: number }): SweepRow | undefined {
    return this.db
      .prepare(
        `SELECT * FROM sweeps WHERE spec_hash = ? AND status <> 'cancelled'
           AND shard_index IS ? AND shard_count IS ? ORDER BY id DESC`,
      )
      .all(hash, shard?.index ?? null, shard?.count ?? null)
      .find((s) => this.queueingTarget((s as SweepRow).id) === null) as SweepRow | undefined;
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

  /** Sweeps a runner should pick up again: the runnable ones. */
  unfinishedSweepIds(): number[] {
    return (
      this.db
        .prepare(`SELECT id FROM sweeps WHERE status IN (SELECT value FROM json_each(?)) ORDER BY id`)
        .all(JSON.stringify([...RUNNABLE])) as { id: number }[]
    ).map((r) => r.id);
  }

  /**
   * What `event` does to the sweep, by the status table (./sweepStatus.ts), written if it changes
   * the status; null if the sweep's status refuses the event (or there is no such sweep).
   */
  applySweepEvent(id: number, event: SweepEvent): SweepTransition | null {
    const sweep = this.getSweep(id);
    if (!sweep) return null;
    const facts = () => ({ ...this.counts(id), started: sweep.started_at !== null, queueing: this.queueingTarget(id) !== null });
    const to = nextStatus(sweep.status, event, facts);
    if (to === null) return null;
    if (to !== sweep.status) this.writeSweepStatus(id, to, startsClock(event, to));
    return { from: sweep.status, to };
  }

  private writeSweepStatus(id: number, status: SweepStatus, startsClock: boolean): void {
    this.db
      .prepare(
        `UPDATE sweeps SET status = @status,
           started_at = CASE WHEN @starts AND started_at IS NULL THEN @t ELSE started_at END,
           finished_at = CASE WHEN @finished THEN @t ELSE NULL END
         WHERE id = @id`,
      )
      .run({ id, status, t: now(), starts: startsClock ? 1 : 0, finished: isTerminal(status) ? 1 : 0 });
  }

  /** The sweep's probes by status, as the triggers of migration 003 keep them (no probe is read). */
  counts(sweepId: number): ProbeCounts {
    if (!this.schema3) return this.countByScan(sweepId);
    const row = this.db
      .prepare('SELECT queued, running, done, failed, cancelled FROM sweep_counts WHERE sweep_id = ?')
      .get(sweepId) as Omit<ProbeCounts, 'total'> | undefined;
    const c = row ?? { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
    return { total: c.queued + c.running + c.done + c.failed + c.cancelled, ...c };
  }

  /** The counts of a lab from before schema 3 (read-only, so not migrated). */
  private countByScan(sweepId: number): ProbeCounts {
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
    const t = this.applySweepEvent(id, 'settle'); // never refused
    if (!t) throw new Error(`no sweep ${id}`);
    return t.to;
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
         ORDER BY sweep_id, work DESC, idx LIMIT ?`,
      )
      .all(JSON.stringify(sweepIds), limit) as ProbeRow[];
  }

  /** Probes queued by a SeqLab before schema 2 have no stored work yet: computed here, once. */
  fillMissingWork(): number {
    const rows = this.db.prepare('SELECT id, arch, T, N, D, H FROM probes WHERE work IS NULL').all() as Pick<
      ProbeRow,
      'id' | 'arch' | 'T' | 'N' | 'D' | 'H'
    >[];
    if (rows.length === 0) return 0;
    const set = this.db.prepare('UPDATE probes SET work = ? WHERE id = ?');
    this.db.transaction(() => rows.forEach((p) => set.run(probeWork(p), p.id)))();
    return rows.length;
  }

  countQueued(sweepIds: number[]): number {
    if (sweepIds.length === 0) return 0;
    return (
      this.db
        .prepare(`SELECT coalesce(sum(queued), 0) AS n FROM sweep_counts WHERE sweep_id IN (SELECT value FROM json_each(?))`)
        .get(JSON.stringify(sweepIds)) as { n: number }
    ).n;
  }

  markDispatched(ids: number[]): void {
    const stmt = this.db.prepare(`UPDATE probes SET status = 'running' WHERE id = ? AND status = 'queued'`);
    this.db.transaction(() => ids.forEach((id) => stmt.run(id)))();
  }

  /**
   * A worker began the probe. Not an attempt yet: attempts counts the runs the probe itself
   * ended (its result, its error, its worker's crash), so a runner that dies or stops it costs
   * it nothing.
   */
  markStarted(id: number): void {
    this.db.prepare(`UPDATE probes SET started_at = ? WHERE id = ?`).run(now(), id);
  }

  /** One probe's result blobs; a rerun replaces, never duplicates. */
  private putResult(row: ResultRow): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO probe_results (probe_id, steps, dh, dc, dWx, dWh, db, lyapunov_top, lyapunov_spectrum, mean_field,
           cell_path, pmb_bound) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        row.probe_id,
        row.steps,
        row.dh,
        row.dc,
        row.dWx,
        row.dWh,
        row.db,
        row.lyapunov_top ?? null,
        row.lyapunov_spectrum ?? null,
        row.mean_field ?? null,
        row.cell_path ?? null,
        row.pmb_bound ?? null,
      );
  }

  /** Results + status 'done' in one transaction; a rerun replaces, never duplicates. */
  storeResult(id: number, r: ProbeOutcome): void {
    const setDone = this.db.prepare(
      `UPDATE probes SET status = 'done', attempts = attempts + 1, error = NULL, finished_at = ?, seconds = ?, wh_spectral_norm = ?,
         mean_slope = ? WHERE id = ?`,
    );
    this.db.transaction(() => {
      const n = r.norms;
      const rates = r.rates;
      this.putResult({
        probe_id: id,
        steps: r.steps,
        dh: n.dh ? encodeLog10(n.dh) : null,
        dc: n.dc ? encodeLog10(n.dc) : null,
        dWx: n.dWx ? encodeLog10(n.dWx) : null,
        dWh: n.dWh ? encodeLog10(n.dWh) : null,
        db: n.db ? encodeLog10(n.db) : null,
        lyapunov_top: rates?.lyapunov?.top ?? null,
        lyapunov_spectrum: rates?.lyapunov ? encodeLog10(rates.lyapunov.spectrum) : null,
        mean_field: rates?.meanField ?? null,
        cell_path: rates?.cellPath ?? null,
        pmb_bound: rates?.pmbBound ?? null,
      });
      setDone.run(now(), r.seconds, r.theory.whSpectralNorm, r.theory.meanSlope, id);
    })();
  }

  /** Finished probes of another file, with their results and timings, in one transaction. */
  copyFinishedProbes(copies: FinishedProbeCopy[]): void {
    const setDone = this.db.prepare(
      `UPDATE probes SET status = 'done', error = NULL, attempts = ?, started_at = ?, finished_at = ?, seconds = ?,
         wh_spectral_norm = ?, mean_slope = ? WHERE id = ?`,
    );
    this.db.transaction(() => {
      for (const { targetId, source: p, result } of copies) {
        this.putResult({ ...result, probe_id: targetId });
        setDone.run(p.attempts, p.started_at, p.finished_at, p.seconds, p.wh_spectral_norm, p.mean_slope, targetId);
      }
    })();
  }

  /** Back to the queue, uncharged: stopped by us or left behind by a worker that died on another probe. */
  requeue(ids: number[]): void {
    const stmt = this.db.prepare(`UPDATE probes SET status = 'queued', started_at = NULL WHERE id = ? AND status = 'running'`);
    this.db.transaction(() => ids.forEach((id) => stmt.run(id)))();
  }

  /**
   * The probe's own failure (its error, or its worker's crash on it) is an attempt: queued again
   * while attempts remain, else failed. Returns the new status.
   */
  failAttempt(id: number, reason: string): ProbeStatus {
    const p = this.getProbe(id);
    if (!p || p.status !== 'running') return p?.status ?? 'failed';
    const status: ProbeStatus = p.attempts + 1 >= MAX_ATTEMPTS ? 'failed' : 'queued';
    this.db
      .prepare(
        `UPDATE probes SET status = ?, attempts = attempts + 1, error = ?, finished_at = CASE WHEN ? = 'failed' THEN ? ELSE NULL END
         WHERE id = ?`,
      )
      .run(status, reason, status, now(), id);
    return status;
  }

  /** The sweep and its unfinished probes cancelled, if its status allows; returns the transition. */
  cancelSweep(sweepId: number): SweepTransition | null {
    return this.db.transaction(() => {
      const t = this.applySweepEvent(sweepId, 'cancel');
      if (t && t.from !== t.to) {
        this.db
          .prepare(
            `UPDATE probes SET status = 'cancelled', finished_at = ? WHERE sweep_id = ? AND status IN ('queued', 'running')`,
          )
          .run(now(), sweepId);
      }
      return t;
    })();
  }

  /**
   * A cancelled sweep's cancelled probes back in the queue (its finished ones kept), and the
   * sweep running again; returns the transition, null if the sweep was not cancelled.
   */
  reopenCancelled(sweepId: number): SweepTransition | null {
    return this.db.transaction(() => {
      const sweep = this.getSweep(sweepId);
      if (!sweep || !allows(sweep.status, 'reopen')) return null;
      this.db
        .prepare(
          `UPDATE probes SET status = 'queued', finished_at = NULL, started_at = NULL WHERE sweep_id = ? AND status = 'cancelled'`,
        )
        .run(sweepId);
      return this.applySweepEvent(sweepId, 'reopen');
    })();
  }

  /** A new name for the sweep: its stored spec and that spec's hash change with it (queueing the renamed spec resumes it). */
  renameSweep(sweepId: number, name: string, specJson: string, hash: string): void {
    this.db.prepare('UPDATE sweeps SET name = ?, spec_json = ?, spec_hash = ? WHERE id = ?').run(name, specJson, hash, sweepId);
  }

  /**
   * Bytes the sweep's rows hold in the file: its probes' stored configs and errors, and every
   * result blob (what deleting it gives back, before the pages' own overhead).
   */
  sweepBytes(sweepId: number): number {
    const row = this.db
      .prepare(
        `SELECT coalesce(sum(length(p.config_json) + coalesce(length(p.error), 0) + 96
           + coalesce(length(r.dh), 0) + coalesce(length(r.dc), 0) + coalesce(length(r.dWx), 0) + coalesce(length(r.dWh), 0)
           + coalesce(length(r.db), 0) + coalesce(length(r.lyapunov_spectrum), 0)), 0) AS n
         FROM probes p LEFT JOIN probe_results r ON r.probe_id = p.id WHERE p.sweep_id = ?`,
      )
      .get(sweepId) as { n: number };
    return row.n;
  }

  /**
   * Deletes the sweep with everything of it, then gives the freed pages back to the file system
   * (VACUUM, and a checkpoint so that the WAL does not keep them); returns the sweep's bytes
   * (sweepBytes) and the file's size afterwards.
   */
  deleteSweepAndVacuum(sweepId: number): { bytesFreed: number; fileBytes: number } {
    const bytesFreed = this.sweepBytes(sweepId);
    this.dropSweep(sweepId);
    this.db.exec('VACUUM');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return { bytesFreed, fileBytes: this.fileBytes() };
  }

  /** The lab file's size on disk with its WAL. */
  fileBytes(): number {
    const size = (path: string): number => (existsSync(path) ? statSync(path).size : 0);
    return size(this.db.name) + size(`${this.db.name}-wal`);
  }

  /** Failed probes back in the queue with fresh attempts, and the sweep's status to match; returns how many. */
  retryFailed(sweepId: number): number {
    return this.db.transaction(() => {
      const sweep = this.getSweep(sweepId);
      if (!sweep || !allows(sweep.status, 'retry')) return 0;
      const n = this.db
        .prepare(
          `UPDATE probes SET status = 'queued', attempts = 0, error = NULL, finished_at = NULL WHERE sweep_id = ? AND status = 'failed'`,
        )
        .run(sweepId).changes;
      this.applySweepEvent(sweepId, 'retry');
      return n;
    })();
  }

  /** Probes a dead process left 'running' go back to the queue, uncharged (its death was not theirs). */
  requeueOrphans(): number {
    return this.db.prepare(`UPDATE probes SET status = 'queued', started_at = NULL WHERE status = 'running'`).run().changes;
  }

  // ---- results ------------------------------------------------------------------------------

  /** Finished probes of every sweep, in sweep and expansion order. */
  doneProbes(): ProbeRow[] {
    return this.db.prepare(`SELECT * FROM probes WHERE status = 'done' ORDER BY sweep_id, idx`).all() as ProbeRow[];
  }

  /** A probe's result row as stored (blobs undecoded). */
  getResultRow(probeId: number): ResultRow | undefined {
    return this.db.prepare('SELECT * FROM probe_results WHERE probe_id = ?').get(probeId) as ResultRow | undefined;
  }

  /**
   * Finished probes of these sweeps (every sweep if none) with their results, one at a time
   * (memory stays flat). The connection is busy until the iteration ends: iterate on a
   * connection nothing else uses meanwhile (a read-only one beside a runner, say).
   */
  exportRows(sweepIds: readonly number[]): IterableIterator<ExportRow> {
    return this.db
      .prepare(
        `SELECT s.name AS sweep_name, p.sweep_id, p.id, p.arch, p.T, p.forget_bias, p.seed, p.N, p.D, p.H, p.init_scheme, p.wh_gain,
                p.h0_scale, p.b_scale, p.loss_step, r.steps, r.dh, r.dc, r.dWx, r.dWh, r.db
         FROM probes p JOIN sweeps s ON s.id = p.sweep_id JOIN probe_results r ON r.probe_id = p.id
         WHERE p.status = 'done' AND (? = 0 OR p.sweep_id IN (SELECT value FROM json_each(?)))
         ORDER BY p.sweep_id, p.idx`,
      )
      .iterate(sweepIds.length, JSON.stringify(sweepIds)) as IterableIterator<ExportRow>;
  }

  /**
   * Finished probes of these sweeps (every sweep if none) with their results and rates, one at a
   * time, as `seqlab summary` reads them. A read-only file of a schema before 4 has no rate
   * columns: they read as null.
   */
  rateRows(sweepIds: readonly number[]): IterableIterator<RateRow> {
    const columns = new Set((this.db.prepare('PRAGMA table_info(probe_results)').all() as { name: string }[]).map((c) => c.name));
    const rate = (c: string): string => (columns.has(c) ? `r.${c}` : `NULL AS ${c}`);
    return this.db
      .prepare(
        `SELECT p.sweep_id, s.name AS sweep_name, p.id, p.arch, p.T, p.forget_bias, p.seed, p.N, p.D, p.H, p.init_scheme, p.wh_gain,
                p.h0_scale, p.b_scale, p.loss_step, r.steps, r.dh, r.dc, r.dWx, r.dWh, r.db,
                ${['lyapunov_top', 'lyapunov_spectrum', 'mean_field', 'cell_path', 'pmb_bound'].map(rate).join(', ')}
         FROM probes p JOIN sweeps s ON s.id = p.sweep_id JOIN probe_results r ON r.probe_id = p.id
         WHERE p.status = 'done' AND (? = 0 OR p.sweep_id IN (SELECT value FROM json_each(?)))
         ORDER BY p.sweep_id, p.idx`,
      )
      .iterate(sweepIds.length, JSON.stringify(sweepIds)) as IterableIterator<RateRow>;
  }

  /**
   * Done probes of a sweep with one norm's blob (probes without that norm, e.g. dc of the RNN, left
   * out) and the probe's stored rates (null in a read-only file of a schema before 4).
   */
  curveRows(sweepId: number, norm: NormName, T?: number): CurveRow[] {
    // norm is one of five fixed names (validated by the caller): safe to put in the SQL.
    const col = { dh: 'dh', dc: 'dc', dWx: 'dWx', dWh: 'dWh', db: 'db' }[norm];
    const columns = new Set((this.db.prepare('PRAGMA table_info(probe_results)').all() as { name: string }[]).map((c) => c.name));
    const rate = (c: string): string => (columns.has(c) ? `r.${c}` : `NULL AS ${c}`);
    return this.db
      .prepare(
        `SELECT p.*, r.${col} AS blob, ${['lyapunov_top', 'mean_field', 'cell_path', 'pmb_bound'].map(rate).join(', ')}
         FROM probes p JOIN probe_results r ON r.probe_id = p.id
         WHERE p.sweep_id = ? AND p.status = 'done' AND r.${col} IS NOT NULL AND (? IS NULL OR p.T = ?)
         ORDER BY p.idx`,
      )
      .all(sweepId, T ?? null, T ?? null) as CurveRow[];
  }
}
