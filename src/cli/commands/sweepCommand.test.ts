import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, countRows, dumpLab, integrityCheck, tempDir, TEST_HOOKS_CLI, waitUntil } from '../../lab/testing/labTestSupport';

const SPEC = {
  name: 'cli sweep',
  archs: ['rnn', 'lstm'],
  T: [16, 48],
  forgetBias: [-1, 0, 2],
  seeds: { count: 2 },
  N: 3,
  D: 2,
  H: 5,
};
const TOTAL = 2 * (2 + 3 * 2);

function writeSpec(dir: string, spec: object = SPEC, name = 'spec.json'): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(spec));
  return path;
}

/** The shipped CLI; with a fail hook, the test build's, whose workers read it (SEQLAB_TEST_FAIL_FILE). */
function cli(args: string[], failHook?: string) {
  const program = failHook ? TEST_HOOKS_CLI : CLI;
  const env = failHook ? { ...process.env, SEQLAB_TEST_FAIL_FILE: failHook } : process.env;
  const r = spawnSync(process.execPath, [program, ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A reference lab: the same spec run start to finish without interruption. */
function uninterrupted(spec: object = SPEC): string {
  const dir = tempDir();
  const db = join(dir, 'ref.sqlite');
  const r = cli(['sweep', writeSpec(dir, spec), '--db', db, '--workers', '2']);
  expect(r.code, r.stderr).toBe(0);
  return db;
}

const firedPid = (hook: string): number => Number(readFileSync(`${hook}.fired`, 'utf8') || '0');

// A failed test must not leave a runner (or its hung worker) behind.
const children: ChildProcess[] = [];
const hooks: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const h of hooks.splice(0)) {
    try {
      if (existsSync(`${h}.fired`)) process.kill(firedPid(h), 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

describe('seqlab sweep (the headless runner)', () => {
  it('survives kill -9 mid-sweep (a second runner meanwhile refused): rerunning the same command gives the database of an uninterrupted run', async () => {
    const ref = uninterrupted();
    const dir = tempDir();
    const db = join(dir, 'lab.sqlite');
    const spec = writeSpec(dir);
    const hook = join(dir, 'hook.json');
    // One probe hangs (once), so the kill lands while a probe is running and others are done.
    writeFileSync(hook, JSON.stringify({ match: { arch: 'lstm', T: 48, forgetBias: 0, seed: 1 }, mode: 'hang', once: true }));
    const child = spawn(process.execPath, [TEST_HOOKS_CLI, 'sweep', spec, '--db', db, '--workers', '2'], {
      env: { ...process.env, SEQLAB_TEST_FAIL_FILE: hook },
      stdio: 'ignore',
    });
    children.push(child);
    hooks.push(hook);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await waitUntil(() => existsSync(`${hook}.fired`) && firedPid(hook) > 0, 30_000, 'the hook to fire');
    await waitUntil(
      () => countRows(db, `SELECT count(*) AS n FROM probes WHERE status = 'done'`) >= TOTAL / 2,
      30_000,
      'half the probes',
    );
    expect(countRows(db, `SELECT count(*) AS n FROM probes WHERE status = 'running'`)).toBeGreaterThan(0);
    // A second runner on the file is refused (it would take the running probes for a crash's
    // leftovers); reading it is not.
    const second = cli(['sweep', spec, '--db', db, '--workers', '1']);
    expect(second.code).not.toBe(0);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(new RegExp(`in use by SeqLab process ${child.pid} `));
    expect(cli(['status', '--db', db]).code).toBe(0);
    child.kill('SIGKILL');
    await exited;
    // The orphaned worker notices and exits.
    await waitUntil(
      () => {
        try {
          process.kill(firedPid(hook), 0);
          return false;
        } catch {
          return true;
        }
      },
      5000,
      'the orphan to exit',
    );

    const again = cli(['sweep', spec, '--db', db, '--workers', '2'], hook);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming sweep 1/);
    expect(integrityCheck(db)).toBe('ok');
    expect(dumpLab(db)).toEqual(dumpLab(ref));
    expect(countRows(db, 'SELECT count(*) AS n FROM probe_results')).toBe(TOTAL);
  });

  it('survives kill -9 at an arbitrary moment (no test hook): the rerun equals an uninterrupted run', async () => {
    const spec = { ...SPEC, name: 'arbitrary kill', T: [32, 64], forgetBias: [-2, 0, 1, 2, 4], seeds: { count: 3 }, H: 8 };
    const ref = uninterrupted(spec);
    const dir = tempDir();
    const db = join(dir, 'lab.sqlite');
    const specPath = writeSpec(dir, spec);
    const child = spawn(process.execPath, [CLI, 'sweep', specPath, '--db', db, '--workers', '2'], { stdio: 'ignore' });
    children.push(child);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const done = `SELECT count(*) AS n FROM probes WHERE status = 'done'`;
    await waitUntil(
      () =>
        existsSync(db) &&
        countRows(db, `SELECT count(*) AS n FROM sqlite_master WHERE name = 'probes'`) === 1 &&
        countRows(db, done) >= 1,
      30_000,
      'a first probe',
    );
    child.kill('SIGKILL');
    await exited;
    const again = cli(['sweep', specPath, '--db', db, '--workers', '2']);
    expect(again.code, again.stderr).toBe(0);
    expect(integrityCheck(db)).toBe('ok');
    expect(dumpLab(db)).toEqual(dumpLab(ref));
  });

  it('stops cleanly on Ctrl-C (SIGINT): exit 130, running probes requeued, then resumes to the same result', async () => {
    const dir = tempDir();
    const db = join(dir, 'lab.sqlite');
    const spec = writeSpec(dir);
    const hook = join(dir, 'hook.json');
    writeFileSync(hook, JSON.stringify({ match: { arch: 'rnn', T: 48, seed: 2 }, mode: 'hang', once: true }));
    const child = spawn(process.execPath, [TEST_HOOKS_CLI, 'sweep', spec, '--db', db, '--workers', '1'], {
      env: { ...process.env, SEQLAB_TEST_FAIL_FILE: hook },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    hooks.push(hook);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await waitUntil(() => existsSync(`${hook}.fired`) && firedPid(hook) > 0, 30_000, 'the hook to fire');
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/interrupted; running probes were requeued/);
    expect(countRows(db, `SELECT count(*) AS n FROM probes WHERE status = 'running'`)).toBe(0);
    expect(countRows(db, `SELECT count(*) AS n FROM probes WHERE status = 'queued'`)).toBeGreaterThan(0);
    // The interrupted probe is not charged an attempt.
    expect(countRows(db, `SELECT max(attempts) AS n FROM probes`)).toBeLessThanOrEqual(1);
    expect(integrityCheck(db)).toBe('ok');
    const again = cli(['sweep', spec, '--db', db]);
    expect(again.code, again.stderr).toBe(0);
    expect(dumpLab(db)).toEqual(dumpLab(uninterrupted()));
  });

  it('exits 1 when probes fail, and --retry-failed reruns them on the next run', () => {
    const dir = tempDir();
    const db = join(dir, 'lab.sqlite');
    const spec = writeSpec(dir);
    const hook = join(dir, 'hook.json');
    writeFileSync(hook, JSON.stringify({ match: { arch: 'lstm', T: 16, forgetBias: 2, seed: 2 }, mode: 'throw' }));
    const first = cli(['sweep', spec, '--db', db, '--workers', '2'], hook);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/seqlab: sweep 1: 1 probe\(s\) failed/);
    expect(cli(['sweep', spec, '--db', db]).code).toBe(1); // resuming does not retry by itself
    const retried = cli(['sweep', spec, '--db', db, '--retry-failed']);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stderr).toMatch(/retrying 1 failed probe/);
    expect(dumpLab(db)).toEqual(dumpLab(uninterrupted()));
  });

  it('exits non-zero with one clear line on bad flags, bad files and invalid specs', () => {
    const dir = tempDir();
    const spec = writeSpec(dir);
    const db = join(dir, 'lab.sqlite');
    const notes = join(dir, 'notes.sqlite');
    writeFileSync(notes, 'not a database');
    const cases: [string[], RegExp][] = [
      [['sweep', spec, '--db', db, '--workers', '0'], /--workers must be an integer in \[1, 256\], got "0"/],
      [['sweep', spec, '--db', db, '--shard', '4/3'], /--shard must be i\/n with 1 <= i <= n/],
      [['sweep', join(dir, 'missing.json'), '--db', db], /cannot read .*missing\.json: ENOENT/],
      [
        ['sweep', writeSpec(dir, { name: 'x', T: [0], archs: ['transformer'] }, 'bad.json'), '--db', db],
        /bad\.json: (?=.*T\.0: T must be an integer in \[1, 1000000\]; got 0)(?=.*archs\.0: archs may contain only)/,
      ],
      [['sweep', spec, '--db', notes], /notes\.sqlite is not a SQLite database/],
      [['status', '--db', join(dir, 'nope.sqlite')], /--db .*nope\.sqlite: no such file/],
      [['export', '--db', notes, '--out', join(dir, 'x.csv')], /not a SQLite database/],
    ];
    for (const [args, message] of cases) {
      const r = cli(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n')[0]).toMatch(message);
      expect(
        r.stderr
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('seqlab:')),
      ).toHaveLength(1);
    }
    expect(readFileSync(notes, 'utf8')).toBe('not a database');
    expect(existsSync(db)).toBe(false);
  });

  it('reports status (--json) and exports a chosen sweep by name', () => {
    const dir = tempDir();
    const db = join(dir, 'lab.sqlite');
    expect(cli(['sweep', writeSpec(dir), '--db', db]).code).toBe(0);
    const other = { ...SPEC, name: 'other', T: [8], archs: ['rnn'] };
    expect(cli(['sweep', writeSpec(dir, other, 'other.json'), '--db', db]).code).toBe(0);
    const status = cli(['status', '--db', db, '--json']);
    const sweeps = JSON.parse(status.stdout) as { id: number; name: string; status: string; probes: { done: number } }[];
    expect(sweeps.map((s) => [s.name, s.status, s.probes.done])).toEqual([
      ['cli sweep', 'done', TOTAL],
      ['other', 'done', 2],
    ]);
    expect(cli(['status', '--db', db]).stdout).toMatch(/cli sweep\s+done\s+16\/16/);
    const out = join(dir, 'other.csv');
    const r = cli(['export', '--db', db, '--out', out, '--sweep', 'other']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(1 + 2 * 8);
    const all = join(dir, 'all.csv');
    expect(cli(['export', '--db', db, '--out', all]).code).toBe(0);
    expect(readFileSync(all, 'utf8').trimEnd().split('\n')).toHaveLength(1 + 2 * 8 + ((8 * (16 + 48)) / 2) * 2);
    expect(cli(['export', '--db', db, '--out', out, '--sweep', 'nope']).stderr).toMatch(
      /--sweep nope: no sweep with that name or id/,
    );
    // Running the finished spec again does not duplicate anything.
    expect(cli(['sweep', join(dir, 'spec.json'), '--db', db]).code).toBe(0);
    expect(countRows(db, 'SELECT count(*) AS n FROM sweeps')).toBe(2);
  });
});
