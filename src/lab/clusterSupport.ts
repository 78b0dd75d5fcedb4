// What the cluster adapters (src/cluster: Slurm, Kubernetes) read from lab files: the sweep of
// one spec, whole or one shard of it, as its summary. Read-only, so it works beside the shard
// or merge job that is writing the file.
import { existsSync, statSync } from 'node:fs';
import type { SweepSummary } from '../contract/labApi';
import { fail, ok, type Result } from '../contract/result';
import type { SweepSpec } from '../contract/sweepSpec';
import type { Shard } from './labService';
import { openReadonlyStore, toSweepSummary } from './store/readSummaries';
import { specHash } from './sweep/expandSweep';

/**
 * The latest sweep of `spec` (with that shard, or unsharded) in the lab file at dbPath; null when
 * the file does not exist yet, is still empty, or holds no such sweep. A file that cannot be read
 * as a lab is an error naming it.
 */
export function readSweepOfSpec(dbPath: string, spec: SweepSpec, shard?: Shard): Result<SweepSummary | null> {
  if (!existsSync(dbPath) || statSync(dbPath).size === 0) return ok(null);
  let store: ReturnType<typeof openReadonlyStore>;
  try {
    store = openReadonlyStore(dbPath);
  } catch (err) {
    return fail('invalid-argument', (err as Error).message);
  }
  try {
    const row = store.findSweepBySpec(specHash(spec), shard);
    return ok(row ? toSweepSummary(row, store.counts(row.id), null) : null);
  } catch (err) {
    // A file its runner has just created has no tables yet.
    if (/no such table/.test((err as Error).message)) return ok(null);
    return fail('internal', `${dbPath}: ${(err as Error).message}`);
  } finally {
    store.close();
  }
}
