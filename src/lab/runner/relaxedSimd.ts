// The one place that knows about WebAssembly relaxed SIMD, which the engine's fused multiply-add
// kernels (src/engine/wasm/wasmKernels.ts, about 10% faster per probe) need. Node 20's V8 (11.3)
// has it only behind a flag; V8 11.4 and later (Node 22+, Electron 45) ship it on and may drop
// the flag, and an unknown flag is fatal to node, so the flag goes only to V8 11.0-11.3.
import { setFlagsFromString } from 'node:v8';

export const RELAXED_SIMD_FLAG = '--experimental-wasm-relaxed-simd';

/** A minimal module using f64x2.relaxed_madd: valid only where relaxed SIMD is enabled. */
const RELAXED_PROBE = '0061736d0100000001080160037b7b7b017b03020100070501016600000a0d010b00200020012002fd87020b';

/** Whether this runtime has relaxed SIMD only behind RELAXED_SIMD_FLAG. */
export function relaxedSimdNeedsFlag(): boolean {
  if (process.versions.electron) return false;
  const [major, minor] = process.versions.v8.split('.').map((n) => Number.parseInt(n, 10));
  return major === 11 && minor <= 3;
}

/** Whether this process can run relaxed-SIMD WebAssembly now. */
export function relaxedSimdEnabled(): boolean {
  const wasm = (globalThis as { WebAssembly?: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
  return wasm?.validate(Buffer.from(RELAXED_PROBE, 'hex')) ?? false;
}

/**
 * Turns relaxed SIMD on in this process where it needs the flag. Call before the first probe:
 * the kernels are compiled on first use.
 */
export function enableRelaxedSimd(): void {
  if (relaxedSimdNeedsFlag()) setFlagsFromString(RELAXED_SIMD_FLAG);
}

/**
 * node flags for a forked worker: relaxed SIMD exactly when this process has it, so a probe gives
 * bit-identical results in a worker and in process (the fused kernels round slightly differently).
 */
export function relaxedSimdExecArgv(): string[] {
  return relaxedSimdNeedsFlag() && relaxedSimdEnabled() ? [RELAXED_SIMD_FLAG] : [];
}
