// One connectivity table computed in a one-off worker process (src/worker/lossTableTask.ts): the
// O(T^2) pass never runs on the lab's own thread, and a table being computed does not take a
// sweep worker away. The worker is of the runner's kind (the same spawner).
import type { ProbeConfig } from '../../engine/index';
import type { LossTableRows } from '../../worker/workerProtocol';
import type { WorkerHandle, WorkerSpawner } from './workerTransport';

export type { LossTableRows };

export interface LossTableJob {
  /** The rows, or the reason there are none (the worker failed or died). */
  finished: Promise<{ ok: true; rows: LossTableRows } | { ok: false; message: string }>;
  /** Stops the worker (finished then says why). */
  kill(): void;
}

/** Starts the worker; `onRows(done)` reports how many rows are done (at most every 200 ms). */
export function startLossTableJob(
  spawn: WorkerSpawner,
  config: ProbeConfig,
  lossSteps: number[],
  onRows: (done: number) => void,
): LossTableJob {
  let worker: WorkerHandle | null = null;
  let settle!: (r: { ok: true; rows: LossTableRows } | { ok: false; message: string }) => void;
  const finished = new Promise<{ ok: true; rows: LossTableRows } | { ok: false; message: string }>((r) => (settle = r));
  const end = (r: { ok: true; rows: LossTableRows } | { ok: false; message: string }): void => {
    const w = worker;
    worker = null;
    if (!w) return;
    w.send({ type: 'shutdown' });
    w.kill();
    settle(r);
  };
  try {
    worker = spawn();
  } catch (err) {
    settle({ ok: false, message: err instanceof Error ? err.message : String(err) });
    return { finished, kill: () => {} };
  }
  const w = worker;
  const requestId = 1;
  w.onMessage((msg) => {
    if (msg.type === 'ready') w.send({ type: 'lossTable', task: { requestId, config, lossSteps } });
    else if (msg.type === 'lossTableProgress' && msg.requestId === requestId) onRows(msg.done);
    else if (msg.type === 'lossTableDone' && msg.requestId === requestId) end({ ok: true, rows: msg.table });
    else if (msg.type === 'lossTableError' && msg.requestId === requestId) end({ ok: false, message: msg.message });
  });
  w.onExit((_code, reason) => end({ ok: false, message: reason }));
  return { finished, kill: () => end({ ok: false, message: 'stopped: the lab was closed' }) };
}
