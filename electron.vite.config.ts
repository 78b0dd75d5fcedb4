import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { SHIPPED_BUILD_FOLDER, TEST_BUILD_FOLDER, TEST_HOOKS_ENV } from './src/lab/testing/appBuilds';

const r = (p: string): string => resolve(import.meta.dirname, p);

// Test hooks are compiled in only for the test build (SEQLAB_TEST_HOOKS=1), which goes to its own
// folder (out-test/): every other build defines __SEQLAB_TEST_HOOKS__ false, so the bundler drops
// the code it guards, and out/ never holds a hook. See src/lab/testing/appBuilds.ts.
const testHooks = process.env[TEST_HOOKS_ENV] === '1';
const outRoot = testHooks ? TEST_BUILD_FOLDER : SHIPPED_BUILD_FOLDER;
const buildConstants = { __SEQLAB_TEST_HOOKS__: JSON.stringify(testHooks) };

export default defineConfig({
  main: {
    define: buildConstants,
    build: {
      outDir: r(`${outRoot}/main`),
      // The cli and worker entries also run in plain Node 20 (not only inside Electron).
      target: 'node20',
      rolldownOptions: {
        input: {
          index: r('src/main/index.ts'),
          probeWorker: r('src/worker/probeWorker.ts'),
          cli: r('src/cli/seqlab.ts'),
        },
        // package.json is "type": "module", so .js outputs are ESM. Shared chunks sit beside the
        // entries, so code in them finds its build's siblings (probeWorker.js, ../renderer).
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: r(`${outRoot}/preload`),
      rolldownOptions: {
        input: { index: r('src/preload/index.ts') },
        // Sandboxed preloads cannot be ESM; .cjs keeps Node from treating it as a module.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    // Relative asset URLs: works from file:// in Electron and under an HTTP token prefix.
    base: './',
    root: r('src/renderer'),
    plugins: [svelte({ configFile: r('svelte.config.js') })],
    define: buildConstants,
    build: {
      target: 'es2022',
      outDir: r(`${outRoot}/renderer`),
      rolldownOptions: { input: r('src/renderer/index.html') },
    },
  },
});
