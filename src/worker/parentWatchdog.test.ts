// A worker whose parent is killed mid-probe stops at once (it does not finish the probe first):
// the real built worker, a real parent process, kill -9.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, it } from 'vitest';
import { WORKER, tempDir, waitUntil } from '../lab/testing/labTestSupport';

/** Running, and not a zombie waiting for a reaper that may not reap (a container's pid 1). */
function isRunning(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    return readFileSync(stat, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

it('a worker stops within moments of its parent being killed, abandoning a long probe', async () => {
  // About 20 s of work on this machine's WebAssembly kernels (several seconds on native ones).
  const config = { arch: 'lstm', T: 1000, N: 64, D: 16, H: 256, seed: 1 };
  const parentScript = join(tempDir(), 'parent.mjs');
  writeFileSync(
    parentScript,
    `import { fork } from 'node:child_process';
const worker = fork(${JSON.stringify(WORKER)}, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
worker.on('message', (m) => {
  if (m.type === 'ready') worker.send({ type: 'run', tasks: [{ probeId: 1, config: ${JSON.stringify(config)} }] });
  if (m.type === 'started') console.log('started ' + worker.pid);
  if (m.type === 'done') console.log('done');
});
`,
  );
  const parent = spawn(process.execPath, [parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: parent.stdout });
  const workerPid = await new Promise<number>((resolve, reject) => {
    lines.on('line', (line) => {
      const m = /^started (\d+)$/.exec(line);
      if (m) resolve(Number(m[1]));
    });
    parent.on('exit', () => reject(new Error('the parent exited before its worker started the probe')));
  });
  expect(isRunning(workerPid)).toBe(true);
  parent.kill('SIGKILL');
  // Without the watchdog the worker would run the probe to its end (seconds), then exit.
  await waitUntil(() => !isRunning(workerPid), 2_000, 'the orphaned worker to stop');
  expect(isRunning(workerPid)).toBe(false);
});
