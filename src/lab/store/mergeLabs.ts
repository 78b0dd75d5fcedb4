// Merges lab files (typically the shards of one sweep) into one. Every sweep in every source
// must have the same spec; the target gets the full (unsharded) sweep, and each probe finished
// in a source is copied in with its result blobs, matched by its expansion index.
import { basename, resolve } from 'node:path';
import { checkSweepSpec, countProbes } from '../sweep/expandSweep';
import { LabStore, type ProbeRow, type SweepRow } from './labStore';
import { LabFileError, openLabDatabase, type OpenOptions } from './openDatabase';
import { acquireLabLock } from './labLock';
import type { ResultRow } from './resultBlob';

export interface MergeReport {
  sweepId: number;
  name: string;
  copied: number;
  alreadyDone: number;
  total: number;
  done: number;
}

export function mergeLabs(sources: string[], into: string, opts: OpenOptions = {}): MergeReport {
  if (sources.length === 0) throw new LabFileError('nothing to merge: give at least one source file');
  if (sources.some((s) => resolve(s) === resolve(into))) throw new LabFileError(`--into ${into} is also a source; merge into a new or another file`);
  const opened = sources.map((path) => ({ path, db: openLabDatabase(path, { ...opts, readonly: true }) }));
  try {
    let first: { path: string; sweep: SweepRow } | null = null;
    for (const { path, db } of opened) {
      const sweeps = new LabStore(db).listSweeps();
      if (sweeps.length === 0) throw new LabFileError(`${path} holds no sweep`);
      for (const sweep of sweeps) {
        if (!first) first = { path, sweep };
        else if (sweep.spec_hash !== first.sweep.spec_hash) {
          throw new LabFileError(
            `${basename(path)} (sweep "${sweep.name}") and ${basename(first.path)} (sweep "${first.sweep.name}") hold different sweep specs; refusing to merge`,
          );
        }
      }
    }
    const spec = JSON.parse(first!.sweep.spec_json) as unknown;
    const check = checkSweepSpec(spec, Number.MAX_SAFE_INTEGER);
    if (!check.ok) throw new LabFileError(`${first!.path} holds a spec this SeqLab rejects: ${check.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);

    const lock = acquireLabLock(resolve(into));
    let target: LabStore;
    try {
      target = new LabStore(openLabDatabase(into, opts));
    } catch (err) {
      lock.release();
      throw err;
    }
    try {
      const existing = target.listSweeps().find((s) => s.spec_hash === first!.sweep.spec_hash && s.shard_count === null && s.status !== 'cancelled');
      const sweepId = existing?.id ?? target.createSweep(check.spec, first!.sweep.spec_hash, check.probes, countProbes(check.spec));
      const byIdx = new Map(target.listProbes(sweepId).map((p) => [p.idx, p]));
      let copied = 0;
      let alreadyDone = 0;
      const tdb = target.db;
      const putResult = tdb.prepare('INSERT OR REPLACE INTO probe_results (probe_id, steps, dh, dc, dWx, dWh, db) VALUES (?, ?, ?, ?, ?, ?, ?)');
      const setDone = tdb.prepare(
        `UPDATE probes SET status = 'done', error = NULL, attempts = ?, started_at = ?, finished_at = ?, seconds = ?,
           wh_spectral_norm = ?, mean_slope = ? WHERE id = ?`,
      );
      for (const { path, db } of opened) {
        const probes = db.prepare(`SELECT * FROM probes WHERE status = 'done' ORDER BY sweep_id, idx`).all() as ProbeRow[];
        const result = db.prepare('SELECT * FROM probe_results WHERE probe_id = ?');
        tdb.transaction(() => {
          for (const p of probes) {
            const t = byIdx.get(p.idx);
            if (!t || t.config_json !== p.config_json) {
              throw new LabFileError(`${path}: probe #${p.idx} does not match the sweep's expansion; refusing to merge`);
            }
            if (t.status === 'done') {
              alreadyDone++;
              continue;
            }
            const r = result.get(p.id) as ResultRow | undefined;
            if (!r) throw new LabFileError(`${path}: probe ${p.id} is done but has no results; refusing to merge`);
            putResult.run(t.id, r.steps, r.dh, r.dc, r.dWx, r.dWh, r.db);
            setDone.run(p.attempts, p.started_at, p.finished_at, p.seconds, p.wh_spectral_norm, p.mean_slope, t.id);
            t.status = 'done';
            copied++;
          }
        })();
      }
      const counts = target.counts(sweepId);
      if (counts.queued + counts.running === 0) {
        target.setSweepStatus(sweepId, 'running');
        target.settleSweep(sweepId);
      }
      return { sweepId, name: check.spec.name, copied, alreadyDone, total: counts.total, done: counts.done };
    } finally {
      target.db.close();
      lock.release();
    }
  } finally {
    for (const { db } of opened) db.close();
  }
}
