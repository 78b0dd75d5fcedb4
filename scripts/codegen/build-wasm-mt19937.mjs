// @ts-check
// Compiles src/engine/rng/mt19937.wat into src/engine/rng/mt19937Binary.ts (the bytes as a base64
// literal), so that nobody needs wabt to build or run the app. Run after editing the WAT:
//
//   node scripts/codegen/build-wasm-mt19937.mjs
//
// With --check it only verifies that mt19937Binary.ts is up to date (exit code 1 if not).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadWabt, writeOrCheck } from './wabt.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const dir = join(root, 'src', 'engine', 'rng');
const watPath = join(dir, 'mt19937.wat');
const outPath = join(dir, 'mt19937Binary.ts');

const wabt = await loadWabt('build-wasm-mt19937');
const mod = wabt.parseWat('mt19937.wat', readFileSync(watPath, 'utf8'), { simd: true });
/** @type {Uint8Array<ArrayBuffer>} */
let bytes;
try {
  mod.resolveNames();
  mod.validate();
  bytes = mod.toBinary({ write_debug_names: false, canonicalize_lebs: true }).buffer;
} finally {
  mod.destroy();
}
// Instantiating proves the binary runs on this Node (i32x4 SIMD) before it is committed.
new WebAssembly.Instance(new WebAssembly.Module(bytes), {});

const base64 = Buffer.from(bytes).toString('base64');
const lines = [];
for (let i = 0; i < base64.length; i += 100) lines.push(`  '${base64.slice(i, i + 100)}'`);
const ts = `// GENERATED FILE, do not edit: compiled from mt19937.wat by scripts/codegen/build-wasm-mt19937.mjs
// (node scripts/codegen/build-wasm-mt19937.mjs). ${bytes.length} bytes.

/** The WebAssembly binary of mt19937.wat (i32x4 SIMD), base64-encoded. */
export const MT19937_WASM_BASE64 =
${lines.join(' +\n')};
`;

writeOrCheck('build-wasm-mt19937', outPath, ts, `${bytes.length} bytes of wasm`);
