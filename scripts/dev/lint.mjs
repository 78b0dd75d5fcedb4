// @ts-check
// `npm run lint`: three checks, all run, exit code 1 if any failed. `npm test` runs the same
// three (imported from here) and counts each as one check in its totals.
//   eslint      rules and the Architecture arrows (eslint.config.js); no warnings allowed
//   prettier    formatting (.prettierrc.json, .prettierignore); `npx prettier --write FILE` fixes
//   ../shared   no file of the project reads ../shared (a clone has no such folder)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';

const root = resolve(import.meta.dirname, '..', '..');

/**
 * @typedef {{ ok: boolean, detail: string }} CheckResult
 * @typedef {{ name: string, title: string, run: () => Promise<CheckResult> }} Check
 */

/** @returns {Promise<CheckResult>} */
async function eslintCheck() {
  const eslint = new ESLint({ cwd: root });
  const results = await eslint.lintFiles(['.']);
  const formatter = await eslint.loadFormatter('stylish');
  process.stdout.write(await formatter.format(results));
  const problems = results.reduce((n, r) => n + r.errorCount + r.warningCount, 0);
  const files = results.filter((r) => r.errorCount + r.warningCount > 0).length;
  if (problems === 0) return { ok: true, detail: `${results.length} files clean` };
  return { ok: false, detail: `${problems} problem${problems === 1 ? '' : 's'} in ${files} of ${results.length} files` };
}

/** @returns {Promise<CheckResult>} */
async function prettierCheck() {
  const res = spawnSync(join(root, 'node_modules', '.bin', 'prettier'), ['--list-different', '.'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (res.status !== 0 && res.status !== 1) {
    process.stderr.write(res.stderr);
    return { ok: false, detail: `prettier could not run (exit ${res.status ?? res.signal})` };
  }
  const files = res.stdout.split('\n').filter(Boolean);
  if (files.length === 0) return { ok: true, detail: 'every file formatted' };
  console.log(`Not formatted as Prettier would (npx prettier --write FILE):\n${files.map((f) => `  ${f}`).join('\n')}`);
  return { ok: false, detail: `${files.length} file${files.length === 1 ? '' : 's'} not formatted` };
}

// A relative path into ../shared, as one string or as path segments (the two names quoted apart).
const SHARED_READ = new RegExp(String.raw`\.\.[\\/]shared\b|['"]\.\.['"]\s*,\s*['"]shared['"]`);

/** @returns {Promise<CheckResult>} */
async function noSharedCheck() {
  const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (listed.status !== 0) return { ok: false, detail: `git ls-files failed: ${listed.stderr.trim()}` };
  // Prose may mention where a reference came from, and this file names what it looks for.
  const self = 'scripts/dev/lint.mjs';
  const files = listed.stdout.split('\0').filter((f) => f && f !== self && !f.endsWith('.md') && !f.startsWith('docs/'));
  /** @type {string[]} */
  const hits = [];
  for (const file of files) {
    let text;
    try {
      text = readFileSync(join(root, file), 'utf8');
    } catch {
      continue; // listed but deleted in the work tree
    }
    if (text.includes('\0')) continue; // binary
    text.split('\n').forEach((line, i) => {
      if (SHARED_READ.test(line)) hits.push(`  ${file}:${i + 1}: ${line.trim()}`);
    });
  }
  if (hits.length === 0) return { ok: true, detail: `${files.length} files, none reads ../shared` };
  console.log(`Reads ../shared, which a clone does not have:\n${hits.join('\n')}`);
  return { ok: false, detail: `${hits.length} line${hits.length === 1 ? '' : 's'} read ../shared` };
}

/** @type {Check[]} */
export const lintChecks = [
  { name: 'eslint', title: 'ESLint (rules and the layer arrows)', run: eslintCheck },
  { name: 'prettier', title: 'Prettier (formatting)', run: prettierCheck },
  { name: 'no ../shared', title: 'nothing reads ../shared', run: noSharedCheck },
];

/**
 * Runs one check; a check that throws (a broken config, a missing tool) has failed.
 * @param {Check} check @returns {Promise<CheckResult>}
 */
export async function runCheck(check) {
  try {
    return await check.run();
  } catch (err) {
    console.error(err);
    return { ok: false, detail: `could not run: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let failed = 0;
  for (const check of lintChecks) {
    console.log(`\n== ${check.title}`);
    const { ok, detail } = await runCheck(check);
    console.log(`${ok ? 'passed' : 'FAILED'}: ${detail}`);
    if (!ok) failed++;
  }
  process.exit(failed === 0 ? 0 : 1);
}
