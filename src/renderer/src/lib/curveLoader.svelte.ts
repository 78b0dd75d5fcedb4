// Loads the curves of the sweeps compared at once, for one norm, with each sweep's spec, and
// reloads them (throttled) as their probes finish (ComparedCurvesLoader, followComparedSweeps).
import { onDestroy, untrack } from 'svelte';
import type { CurveSet, LabClient, NormName, SweepDetail } from '../../../contract/labApi';
import type { LabState } from './labState.svelte';
import { throttle } from './throttle';

const setKey = (sweepId: number, norm: NormName): string => `${sweepId}|${norm}`;

/** Several sweeps' curves of one norm, and their details (specs), loaded together. */
export class ComparedCurvesLoader {
  /** Curve sets by `${sweepId}|${norm}`. */
  sets = $state<Record<string, CurveSet>>({});
  /** Sweep details (the spec) by sweep id. */
  details = $state<Record<number, SweepDetail>>({});
  loading = $state(false);
  /** The first failure, naming the sweep. */
  error = $state<string | null>(null);
  private seq = 0;

  constructor(private client: () => LabClient) {}

  /** The loaded sets of these sweeps for this norm, in the order given (sweeps not loaded yet left out). */
  setsOf(sweepIds: readonly number[], norm: NormName): CurveSet[] {
    return sweepIds.map((id) => this.sets[setKey(id, norm)]).filter((s): s is CurveSet => s !== undefined);
  }

  /** Loads what is missing (or, with `reload`, these sweeps again, quietly). */
  async load(sweepIds: readonly number[], norm: NormName, reload: readonly number[] = []): Promise<void> {
    const my = ++this.seq;
    const wanted = sweepIds.filter((id) => reload.includes(id) || !this.sets[setKey(id, norm)]);
    const needSpec = sweepIds.filter((id) => !this.details[id]);
    if (wanted.length === 0 && needSpec.length === 0) return;
    if (reload.length === 0) this.loading = true;
    const [curveResults, detailResults] = await Promise.all([
      Promise.all(wanted.map((sweepId) => this.client().loadCurves({ sweepId, norm }))),
      Promise.all(needSpec.map((id) => this.client().getSweep(id))),
    ]);
    if (my !== this.seq && reload.length === 0) return;
    this.loading = false;
    let error: string | null = null;
    const sets = { ...this.sets };
    // A reloaded sweep's other norms are stale now: they load afresh when next asked for.
    for (const id of reload) for (const k of Object.keys(sets)) if (k.startsWith(`${id}|`)) delete sets[k];
    curveResults.forEach((r, i) => {
      if (r.ok) sets[setKey(wanted[i], norm)] = r.value;
      else error ??= `sweep #${wanted[i]}: ${r.error.message}`;
    });
    const details = { ...this.details };
    detailResults.forEach((r, i) => {
      if (r.ok) details[needSpec[i]] = r.value;
      else error ??= `sweep #${needSpec[i]}: ${r.error.message}`;
    });
    this.sets = sets;
    this.details = details;
    this.error = error;
  }

  /** Forgets everything loaded (after "Try again"). */
  clear(): void {
    this.sets = {};
    this.details = {};
    this.error = null;
  }
}

/**
 * Keeps `loader` on the compared sweeps and the current norm, and reloads a sweep quietly (at
 * most every `throttleMs`) as its probes finish. Call during a component's initialisation.
 */
export function followComparedSweeps(
  getLab: () => LabState,
  loader: ComparedCurvesLoader,
  sweepIds: () => readonly number[],
  norm: () => NormName,
  throttleMs: number,
): void {
  $effect(() => {
    const ids = sweepIds();
    const n = norm();
    untrack(() => void loader.load(ids, n));
  });
  let pending: number[] = [];
  const reload = throttle(() => {
    const ids = pending;
    pending = [];
    void loader.load(untrack(sweepIds), untrack(norm), ids);
  }, throttleMs);
  $effect(() => {
    const lab = getLab();
    const e = lab.lastEvent;
    void lab.progressTick;
    if (e && e.probe && untrack(sweepIds).includes(e.sweep.id)) {
      if (!pending.includes(e.sweep.id)) pending.push(e.sweep.id);
      reload.call();
    }
  });
  onDestroy(() => reload.cancel());
}
