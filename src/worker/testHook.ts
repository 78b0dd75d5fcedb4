// Test hook: makes chosen probes fail for real, so tests can exercise retries and crashes.
// Compiled only into the test build (out-test/, see src/lab/testing/appBuilds.ts): probeWorker.ts
// calls it under __SEQLAB_TEST_HOOKS__, which the shipped build defines false, so neither the
// call nor this module is in out/main/probeWorker.js.
// Active only when SEQLAB_TEST_FAIL_FILE names a JSON file:
//   { "match": { "T": 32, "arch": "lstm" }, "mode": "throw" | "exit" | "hang", "once": true }
// match: every given ProbeConfig field must be equal. throw: the probe throws (reported as an
// error); exit: the worker process exits with code 3 mid-probe; hang: the worker never finishes
// (tests kill it; it exits if its parent dies). once: fire only for the first matching probe (across worker processes): the
// first worker to create "<file>.fired" (it writes its pid there) fires, later ones run normally.
// The file is read at every probe, so a test can delete it to heal the probe.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { ProbeConfig } from '../engine/index';

interface HookSpec {
  match: Partial<Record<keyof ProbeConfig, unknown>>;
  mode: 'throw' | 'exit' | 'hang';
  once?: boolean;
}

function readHook(): HookSpec | null {
  const file = process.env.SEQLAB_TEST_FAIL_FILE;
  if (!file) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as HookSpec;
  } catch {
    return null;
  }
}

export function applyTestHook(config: ProbeConfig): void {
  const hook = readHook();
  if (!hook) return;
  const matches = Object.entries(hook.match).every(([k, v]) => config[k as keyof ProbeConfig] === v);
  if (!matches) return;
  if (hook.once) {
    try {
      const fd = openSync(`${process.env.SEQLAB_TEST_FAIL_FILE}.fired`, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
    } catch {
      return; // already fired
    }
  }
  if (hook.mode === 'throw') throw new Error(`test hook: probe ${config.arch} T=${config.T} made to fail`);
  if (hook.mode === 'exit') process.exit(3);
  if (hook.mode === 'hang') {
    // Blocks the event loop like a runaway probe; still exits once orphaned (parent killed).
    const sab = new Int32Array(new SharedArrayBuffer(4));
    const parent = process.ppid;
    while (process.ppid === parent) Atomics.wait(sab, 0, 0, 100);
    process.exit(0);
  }
}
