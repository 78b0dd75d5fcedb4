// Node 20's V8 (11.3) has WebAssembly relaxed SIMD only behind a flag; the engine's fused
// multiply-add kernels (about 10% faster per probe) need it. Newer V8s (Electron 45, Node 22+)
// have it on, and there the flag is left alone. Call before the first probe: the kernels are
// compiled on first use. Forked workers inherit it (see runner/workerTransport.ts).
import { setFlagsFromString } from 'node:v8';

export function enableRelaxedSimd(): void {
  const [major, minor] = process.versions.v8.split('.').map(Number);
  if (major === 11 && minor <= 3) setFlagsFromString('--experimental-wasm-relaxed-simd');
}
