// Vitest global setup: run `electron-vite build` when the built worker/CLI are
// missing or older than any source file, so forked processes run current code.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const outputs = ['out/main/probeWorker.js', 'out/main/cli.js'].map((p) => join(root, p));
const inputs = ['src', 'electron.vite.config.ts', 'package.json'].map((p) => join(root, p));

function newestMtime(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function oldestOutput(): number {
  let oldest = Infinity;
  for (const p of outputs) oldest = Math.min(oldest, statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0);
  return oldest;
}

export default function setup(): void {
  // For iterating on pure-engine tests while other parts of src/ are mid-edit.
  if (process.env.SEQLAB_SKIP_BUILD === '1') return;
  const sourceTime = Math.max(...inputs.map(newestMtime));
  if (oldestOutput() >= sourceTime) return;
  console.log('[vitest] out/ is stale or missing; running electron-vite build');
  const res = spawnSync(join(root, 'node_modules/.bin/electron-vite'), ['build'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (res.status !== 0) throw new Error(`electron-vite build failed (exit ${res.status ?? res.signal})`);
}
