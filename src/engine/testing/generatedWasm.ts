// Checks a committed, generated wasm binary (base64 in a .ts file): it is a wasm module, and,
// where wabt is installed, its generator script finds it current with the .wat source.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');

export function expectGeneratedWasmCurrent(base64: string, generatorScript: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  expect(Array.from(bytes.subarray(0, 4))).toEqual([0, 0x61, 0x73, 0x6d]);
  if (!existsSync(join(root, 'node_modules', 'wabt'))) return;
  const res = spawnSync(process.execPath, [join(root, 'scripts', generatorScript), '--check'], { encoding: 'utf8' });
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
}
