// Sweep summaries straight from a lab file, without starting a runner (status, export).
import type { SweepSummary } from '../../contract/labApi';
import { toSweepSummary } from '../runner/progressTracker';
import { LabStore } from './labStore';
import { openLabDatabase, type OpenOptions } from './openDatabase';

export function withReadonlyStore<T>(path: string, opts: OpenOptions, body: (store: LabStore) => T): T {
  const db = openLabDatabase(path, { ...opts, readonly: true });
  try {
    return body(new LabStore(db));
  } finally {
    db.close();
  }
}

export function readSweepSummaries(store: LabStore): SweepSummary[] {
  return store.listSweeps().map((s) => toSweepSummary(s, store.counts(s.id), null));
}
