// Where the two builds of the app are. The shipped build (`electron-vite build`) goes to out/
// with every test hook compiled out. The test build (`SEQLAB_TEST_HOOKS=1 electron-vite build`,
// see electron.vite.config.ts) goes to out-test/ and differs from it only in the code guarded by
// __SEQLAB_TEST_HOOKS__: the worker's failure hook (src/worker/testHook.ts) and the renderer's
// chart descriptions (window.__seqlabCharts, src/renderer/src/components/LineChart.svelte).
// Tests run the test build only where they need one of those; the vitest and Playwright global
// setups (scripts/test/builds.ts) rebuild either one when it is older than the source.
import { join } from 'node:path';

/** Set to 1 in electron-vite's environment to make the test build. */
export const TEST_HOOKS_ENV = 'SEQLAB_TEST_HOOKS';

export interface AppBuild {
  /** The build's folder: out/ or out-test/. */
  dir: string;
  cli: string;
  worker: string;
  /** The Electron main process. */
  main: string;
  rendererHtml: string;
}

function appBuild(root: string, folder: string): AppBuild {
  const dir = join(root, folder);
  return {
    dir,
    cli: join(dir, 'main', 'cli.js'),
    worker: join(dir, 'main', 'probeWorker.js'),
    main: join(dir, 'main', 'index.js'),
    rendererHtml: join(dir, 'renderer', 'index.html'),
  };
}

export const SHIPPED_BUILD_FOLDER = 'out';
export const TEST_BUILD_FOLDER = 'out-test';

export const shippedBuild = (root: string): AppBuild => appBuild(root, SHIPPED_BUILD_FOLDER);
export const testBuild = (root: string): AppBuild => appBuild(root, TEST_BUILD_FOLDER);
