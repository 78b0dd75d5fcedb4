// Every dependency whose install script the project needs is approved in package.json's
// allowScripts (npm 12 skips unapproved ones: better-sqlite3 would be left unbuilt). Asks the
// installed npm itself, so a new dependency with an install script fails here until it is
// approved or denied. An npm without the `install-scripts` command (npm 10 has none) skips,
// saying so.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const args = ['install-scripts', 'ls', '--json'];
// Under `npm test` the npm that runs the tests is asked, through node (npm_execpath is its CLI
// script); run alone, the `npm` on PATH, through a shell on Windows, where npm is a .cmd that
// Node no longer spawns without one.
const execPath = process.env.npm_execpath;
const listing = execPath?.endsWith('.js')
  ? spawnSync(process.execPath, [execPath, ...args], { cwd: root, encoding: 'utf8' })
  : spawnSync('npm', args, { cwd: root, encoding: 'utf8', shell: process.platform === 'win32' });
const unsupported = listing.status !== 0 && /unknown command/i.test(listing.stdout + listing.stderr);
if (unsupported) console.warn('[installScripts.test] skipped: this npm has no `install-scripts` command');

describe.skipIf(unsupported)("package.json's allowScripts", () => {
  it('covers every dependency with an install script', () => {
    expect(listing.error).toBeUndefined();
    expect(listing.status).toBe(0);
    // The packages whose install scripts are still pending review, each with its versions.
    const pending = (JSON.parse(listing.stdout) as { allowScripts: { name: string }[] }).allowScripts;
    expect(pending.map((p) => p.name)).toEqual([]);
  });
});
