// A worker whose every message the test writes: for the runner's own decisions (when it is
// ready, whom it asks, whom it blames, what it makes of an answer), which real workers make racy
// to observe. The tests beside them, and the service's, run real worker processes.
import type { FromWorker, ToWorker } from '../../worker/workerProtocol';
import type { WorkerHandle } from '../runner/workerTransport';

export class ScriptedWorker implements WorkerHandle {
  readonly sent: ToWorker[] = [];
  private deliver: (msg: FromWorker) => void = () => {};
  private exitListener: (code: number | null, reason: string) => void = () => {};
  private gone = false;
  send(msg: ToWorker): void {
    this.sent.push(msg);
  }
  onMessage(cb: (msg: FromWorker) => void): void {
    this.deliver = cb;
  }
  onExit(cb: (code: number | null, reason: string) => void): void {
    this.exitListener = cb;
  }
  kill(): void {
    setImmediate(() => this.exit(null, 'worker killed by SIGKILL'));
  }
  say(msg: FromWorker): void {
    this.deliver(msg);
  }
  exit(code: number | null, reason: string): void {
    if (this.gone) return;
    this.gone = true;
    this.exitListener(code, reason);
  }
}

/** A spawner of scripted workers, and the workers it has spawned. */
export function scriptedSpawner() {
  const spawned: ScriptedWorker[] = [];
  return { spawned, spawn: () => spawned[spawned.push(new ScriptedWorker()) - 1] };
}
