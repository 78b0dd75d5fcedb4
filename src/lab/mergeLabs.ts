// Merges lab files (typically the shards of one sweep) into one. Every sweep in every source
// must have the same spec; the target gets the full (unsharded) sweep, and each probe finished
// in a source is copied in with its result blobs, matched by its expansion index.
// (Service level, not store: it expands the spec, which the store may not do.)
import { basename, resolve } from 'node:path';
import { checkSweepSpec, countProbes } from './sweep/expandSweep';
import { LabStore, type FinishedProbeCopy, type SweepRow } from './store/labStore';
import { LabFileError, openLabDatabase, type OpenOptions } from './store/openDatabase';
import { acquireLabLock } from './store/labLock';
import { openReadonlyStore } from './store/readSummaries';
import { readSweepModelFiles, saveSweepModelFiles } from './store/sweepModelFiles';

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
  if (sources.some((s) => resolve(s) === resolve(into)))
    throw new LabFileError(`--into ${into} is also a source; merge into a new or another file`);
  const opened: { path: string; store: LabStore }[] = [];
  try {
    for (const path of sources) opened.push({ path, store: openReadonlyStore(path, opts) });
    let first: { path: string; sweep: SweepRow } | null = null;
    for (const { path, store } of opened) {
      const sweeps = store.listSweeps();
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
    if (!check.ok)
      throw new LabFileError(
        `${first!.path} holds a spec this SeqLab rejects: ${check.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      );

    const lock = acquireLabLock(resolve(into));
    let target: LabStore;
    try {
      target = new LabStore(openLabDatabase(into, opts));
    } catch (err) {
      lock.release();
      throw err;
    }
    try {
      const existing = target
        .listSweeps()
        .find((s) => s.spec_hash === first!.sweep.spec_hash && s.shard_count === null && s.status !== 'cancelled');
      const sweepId =
        existing?.id ?? target.createSweep(check.spec, first!.sweep.spec_hash, check.probes, countProbes(check.spec));
      // The files a model sweep was queued with go with it (the same in every shard: the same spec).
      const modelFiles = readSweepModelFiles(opened[0].store.db, first!.sweep.id);
      if (modelFiles && !readSweepModelFiles(target.db, sweepId)) saveSweepModelFiles(target.db, sweepId, modelFiles);
      const byIdx = new Map(target.listProbes(sweepId).map((p) => [p.idx, p]));
      let copied = 0;
      let alreadyDone = 0;
      for (const { path, store } of opened) {
        // Every probe of a source is checked before any is copied: a source merges whole or not at all.
        const copies: FinishedProbeCopy[] = [];
        for (const p of store.doneProbes()) {
          const t = byIdx.get(p.idx);
          if (!t || t.config_json !== p.config_json) {
            throw new LabFileError(`${path}: probe #${p.idx} does not match the sweep's expansion; refusing to merge`);
          }
          if (t.status === 'done') {
            alreadyDone++;
            continue;
          }
          const result = store.getResultRow(p.id);
          if (!result) throw new LabFileError(`${path}: probe ${p.id} is done but has no results; refusing to merge`);
          copies.push({ targetId: t.id, source: p, result });
          t.status = 'done';
        }
        target.copyFinishedProbes(copies);
        copied += copies.length;
      }
      // Finished if nothing is left to run there, whatever it was (see sweepStatus.ts).
      target.applySweepEvent(sweepId, 'merge');
      const counts = target.counts(sweepId);
      return { sweepId, name: check.spec.name, copied, alreadyDone, total: counts.total, done: counts.done };
    } finally {
      target.close();
      lock.release();
    }
  } finally {
    for (const { store } of opened) store.close();
  }
}
