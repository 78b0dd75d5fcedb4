// A probe runs synchronously for up to minutes, so the worker's event loop cannot see its
// parent's death ('disconnect') until the probe ends. A small thread watches the parent pid
// instead: when this process is re-parented (the parent died, whoever adopted us), it kills the
// whole process at once, abandoning the probe — the parent that would store it is gone.
import { Worker } from 'node:worker_threads';

/** How often the watchdog thread looks at the parent pid. */
const WATCH_INTERVAL_MS = 25;

const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const timer = setInterval(() => {
  if (process.ppid !== workerData.parentPid) process.kill(workerData.pid, 'SIGKILL');
}, workerData.intervalMs);
`;

export function exitWhenParentDies(): void {
  const watchdog = new Worker(WATCHDOG_SOURCE, {
    eval: true,
    workerData: { parentPid: process.ppid, pid: process.pid, intervalMs: WATCH_INTERVAL_MS },
  });
  watchdog.unref(); // it must not keep an idle worker alive
}
