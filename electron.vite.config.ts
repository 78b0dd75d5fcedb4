import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const r = (p: string): string => resolve(import.meta.dirname, p);

export default defineConfig({
  main: {
    build: {
      // The cli and worker entries also run in plain Node 20 (not only inside Electron).
      target: 'node20',
      rolldownOptions: {
        input: {
          index: r('src/main/index.ts'),
          probeWorker: r('src/worker/probeWorker.ts'),
          cli: r('src/cli/seqlab.ts'),
        },
        // package.json is "type": "module", so .js outputs are ESM.
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
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
    build: {
      target: 'es2022',
      outDir: r('out/renderer'),
      rolldownOptions: { input: r('src/renderer/index.html') },
    },
  },
});
