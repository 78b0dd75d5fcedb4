// Queueing a big sweep without holding the event loop: its probes are expanded and inserted a
// chunk per transaction, with a turn of the event loop between chunks, so the lab server and the
// app keep answering while 100,000 probes go in. Until the last chunk is in, the sweep is marked
// as being queued (migrations/003_sweep_counts.sql): it is not settled meanwhile, and a runner
// that finds it so at start removes it (the process queueing it died).
import type { SweepSpec } from '../../contract/sweepSpec';
import type { SweepModelFiles } from '../../contract/labApi';
import type { LabStore, NewProbe } from '../store/labStore';
import { saveSweepModelFiles } from '../store/sweepModelFiles';

/** Probes per transaction: about 50 ms of inserting on a shared 2-core box. */
export const QUEUE_CHUNK = 2000;

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** The probes of one shard: those with idx % count == index - 1. */
export function* shardProbes<P extends { idx: number }>(probes: Iterable<P>, shard: Shard | undefined): Generator<P> {
  for (const p of probes) if (!shard || p.idx % shard.count === shard.index - 1) yield p;
}

/** How many of `total` probes (idx 0 .. total-1) a shard has. */
export function shardSize(total: number, shard: Shard | undefined): number {
  return shard ? Math.max(0, Math.ceil((total - (shard.index - 1)) / shard.count)) : total;
}

export interface NewSweep {
  spec: SweepSpec;
  hash: string;
  /** Its probes in expansion order (a shard's only, if sharded), expanded as they are inserted. */
  probes: Iterable<NewProbe>;
  /** How many `probes` yields. */
  count: number;
  /** Probes of the full (unsharded) expansion. */
  totalProbes: number;
  shard?: Shard;
  /** The weights / inputs files its spec names, stored with it. */
  modelFiles?: SweepModelFiles;
}

export interface QueueingHooks {
  /** Checked before each chunk: true stops the queueing (the lab is closing) and leaves the sweep to be removed. */
  abandon?: () => boolean;
  /** After each chunk: how many probes are in, of how many. */
  onChunk?: (sweepId: number, queued: number, total: number) => void;
}

export type QueueingOutcome = { sweepId: number; outcome: 'queued' | 'cancelled' | 'abandoned' };

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function* take<T>(it: Iterator<T>, n: number): Generator<T> {
  for (let i = 0; i < n; i++) {
    const next = it.next();
    if (next.done) return;
    yield next.value;
  }
}

/**
 * Adds the sweep and inserts its probes a chunk at a time. A sweep cancelled meanwhile keeps the
 * probes it has (cancelled) and gets no more; a failed insert removes the sweep and throws.
 */
export async function queueInChunks(store: LabStore, sweep: NewSweep, hooks: QueueingHooks = {}): Promise<QueueingOutcome> {
  const sweepId = store.beginSweep(sweep.spec, sweep.hash, sweep.count, sweep.totalProbes, sweep.shard);
  const probes = sweep.probes[Symbol.iterator]();
  let queued = 0;
  try {
    // While it is being queued, a sweep that loses its process is removed, summaries and all.
    if (sweep.modelFiles) saveSweepModelFiles(store.db, sweepId, sweep.modelFiles);
    for (;;) {
      // Every chunk runs in a turn of its own (setImmediate's), so I/O and timers run between any two.
      await nextTurn();
      if (hooks.abandon?.()) return { sweepId, outcome: 'abandoned' };
      if (store.getSweep(sweepId)?.status === 'cancelled') {
        store.endQueueing(sweepId);
        return { sweepId, outcome: 'cancelled' };
      }
      const n = store.insertProbes(sweepId, take(probes, QUEUE_CHUNK));
      queued += n;
      if (n > 0) hooks.onChunk?.(sweepId, queued, sweep.count);
      if (n < QUEUE_CHUNK) break;
    }
    store.endQueueing(sweepId);
    return { sweepId, outcome: 'queued' };
  } catch (err) {
    try {
      store.dropSweep(sweepId);
    } catch {
      // The store is what failed; the next runner removes the half-queued sweep.
    }
    throw err;
  }
}
