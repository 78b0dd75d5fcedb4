// Loads a sweep's curves for one norm and reloads (throttled) as its probes finish.
import { onDestroy, untrack } from 'svelte';
import type { CurveSet, LabClient, NormName } from '../../../contract/labApi';
import type { LabState } from './labState.svelte';
import { throttle } from './throttle';

export class CurveLoader {
  data = $state<CurveSet | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  private seq = 0;

  constructor(private client: () => LabClient) {}

  async load(sweepId: number, norm: NormName, quiet = false): Promise<void> {
    const my = ++this.seq;
    if (!quiet) this.loading = true;
    const r = await this.client().loadCurves({ sweepId, norm });
    if (my !== this.seq) return;
    this.loading = false;
    if (r.ok) {
      this.data = r.value;
      this.error = null;
    } else {
      this.error = r.error.message;
    }
  }
}

/**
 * Keeps `loader` on the selected sweep and the current norm: loads on every change, and reloads
 * quietly (at most every `throttleMs`) as probes of that sweep finish. Call during a component's
 * initialisation.
 */
export function followSelectedSweep(getLab: () => LabState, loader: CurveLoader, norm: () => NormName, throttleMs: number): void {
  $effect(() => {
    const id = getLab().selectedSweepId;
    if (id !== null) void loader.load(id, norm());
  });
  const reload = throttle(() => {
    const id = getLab().selectedSweepId;
    if (id !== null) void loader.load(id, norm(), true);
  }, throttleMs);
  $effect(() => {
    const lab = getLab();
    const e = lab.lastEvent;
    void lab.progressTick;
    if (e && e.probe && e.sweep.id === untrack(() => lab.selectedSweepId)) reload.call();
  });
  onDestroy(() => reload.cancel());
}
