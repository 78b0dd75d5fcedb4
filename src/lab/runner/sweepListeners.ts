// Who hears about sweeps: progress listeners (every change) and waiters (a sweep's end).
import type { ProgressEvent, SweepStatus } from '../../contract/labApi';

interface Waiter {
  resolve(status: SweepStatus): void;
  reject(error: Error): void;
}

export class SweepListeners {
  private readonly listeners = new Set<(e: ProgressEvent) => void>();
  private readonly waiters = new Map<number, Waiter[]>();

  onProgress(listener: (e: ProgressEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  broadcast(event: ProgressEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A listener's bug must not stop the pool.
      }
    }
  }

  /** Resolves with the sweep's final status when finished(sweepId) is called. */
  wait(sweepId: number): Promise<SweepStatus> {
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(sweepId) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(sweepId, list);
    });
  }

  finished(sweepId: number, status: SweepStatus): void {
    const list = this.waiters.get(sweepId);
    if (!list) return;
    this.waiters.delete(sweepId);
    for (const w of list) w.resolve(status);
  }

  /** Every waiter of every sweep fails with this error. */
  failAll(error: Error): void {
    for (const [id, list] of this.waiters) {
      for (const w of list) w.reject(error);
      this.waiters.delete(id);
    }
  }
}
