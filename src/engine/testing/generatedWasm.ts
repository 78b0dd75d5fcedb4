// Checks a committed, generated wasm binary (base64 in a .ts file): it is a wasm module, and,
// its generator script (wabt is a devDependency) finds it current with the .wat source, so a
// stale binary fails `npm test`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');

export function expectGeneratedWasmCurrent(base64: string, generatorScript: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  expect(Array.from(bytes.subarray(0, 4))).toEqual([0, 0x61, 0x73, 0x6d]);
  const res = spawnSync(process.execPath, [join(root, 'scripts', 'codegen', generatorScript), '--check'], { encoding: 'utf8' });
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
}
