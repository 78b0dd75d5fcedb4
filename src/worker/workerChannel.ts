// One worker file, two kinds of process: an Electron utility process talks through
// process.parentPort, a child_process.fork child through process.send / 'message'.
import type { FromWorker, ToWorker } from './workerProtocol';

export interface ParentChannel {
  send(msg: FromWorker): void;
  onMessage(cb: (msg: ToWorker) => void): void;
}

interface ParentPortLike {
  postMessage(msg: unknown): void;
  on(event: 'message', cb: (e: { data: unknown }) => void): void;
}

export function parentChannel(): ParentChannel {
  const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
  if (parentPort) {
    return {
      send: (msg) => parentPort.postMessage(msg),
      onMessage: (cb) => parentPort.on('message', (e) => cb(e.data as ToWorker)),
    };
  }
  if (typeof process.send === 'function') {
    // The parent is gone (killed, crashed): nothing to report to, so stop.
    process.on('disconnect', () => process.exit(0));
    return {
      send: (msg) => {
        if (process.connected) process.send!(msg);
      },
      onMessage: (cb) => process.on('message', (m) => cb(m as ToWorker)),
    };
  }
  throw new Error('probeWorker must run as a forked child (process.send) or an Electron utility process (process.parentPort)');
}
