// Rebuilds the shipped build (out/) or the test build (out-test/) when it is missing or older
// than any source file, so the processes tests fork run current code. The two differ only in the
// test hooks (src/lab/testing/appBuilds.ts); the vitest and Playwright global setups keep both.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { shippedBuild, testBuild, TEST_HOOKS_ENV, type AppBuild } from '../../src/lab/testing/appBuilds';

const root = resolve(import.meta.dirname, '..', '..');
const inputs = ['src', 'electron.vite.config.ts', 'package.json'].map((p) => join(root, p));

function newestMtime(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function oldestOutput(build: AppBuild): number {
  let oldest = Infinity;
  for (const p of [build.cli, build.worker, build.main, build.rendererHtml]) {
    oldest = Math.min(oldest, statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0);
  }
  return oldest;
}

/**
 * Two test runs started together (a developer's watch mode beside `npm test`) would otherwise
 * build into the same folder at once; the second waits, then finds the build fresh.
 */
function withBuildLock(run: () => void): void {
  const lock = join(root, 'node_modules', '.cache', 'seqlab-build.lock');
  mkdirSync(join(lock, '..'), { recursive: true });
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (const deadline = Date.now() + 5 * 60_000; ;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A build takes seconds; a lock older than two minutes lost its process.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 2 * 60_000 || Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(pause, 0, 0, 200);
    }
  }
  try {
    run();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function buildIfStale(kind: 'shipped' | 'test'): void {
  withBuildLock(() => buildUnlocked(kind));
}

function buildUnlocked(kind: 'shipped' | 'test'): void {
  const build = kind === 'test' ? testBuild(root) : shippedBuild(root);
  if (oldestOutput(build) >= Math.max(...inputs.map(newestMtime))) return;
  console.log(`[tests] ${build.dir} is stale or missing; running electron-vite build${kind === 'test' ? ' (test build)' : ''}`);
  const res = spawnSync(join(root, 'node_modules/.bin/electron-vite'), ['build'], {
    cwd: root,
    stdio: 'inherit',
    // Only the test build sees the variable, whatever the caller's environment holds.
    env: { ...process.env, [TEST_HOOKS_ENV]: kind === 'test' ? '1' : '' },
  });
  if (res.status !== 0) throw new Error(`electron-vite build (${kind}) failed (exit ${res.status ?? res.signal})`);
}

/** Both builds, for the test runners. */
export function buildBothIfStale(): void {
  buildIfStale('shipped');
  buildIfStale('test');
}
