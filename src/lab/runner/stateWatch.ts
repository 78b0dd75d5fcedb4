// Waiting for the runner's state to reach a condition without polling: whoever changes the state
// calls notify(), and each pending wait re-checks its condition then. A wait has a deadline.

export class StateWatch {
  private readonly checks = new Set<() => void>();

  /** The state changed: every pending wait whose condition now holds resolves. */
  notify(): void {
    for (const check of [...this.checks]) check();
  }

  /** Resolves once cond() holds (checked now and at every notify); rejects after timeoutMs. */
  until(cond: () => boolean, timeoutMs: number, timeoutMessage: string): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const end = (): void => {
        clearTimeout(timer);
        this.checks.delete(check);
      };
      const check = (): void => {
        if (!cond()) return;
        end();
        resolve();
      };
      const timer = setTimeout(() => {
        end();
        reject(new Error(timeoutMessage));
      }, timeoutMs);
      this.checks.add(check);
    });
  }
}
