// @ts-check
// `npm test`: build, typecheck, lint, unit/integration tests (vitest), browser e2e (Playwright),
// then one closing line `N passed, N failed, N skipped` over all of them, so a log reader need
// not know any runner's format.
//
// What is counted:
//   - build, typecheck and each lint check (ESLint, Prettier, no read of the sibling shared/): one
//     check each, passed or failed;
//   - vitest and Playwright: their tests; a test file that fails to load, or fails outside any
//     test (a hook, a suite body), is one failed test more, as is a runner that exits non-zero
//     with nothing failed in its report (an unhandled error, a global setup that threw);
//   - a step that cannot run because one it needs failed (the test runners need the build)
//     is one failed check, so the line never looks green when something did not run.
// Every other step still runs after a failure, so the counts are complete; the exit code is
// non-zero when anything failed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { lintChecks, runCheck } from '../dev/lint.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const reports = mkdtempSync(join(tmpdir(), 'seqlab-test-'));
/** @param {string} name */
const bin = (name) => join(root, 'node_modules', '.bin', name);

/**
 * @typedef {{ passed: number, failed: number, skipped: number }} Counts
 * @typedef {{ counts: Counts, detail: string }} Outcome
 * @typedef {{ name: string, title: string, needs?: string[], run: () => Promise<Outcome> | Outcome }} Step
 */

/** @param {boolean} ok @param {string} detail @returns {Outcome} */
const oneCheck = (ok, detail) => ({ counts: { passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 }, detail });

/**
 * Runs a command with inherited output and returns its exit code.
 * @param {string} command @param {string[]} args @param {Record<string, string>} [env]
 */
function exec(command, args, env = {}) {
  const res = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return res.status ?? 1;
}

/** @param {string} command @param {string[]} args @returns {Outcome} */
function commandCheck(command, args) {
  const code = exec(command, args);
  return oneCheck(code === 0, code === 0 ? 'ok' : `exit ${code}`);
}

/** @param {string} path @returns {any} */
function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * A runner's exit code against its report: exiting non-zero with nothing failed in the report
 * is a failure the report does not show.
 * @param {Counts} counts @param {number} code @param {string[]} notes
 */
function reconcile(counts, code, notes) {
  if (code !== 0 && counts.failed === 0) {
    counts.failed += 1;
    notes.push(`exited ${code} with no failed test in its report (see its output above)`);
  }
}

/** @param {Counts} c */
const countsText = (c) => `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;

/** @returns {Outcome} */
function vitest() {
  const reportPath = join(reports, 'vitest.json');
  const code = exec(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportPath}`]);
  const report = readJson(reportPath);
  /** @type {string[]} */
  const notes = [];
  /** @type {Counts} */
  const counts = { passed: 0, failed: 0, skipped: 0 };
  if (!report) {
    notes.push('wrote no report');
  } else {
    counts.passed = report.numPassedTests ?? 0;
    counts.failed = report.numFailedTests ?? 0;
    counts.skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    // A file that failed with no failing test in it: it did not load, or a hook or suite body
    // threw. Its tests never ran, so it counts as one failed test.
    for (const file of report.testResults ?? []) {
      const failedTests = (file.assertionResults ?? []).filter((/** @type {any} */ t) => t.status === 'failed').length;
      if (file.status === 'failed' && failedTests === 0) {
        counts.failed += 1;
        notes.push(`${relative(root, file.name)} failed outside its tests: ${firstLine(file.message)}`);
      }
    }
  }
  reconcile(counts, code, notes);
  return { counts, detail: [countsText(counts), ...notes].join('\n      ') };
}

/** @returns {Outcome} */
function playwright() {
  const reportPath = join(reports, 'playwright.json');
  const code = exec(bin('playwright'), ['test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: reportPath });
  const report = readJson(reportPath);
  /** @type {string[]} */
  const notes = [];
  /** @type {Counts} */
  const counts = { passed: 0, failed: 0, skipped: 0 };
  if (!report?.stats) {
    notes.push('wrote no report');
  } else {
    counts.passed = (report.stats.expected ?? 0) + (report.stats.flaky ?? 0);
    counts.failed = report.stats.unexpected ?? 0;
    counts.skipped = report.stats.skipped ?? 0;
    // Errors outside any test: a spec file that fails to load, a global setup that throws.
    for (const error of report.errors ?? []) {
      counts.failed += 1;
      const where = error.location ? `${relative(root, error.location.file)}: ` : '';
      notes.push(`outside a test: ${where}${firstLine(error.message)}`);
    }
  }
  reconcile(counts, code, notes);
  return { counts, detail: [countsText(counts), ...notes].join('\n      ') };
}

/** @param {unknown} message */
function firstLine(message) {
  // eslint-disable-next-line no-control-regex -- strips the runners' ANSI colours
  const text = String(message ?? '').replace(/\u001b\[[0-9;]*m/g, '');
  return (
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? '(no message)'
  );
}

/** @type {Step[]} */
const steps = [
  { name: 'build', title: 'build', run: () => commandCheck(bin('electron-vite'), ['build']) },
  { name: 'typecheck', title: 'typecheck', run: () => commandCheck('npm', ['run', '--silent', 'typecheck']) },
  ...lintChecks.map((check) => ({
    name: check.name,
    title: `lint: ${check.title}`,
    run: async () => {
      const { ok, detail } = await runCheck(check);
      return oneCheck(ok, detail);
    },
  })),
  // Tests fork the built worker and CLI, so after a failed build they would test stale code.
  { name: 'vitest', title: 'unit and integration tests (vitest)', needs: ['build'], run: vitest },
  { name: 'playwright', title: 'browser end-to-end tests (Playwright, Debian chromium)', needs: ['build'], run: playwright },
];

/** @type {Map<string, Outcome>} */
const outcomes = new Map();
for (const step of steps) {
  const unmet = (step.needs ?? []).filter((need) => (outcomes.get(need)?.counts.failed ?? 1) > 0);
  if (unmet.length > 0) {
    console.log(`\n== ${step.title}: not run (${unmet.join(', ')} failed)`);
    outcomes.set(step.name, oneCheck(false, `not run: ${unmet.join(', ')} failed`));
    continue;
  }
  console.log(`\n== ${step.title}`);
  outcomes.set(step.name, await step.run());
}
rmSync(reports, { recursive: true, force: true });

/** @type {Counts} */
const total = { passed: 0, failed: 0, skipped: 0 };
console.log('\n== summary');
for (const [name, { counts, detail }] of outcomes) {
  console.log(`  ${counts.failed > 0 ? 'FAILED' : 'passed'}  ${name.padEnd(13)} ${detail}`);
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
}
console.log(`\n${countsText(total)}`);
process.exit(total.failed === 0 ? 0 : 1);
