// @ts-check
// `npm test`: build, typecheck, unit/integration tests (vitest), browser e2e (Playwright), in
// that order, stopping at the first failure; then one closing line with the counts of both
// runners, so a log reader need not know either runner's format.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const reports = mkdtempSync(join(tmpdir(), 'seqlab-test-'));
/** @param {string} name */
const bin = (name) => join(root, 'node_modules', '.bin', name);

/**
 * Runs a step with inherited output and returns its exit code.
 * @param {string} title @param {string} command @param {string[]} args @param {Record<string, string>} [env]
 */
function step(title, command, args, env = {}) {
  console.log(`\n== ${title}`);
  const res = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return res.status ?? 1;
}

/** @param {string} path @returns {any} */
function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

const counts = { passed: 0, failed: 0, skipped: 0 };
/** @param {number} code @returns {never} */
function summarize(code) {
  const unit = readJson(join(reports, 'vitest.json'));
  if (unit) {
    counts.passed += unit.numPassedTests ?? 0;
    counts.failed += unit.numFailedTests ?? 0;
    counts.skipped += (unit.numPendingTests ?? 0) + (unit.numTodoTests ?? 0);
  }
  const e2e = readJson(join(reports, 'playwright.json'));
  if (e2e?.stats) {
    counts.passed += (e2e.stats.expected ?? 0) + (e2e.stats.flaky ?? 0);
    counts.failed += e2e.stats.unexpected ?? 0;
    counts.skipped += e2e.stats.skipped ?? 0;
  }
  rmSync(reports, { recursive: true, force: true });
  if (code !== 0 && counts.failed === 0) counts.failed = 1; // a build or typecheck failure
  console.log(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  process.exit(code);
}

const steps = [
  () => step('build', bin('electron-vite'), ['build']),
  () => step('typecheck', 'npm', ['run', '--silent', 'typecheck']),
  () =>
    step('unit and integration tests (vitest)', bin('vitest'), [
      'run', '--reporter=default', '--reporter=json', `--outputFile.json=${join(reports, 'vitest.json')}`,
    ]),
  () =>
    step('browser end-to-end tests (Playwright, Debian chromium)', bin('playwright'), ['test', '--reporter=list,json'], {
      PLAYWRIGHT_JSON_OUTPUT_NAME: join(reports, 'playwright.json'),
    }),
];
for (const run of steps) {
  const code = run();
  if (code !== 0) summarize(code);
}
summarize(0);
