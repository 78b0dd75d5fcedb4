import { existsSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

// The engine's probe-level tests (reference cases, the article's numbers, finite differences,
// exactness) run once per kernel path, forced by SEQLAB_KERNELS (src/engine/native/
// nativeKernels.ts): every product native, and WebAssembly only. Where the native module is not
// built (no C compiler at npm install), only the WebAssembly run is possible.
const ENGINE_PROBE_TESTS = ['src/engine/*.test.ts'];
const nativeBuilt = existsSync(new URL('./build/Release/seqlab_kernels.node', import.meta.url));
if (!nativeBuilt)
  console.warn('[vitest] build/Release/seqlab_kernels.node is not built: the engine tests run on the WebAssembly kernels only');
const kernelPaths = nativeBuilt ? ['native', 'wasm'] : ['wasm'];

export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Rebuilds out/ when stale, so tests that fork the built worker/CLI run fresh code.
    globalSetup: ['scripts/test/vitest-global-setup.ts'],
    passWithNoTests: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...ENGINE_PROBE_TESTS],
        },
      },
      ...kernelPaths.map((path) => ({
        extends: true as const,
        test: { name: `engine on ${path} kernels`, include: ENGINE_PROBE_TESTS, env: { SEQLAB_KERNELS: path } },
      })),
    ],
  },
});
