// The adapters' door to the relaxed-SIMD switch (they may import only the lab's top level); the
// rule itself, and the flag forked workers get, are in ./runner/relaxedSimd.ts.
export { enableRelaxedSimd } from './runner/relaxedSimd';
