// A connectivity table in a worker: the engine's loss table at the asked loss steps, with
// progress (the O(T^2) pass can take minutes at T = 4096).
import { runProbe } from '../engine/index';
import type { FromWorker, LossTableTask } from './workerProtocol';

const PROGRESS_EVERY_MS = 200;

export function runLossTable(task: LossTableTask, send: (msg: FromWorker) => void): void {
  const t0 = performance.now();
  let lastReport = 0;
  try {
    const r = runProbe(task.config, {
      lossTable: true,
      lossTableSteps: task.lossSteps,
      onLossTableRow: (done, total) => {
        const now = performance.now();
        if (now - lastReport < PROGRESS_EVERY_MS && done < total) return;
        lastReport = now;
        send({ type: 'lossTableProgress', requestId: task.requestId, done, total });
      },
    });
    const rows = (r.lossTable ?? []).map((s) => ({ dh: s.dh, dWx: s.dWx, dWh: s.dWh, db: s.db, dc: s.dc ?? null }));
    send({ type: 'lossTableDone', requestId: task.requestId, table: { rows, seconds: (performance.now() - t0) / 1000 } });
  } catch (err) {
    send({ type: 'lossTableError', requestId: task.requestId, message: err instanceof Error ? err.message : String(err) });
  }
}
