// The shipped build (out/) holds no test hook and the test build (out-test/) holds them: the
// constant electron.vite.config.ts defines reaches both bundles that have hooks, the worker and
// the renderer. (The global setup has just built both.)
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shippedBuild, testBuild, type AppBuild } from '../../src/lab/testing/appBuilds';

const root = resolve(import.meta.dirname, '..', '..');

function rendererScripts(build: AppBuild): string {
  const assets = join(dirname(build.rendererHtml), 'assets');
  const scripts = readdirSync(assets).filter((f) => f.endsWith('.js'));
  expect(scripts.length).toBeGreaterThan(0);
  return scripts.map((f) => readFileSync(join(assets, f), 'utf8')).join('\n');
}

describe('the test hooks', () => {
  it("are not in the shipped worker or renderer, and are in the test build's", () => {
    const shipped = shippedBuild(root);
    const test = testBuild(root);
    expect(readFileSync(shipped.worker, 'utf8')).not.toContain('SEQLAB_TEST_FAIL_FILE');
    expect(readFileSync(test.worker, 'utf8')).toContain('SEQLAB_TEST_FAIL_FILE');
    expect(rendererScripts(shipped)).not.toContain('__seqlabCharts');
    expect(rendererScripts(test)).toContain('__seqlabCharts');
  });
});
