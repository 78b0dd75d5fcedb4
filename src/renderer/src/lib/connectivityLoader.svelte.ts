// Loads one probe's connectivity table, polling while the lab computes it (it answers at once
// with what is done so far), so the view can show progress.
import type { ConnectivityTable } from '../../../contract/connectivity';
import type { LabClient, NormName } from '../../../contract/labApi';

const POLL_MS = 400;

export type ConnectivityState =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'computing'; done: number; total: number; etaSeconds: number | null }
  | { kind: 'ready'; table: ConnectivityTable }
  | { kind: 'error'; message: string };

export class ConnectivityLoader {
  state = $state<ConnectivityState>({ kind: 'idle' });
  private seq = 0;

  cancel(): void {
    this.seq++;
  }

  async load(client: LabClient, probeId: number, norm: NormName): Promise<void> {
    const my = ++this.seq;
    this.state = { kind: 'loading' };
    for (;;) {
      const r = await client.loadConnectivity({ probeId, norm });
      if (my !== this.seq) return;
      if (!r.ok) {
        this.state = { kind: 'error', message: r.error.message };
        return;
      }
      if (r.value.status === 'ready') {
        this.state = { kind: 'ready', table: r.value.table };
        return;
      }
      const { done, total, etaSeconds } = r.value;
      this.state = { kind: 'computing', done, total, etaSeconds };
      await new Promise((res) => setTimeout(res, POLL_MS));
      if (my !== this.seq) return;
    }
  }
}
