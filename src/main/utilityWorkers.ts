// Probe workers as Electron utility processes, wrapped into the core's WorkerSpawner.
import { utilityProcess } from 'electron';
import type { WorkerHandle, WorkerSpawner } from '../lab/labService';

/** The messages, as the handle types them (the worker protocol is the runner's business). */
type ToWorker = Parameters<WorkerHandle['send']>[0];
type FromWorker = Parameters<Parameters<WorkerHandle['onMessage']>[0]>[0];

export function utilitySpawner(workerPath: string): WorkerSpawner {
  return (): WorkerHandle => {
    const child = utilityProcess.fork(workerPath, [], { serviceName: 'SeqLab probe worker', stdio: 'inherit' });
    let exited = false;
    const exitListeners: ((code: number | null, reason: string) => void)[] = [];
    child.on('exit', (code) => {
      if (exited) return;
      exited = true;
      const reason = `worker exited with code ${code}`;
      for (const cb of exitListeners) cb(code, reason);
    });
    return {
      get pid() {
        return child.pid;
      },
      send(msg: ToWorker) {
        if (!exited) child.postMessage(msg);
      },
      onMessage(cb: (msg: FromWorker) => void) {
        child.on('message', (m: unknown) => cb(m as FromWorker));
      },
      onExit(cb) {
        exitListeners.push(cb);
      },
      kill() {
        if (!exited) child.kill();
      },
    };
  };
}
