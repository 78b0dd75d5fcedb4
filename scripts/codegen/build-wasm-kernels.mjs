// @ts-check
// Compiles src/engine/wasm/kernels.wat into src/engine/wasm/kernelsBinary.ts (the bytes as
// base64 literals), so that nobody needs wabt to build or run the app. Run after editing the WAT:
//
//   node scripts/codegen/build-wasm-kernels.mjs
//
// Two binaries come from the one source: the plain SIMD module, compiled from kernels.wat as it
// is, and a relaxed-SIMD variant in which every line of code ending in the comment `;; @madd` has its
// `(f64x2.add X (f64x2.mul Y Z))` rewritten to the fused `(f64x2.relaxed_madd Y Z X)` (Y * Z + X,
// the same terms in the same order, one rounding instead of two where the hardware has FMA).
// Nothing else differs. wasmKernels.ts loads the relaxed one when WebAssembly.validate accepts it
// (Electron 45 / V8 >= 11.4; Node 20 only with --experimental-wasm-relaxed-simd).
//
// With --check it only verifies that kernelsBinary.ts is up to date (exit code 1 if not).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadWabt, writeOrCheck } from './wabt.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const dir = join(root, 'src', 'engine', 'wasm');
const watPath = join(dir, 'kernels.wat');
const outPath = join(dir, 'kernelsBinary.ts');

const MADD_MARKER = ';; @madd';

/**
 * Reads one balanced s-expression of `text` starting at `i` (after any spaces); returns it and
 * the index just past it.
 * @param {string} text @param {number} i @returns {[string, number]}
 */
function sexpr(text, i) {
  while (text[i] === ' ') i++;
  if (text[i] !== '(') throw new Error(`expected '(' at column ${i} of: ${text}`);
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    if (text[j] === '(') depth++;
    else if (text[j] === ')' && --depth === 0) return [text.slice(i, j + 1), j + 1];
  }
  throw new Error(`unbalanced parentheses in: ${text}`);
}

/**
 * The relaxed-SIMD source: on each line of code ending in the comment `;; @madd`, the one
 * `(f64x2.add X (f64x2.mul Y Z))` becomes `(f64x2.relaxed_madd Y Z X)`.
 * @param {string} source @returns {{ text: string, count: number }}
 */
function fuseMarked(source) {
  let count = 0;
  const out = source.split('\n').map((line, n) => {
    // A marked line: code, then the marker as its trailing comment (comment lines are left alone).
    if (!line.trimEnd().endsWith(MADD_MARKER) || line.trimStart().startsWith(';;')) return line;
    const head = '(f64x2.add ';
    const at = line.indexOf(head);
    if (at < 0 || line.indexOf(head, at + 1) >= 0)
      throw new Error(`kernels.wat:${n + 1}: a ${MADD_MARKER} line needs exactly one ${head.trim()}`);
    const [x, i1] = sexpr(line, at + head.length);
    const [prod, i2] = sexpr(line, i1);
    let end = i2;
    while (line[end] === ' ') end++;
    if (line[end] !== ')' || !prod.startsWith('(f64x2.mul '))
      throw new Error(`kernels.wat:${n + 1}: expected (f64x2.add X (f64x2.mul Y Z))`);
    const [y, j1] = sexpr(prod, '(f64x2.mul '.length);
    const [z, j2] = sexpr(prod, j1);
    if (prod.slice(j2).trim() !== ')') throw new Error(`kernels.wat:${n + 1}: f64x2.mul needs two operands`);
    count++;
    return `${line.slice(0, at)}(f64x2.relaxed_madd ${y} ${z} ${x})${line.slice(end + 1)}`;
  });
  return { text: out.join('\n'), count };
}

/**
 * @param {string} text @param {Record<string, boolean>} features @returns {Uint8Array<ArrayBuffer>}
 */
function compile(text, features) {
  const mod = wabt.parseWat('kernels.wat', text, features);
  try {
    mod.resolveNames();
    mod.validate();
    return mod.toBinary({ write_debug_names: false, canonicalize_lebs: true }).buffer;
  } finally {
    mod.destroy();
  }
}

const wabt = await loadWabt('build-wasm-kernels');
const wat = readFileSync(watPath, 'utf8');
const bytes = compile(wat, { simd: true });
const fused = fuseMarked(wat);
if (fused.count === 0) throw new Error(`kernels.wat has no ${MADD_MARKER} lines`);
const relaxedBytes = compile(fused.text, { simd: true, relaxed_simd: true });

// Instantiating proves the binaries run on this Node (f64x2 SIMD) before they are committed; the
// relaxed one only where this Node has relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd).
for (const b of WebAssembly.validate(relaxedBytes) ? [bytes, relaxedBytes] : [bytes]) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  new WebAssembly.Instance(new WebAssembly.Module(b), { env: { memory } });
}

/** @param {Uint8Array} b */
function base64Lines(b) {
  const base64 = Buffer.from(b).toString('base64');
  const lines = [];
  for (let i = 0; i < base64.length; i += 100) lines.push(`  '${base64.slice(i, i + 100)}'`);
  return lines.join(' +\n');
}
const ts = `// GENERATED FILE, do not edit: compiled from kernels.wat by scripts/codegen/build-wasm-kernels.mjs
// (node scripts/codegen/build-wasm-kernels.mjs). ${bytes.length} + ${relaxedBytes.length} bytes.

/** The WebAssembly binary of kernels.wat (fixed-width SIMD), base64-encoded. */
export const KERNELS_WASM_BASE64 =
${base64Lines(bytes)};

/**
 * The relaxed-SIMD variant: the same module with the ${fused.count} multiply-adds marked \`${MADD_MARKER}\` in
 * kernels.wat fused into f64x2.relaxed_madd; base64-encoded.
 */
export const KERNELS_RELAXED_WASM_BASE64 =
${base64Lines(relaxedBytes)};
`;

writeOrCheck(
  'build-wasm-kernels',
  outPath,
  ts,
  `${bytes.length} bytes of wasm, ${relaxedBytes.length} relaxed with ${fused.count} fused multiply-adds`,
);
