// @ts-check
// Compiles src/engine/wasm/kernels.wat into src/engine/wasm/kernelsBinary.ts (the bytes as a
// base64 literal), so that nobody needs wabt to build or run the app. Run after editing the WAT:
//
//   npm install --no-save wabt && node scripts/build-wasm-kernels.mjs
//
// With --check it only verifies that kernelsBinary.ts is up to date (exit code 1 if not).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dir = join(root, 'src', 'engine', 'wasm');
const watPath = join(dir, 'kernels.wat');
const outPath = join(dir, 'kernelsBinary.ts');

// A variable module name keeps the type checker from resolving wabt, which is not a dependency.
const wabtName = 'wabt';
/** @type {any} */
let wabtFactory;
try {
  wabtFactory = (await import(wabtName)).default;
} catch {
  console.error('build-wasm-kernels: wabt is not installed; run `npm install --no-save wabt` first');
  process.exit(1);
}

const wabt = await wabtFactory();
const wat = readFileSync(watPath, 'utf8');
const mod = wabt.parseWat('kernels.wat', wat, { simd: true });
let bytes;
try {
  mod.resolveNames();
  mod.validate();
  bytes = mod.toBinary({ write_debug_names: false, canonicalize_lebs: true }).buffer;
} finally {
  mod.destroy();
}

// Instantiating proves the binary runs on this Node (f64x2 SIMD) before it is committed.
const memory = new WebAssembly.Memory({ initial: 1 });
new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });

const base64 = Buffer.from(bytes).toString('base64');
const lines = [];
for (let i = 0; i < base64.length; i += 100) lines.push(`  '${base64.slice(i, i + 100)}'`);
const ts = `// GENERATED FILE, do not edit: compiled from kernels.wat by scripts/build-wasm-kernels.mjs
// (npm install --no-save wabt && node scripts/build-wasm-kernels.mjs). ${bytes.length} bytes.

/** The WebAssembly binary of kernels.wat, base64-encoded. */
export const KERNELS_WASM_BASE64 =
${lines.join(' +\n')};
`;

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(outPath, 'utf8');
  } catch {}
  if (current !== ts) {
    console.error('build-wasm-kernels: src/engine/wasm/kernelsBinary.ts is stale; rerun without --check');
    process.exit(1);
  }
  console.log('build-wasm-kernels: kernelsBinary.ts is up to date');
} else {
  writeFileSync(outPath, ts);
  console.log(`build-wasm-kernels: wrote ${outPath} (${bytes.length} bytes of wasm)`);
}
