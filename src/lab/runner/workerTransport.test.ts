// The fork transport's account of how a worker ended, with real child processes. The IPC error
// is emitted on the real child object: when a message meets a worker as it dies (EPIPE) is a
// race that a test cannot call up at will.
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../testing/labTestSupport';
import { childHandle } from './workerTransport';

function script(body: string): string {
  const path = join(tempDir(), 'worker.cjs');
  writeFileSync(path, body);
  return path;
}

const ended = (handle: ReturnType<typeof childHandle>): Promise<string> =>
  new Promise((resolve) => handle.onExit((_code, reason) => resolve(reason)));

describe('the fork transport', () => {
  it("reports a worker's own exit code when a message sent as it died failed first (EPIPE)", async () => {
    const child = fork(script("process.on('message', () => process.exit(3));\n"), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const handle = childHandle(child);
    const reason = ended(handle);
    await new Promise((r) => child.once('spawn', r));
    handle.send({ type: 'shutdown' });
    child.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(await reason).toBe('worker exited with code 3');
  });

  it('kills a worker that stays up after an IPC error, and reports the error', async () => {
    const child = fork(script('setInterval(() => {}, 1000);\n'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const handle = childHandle(child);
    const reason = ended(handle);
    await new Promise((r) => child.once('spawn', r));
    child.emit('error', new Error('channel broken'));
    expect(await reason).toBe('worker error: channel broken');
    expect(child.signalCode).toBe('SIGKILL');
  });
});
