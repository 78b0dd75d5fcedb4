// How the runner talks to one worker process, whatever kind it is. Headless (CLI, lab server,
// tests) workers are child_process.fork children; the Electron main process supplies its own
// spawner over utilityProcess.fork. Nothing here imports electron.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPackageRoot } from '../packageRoot';
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

const RELAXED_SIMD_FLAG = '--experimental-wasm-relaxed-simd';
/** A minimal module using f64x2.relaxed_madd: valid only where relaxed SIMD is enabled. */
const RELAXED_PROBE = '0061736d0100000001080160037b7b7b017b03020100070501016600000a0d010b00200020012002fd87020b';

/**
 * V8 flags for forked workers. Relaxed SIMD lets the engine load its fused multiply-add kernels
 * (src/engine/wasm/wasmKernels.ts), whose rounding differs slightly from the plain ones, so a
 * worker gets it exactly when this process has it: a probe then gives bit-identical results in a
 * worker and in process. Node 20 (V8 11.3) has relaxed SIMD only behind the flag (run node with
 * it, as `npm run bench` does, to give the workers the fast kernels too); V8 11.4 and later ship
 * it by default and may drop the flag (unknown flags are fatal to node), so it goes only to V8
 * 11.0-11.3.
 */
function relaxedSimdExecArgv(): string[] {
  const [major, minor] = process.versions.v8.split('.').map((n) => Number.parseInt(n, 10));
  if (process.versions.electron || major !== 11 || minor >= 4) return [];
  const wasm = (globalThis as { WebAssembly?: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
  return wasm?.validate(Buffer.from(RELAXED_PROBE, 'hex')) ? [RELAXED_SIMD_FLAG] : [];
}

export function forkSpawner(workerPath: string = defaultWorkerPath(), opts: ForkOptions = {}): WorkerSpawner {
  return () => {
    const child = fork(workerPath, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: opts.env ?? process.env,
      execArgv: [...relaxedSimdExecArgv(), ...(opts.execArgv ?? [])],
    });
    let exited = false;
    const exitListeners: ((code: number | null, reason: string) => void)[] = [];
    const finish = (code: number | null, reason: string): void => {
      if (exited) return;
      exited = true;
      for (const cb of exitListeners) cb(code, reason);
    };
    // 'close' (not 'exit'): it comes after the IPC channel is drained, so every message the
    // worker sent before dying (a 'started', a 'done') is handled before its death is.
    child.on('close', (code, signal) => finish(code, signal ? `worker killed by ${signal}` : `worker exited with code ${code}`));
    child.on('error', (err) => {
      // Spawn failures and IPC errors: make sure the process is gone, then report once.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      finish(null, `worker error: ${err.message}`);
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
  };
}
