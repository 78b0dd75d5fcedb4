// How the runner talks to one worker process, whatever kind it is. Headless (CLI, lab server,
// tests) workers are child_process.fork children; the Electron main process supplies its own
// spawner over utilityProcess.fork. Nothing here imports electron.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPackageRoot } from '../store/packageRoot';
import { relaxedSimdExecArgv } from './relaxedSimd';
import type { FromWorker, ToWorker } from '../../worker/workerProtocol';

export interface WorkerHandle {
  send(msg: ToWorker): void;
  onMessage(cb: (msg: FromWorker) => void): void;
  /** Called once when the process is gone; reason is human-readable ("killed by SIGKILL"). */
  onExit(cb: (code: number | null, reason: string) => void): void;
  kill(): void;
  pid?: number;
}

export type WorkerSpawner = () => WorkerHandle;

/** out/main/probeWorker.js: next to this bundle when built, under the package root from source. */
export function defaultWorkerPath(): string {
  const sibling = join(dirname(fileURLToPath(import.meta.url)), 'probeWorker.js');
  if (existsSync(sibling)) return sibling;
  return join(findPackageRoot(), 'out', 'main', 'probeWorker.js');
}

export interface ForkOptions {
  env?: NodeJS.ProcessEnv;
  execArgv?: string[];
}

/** How long after an error a worker may take to end by itself before it is killed... */
const EXIT_AFTER_ERROR_MS = 300;
/** ...and its 'close' to come before the error is reported alone. */
const CLOSE_AFTER_ERROR_MS = 2000;

export function forkSpawner(workerPath: string = defaultWorkerPath(), opts: ForkOptions = {}): WorkerSpawner {
  return () =>
    childHandle(
      fork(workerPath, [], {
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        env: opts.env ?? process.env,
        // Relaxed SIMD where this process has it (the CLI and `npm run bench` turn it on).
        execArgv: [...relaxedSimdExecArgv(), ...(opts.execArgv ?? [])],
      }),
    );
}

/** The handle over a forked worker process: its messages, and one report of how it ended. */
export function childHandle(child: ChildProcess): WorkerHandle {
  let exited = false;
  const exitListeners: ((code: number | null, reason: string) => void)[] = [];
  const finish = (code: number | null, reason: string): void => {
    if (exited) return;
    exited = true;
    for (const cb of exitListeners) cb(code, reason);
  };
  // 'close' (not 'exit'): it comes after the IPC channel is drained, so every message the
  // worker sent before dying (a 'started', a 'done') is handled before its death is.
  let failure: { message: string; killedForIt: boolean } | null = null;
  child.on('close', (code, signal) => {
    // Killed because of an error: the error is the reason. Otherwise the process's own end is,
    // even when an error came first: a message sent to a worker that is dying fails with EPIPE
    // before its exit code arrives, and "exited with code 3" is what the user needs to read.
    if (failure?.killedForIt && signal === 'SIGKILL') finish(code, `worker error: ${failure.message}`);
    else finish(code, signal ? `worker killed by ${signal}` : `worker exited with code ${code}`);
  });
  child.on('error', (err) => {
    // Spawn failures and IPC errors: the process is given a moment to end by itself (one that is
    // exiting broke the pipe), then killed; its end is reported once, when it has closed, or the
    // error alone if it never started and so never closes.
    if (failure) return;
    const error = { message: err.message, killedForIt: false };
    failure = error;
    setTimeout(() => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      error.killedForIt = true;
      child.kill('SIGKILL');
    }, EXIT_AFTER_ERROR_MS).unref();
    setTimeout(() => finish(null, `worker error: ${err.message}`), CLOSE_AFTER_ERROR_MS).unref();
  });
  return {
    pid: child.pid,
    send(msg) {
      if (!exited && child.connected) child.send(msg);
    },
    onMessage(cb) {
      child.on('message', (m) => cb(m as FromWorker));
    },
    onExit(cb) {
      exitListeners.push(cb);
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
