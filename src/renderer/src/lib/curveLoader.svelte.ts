// Loads a sweep's curves for one norm and reloads (throttled) as its probes finish.
import type { CurveSet, LabClient, NormName } from '../../../shared/labApi';

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
