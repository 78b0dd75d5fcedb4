// The app's shared live state: the sweep list, kept current by progress events.
import { newerSummary, type LabClient, type LabInfo, type ProgressEvent, type SweepSummary } from '../../../contract/labApi';

export type View = 'new' | 'queue' | 'curves' | 'summary' | 'connectivity' | 'export';

export class LabState {
  sweeps = $state<SweepSummary[]>([]);
  loading = $state(true);
  error = $state<string | null>(null);
  view = $state<View>('new');
  /** The sweep the curve and summary views show. */
  selectedSweepId = $state<number | null>(null);
  /** Bumped on every progress event, so views can reload what they show. */
  progressTick = $state(0);
  lastEvent = $state<ProgressEvent | null>(null);
  /** The open lab file (null until known). */
  info = $state<LabInfo | null>(null);
  /** On read-only media: sweeps can be read and exported, not queued or changed. */
  readOnly = $derived(this.info?.readOnly === true);
  private refreshSeq = 0;

  constructor(readonly client: LabClient) {}

  start(): () => void {
    const unsubscribe = [
      this.client.onProgress((e) => this.onProgress(e)),
      // Whatever changed while the event stream was not connected: the list as it is now.
      this.client.onConnected?.(() => void this.refresh()),
    ];
    void this.client.getLabInfo().then((r) => {
      if (r.ok) this.info = r.value;
    });
    void this.refresh();
    return () => unsubscribe.forEach((u) => u?.());
  }

  async refresh(): Promise<void> {
    // Two refreshes at once (the start, and the event stream opening): the later one's answer stands.
    const seq = ++this.refreshSeq;
    const r = await this.client.listSweeps();
    if (seq !== this.refreshSeq) return;
    this.loading = false;
    if (!r.ok) {
      this.error = r.error.message;
      return;
    }
    this.error = null;
    // The list says which sweeps there are; of each, the newer of the listed and the held summary
    // (a progress event may have come while the list was on its way).
    const held: Record<number, SweepSummary> = {};
    for (const s of this.sweeps) held[s.id] = s;
    this.sweeps = r.value
      .map((s) => {
        const h = held[s.id];
        return h && !newerSummary(s, h) ? h : s;
      })
      .sort((a, b) => b.id - a.id);
    if (this.selectedSweepId === null || !this.sweeps.some((s) => s.id === this.selectedSweepId)) {
      this.selectedSweepId = this.sweeps.find((s) => s.probes.done > 0)?.id ?? this.sweeps[0]?.id ?? null;
    }
  }

  /** A sweep's summary, unless the one held is newer (a reply can arrive after a later event). */
  upsert(s: SweepSummary): void {
    const i = this.sweeps.findIndex((x) => x.id === s.id);
    if (i >= 0) {
      if (newerSummary(s, this.sweeps[i])) this.sweeps[i] = s;
    } else this.sweeps = [s, ...this.sweeps].sort((a, b) => b.id - a.id);
  }

  private onProgress(e: ProgressEvent): void {
    this.upsert(e.sweep);
    this.lastEvent = e;
    this.progressTick++;
  }
}
