import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, countRows, dumpLab, integrityCheck, tempDir, TEST_HOOKS_CLI, waitUntil } from '../testing/labTestSupport';

const SPEC = { name: 'runner deaths', archs: ['rnn'], T: [8, 16, 24], seeds: { count: 2 }, N: 2, D: 2, H: 3 };
/** The probe the test hook makes hang (runs 1-3) and then crash its worker once (run 4). */
const VICTIM = { arch: 'rnn', T: 16, seed: 1 };
const VICTIM_ROW = `SELECT %s FROM probes WHERE arch = 'rnn' AND T = 16 AND seed = 1`;

const children: ChildProcess[] = [];
const hungWorkers: number[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const pid of hungWorkers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Kept counters against a full count of every sweep's probes (they must agree after any crash). */
function countersMatchScan(db: string): void {
  const lab = new Database(db, { readonly: true });
  try {
    const kept = lab
      .prepare('SELECT sweep_id, queued, running, done, failed, cancelled FROM sweep_counts ORDER BY sweep_id')
      .all();
    const scanned = lab
      .prepare(
        `SELECT s.id AS sweep_id,
           (SELECT count(*) FROM probes p WHERE p.sweep_id = s.id AND p.status = 'queued') AS queued,
           (SELECT count(*) FROM probes p WHERE p.sweep_id = s.id AND p.status = 'running') AS running,
           (SELECT count(*) FROM probes p WHERE p.sweep_id = s.id AND p.status = 'done') AS done,
           (SELECT count(*) FROM probes p WHERE p.sweep_id = s.id AND p.status = 'failed') AS failed,
           (SELECT count(*) FROM probes p WHERE p.sweep_id = s.id AND p.status = 'cancelled') AS cancelled
         FROM sweeps s ORDER BY s.id`,
      )
      .all();
    expect(kept).toEqual(scanned);
  } finally {
    lab.close();
  }
}

/** `seqlab sweep` of the test build, its workers reading `hook` (SEQLAB_TEST_FAIL_FILE). */
function runner(args: string[], hook: string): ChildProcess {
  const child = spawn(process.execPath, [TEST_HOOKS_CLI, ...args], {
    env: { ...process.env, SEQLAB_TEST_FAIL_FILE: hook },
    stdio: 'ignore',
  });
  children.push(child);
  return child;
}

describe('runner deaths cost a probe no attempt', () => {
  it('after 3 kill -9 of the runner mid-probe, one worker death on that probe is retried and the sweep finishes done', async () => {
    const dir = tempDir();
    const db = join(dir, 'lab.sqlite');
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify(SPEC));
    const args = ['sweep', spec, '--db', db, '--workers', '1'];

    for (let kill = 1; kill <= 3; kill++) {
      // A hook file per run, so that each run's hang fires once (its ".fired" is fresh).
      const hook = join(dir, `hang-${kill}.json`);
      writeFileSync(hook, JSON.stringify({ match: VICTIM, mode: 'hang', once: true }));
      const child = runner(args, hook);
      const exited = new Promise((r) => child.on('exit', r));
      const fired = `${hook}.fired`;
      await waitUntil(
        () => existsSync(fired) && readFileSync(fired, 'utf8').length > 0,
        30_000,
        `run ${kill}: the victim to hang`,
      );
      const worker = Number(readFileSync(fired, 'utf8'));
      hungWorkers.push(worker);
      // The runner has been told the victim started: it is running, its attempt (if any) counted.
      await waitUntil(
        () =>
          countRows(db, VICTIM_ROW.replace('%s', `count(*) AS n`) + ` AND status = 'running' AND started_at IS NOT NULL`) === 1,
        10_000,
        `run ${kill}: the victim marked started`,
      );
      child.kill('SIGKILL');
      await exited;
      await waitUntil(() => !alive(worker), 5000, `run ${kill}: the orphaned worker to exit`);
      // Left as the dead runner left it: the victim still 'running', never charged.
      expect(countRows(db, VICTIM_ROW.replace('%s', 'attempts AS n'))).toBe(0);
      expect(integrityCheck(db)).toBe('ok');
      countersMatchScan(db);
    }

    // Run 4: the victim's worker crashes once (its own failure, one attempt); the retry succeeds.
    const crash = join(dir, 'crash.json');
    writeFileSync(crash, JSON.stringify({ match: VICTIM, mode: 'exit', once: true }));
    const last = spawnSync(process.execPath, [TEST_HOOKS_CLI, ...args], {
      encoding: 'utf8',
      env: { ...process.env, SEQLAB_TEST_FAIL_FILE: crash },
      timeout: 60_000,
    });
    expect(existsSync(`${crash}.fired`)).toBe(true);
    expect(last.status, last.stderr).toBe(0);
    expect(last.stderr).toMatch(/resuming sweep 1/);
    expect(last.stderr).toMatch(/sweep 1 "runner deaths": done, 6\/6 probes done/);
    // One failure of its own plus the run that succeeded; the 3 runner deaths cost nothing.
    expect(countRows(db, VICTIM_ROW.replace('%s', 'attempts AS n'))).toBe(2);
    expect(
      countRows(db, `SELECT count(*) AS n FROM probes WHERE status = 'done' AND attempts = 1 AND NOT (T = 16 AND seed = 1)`),
    ).toBe(5);
    countersMatchScan(db);

    // And the lab is the one an uninterrupted run gives.
    const ref = join(dir, 'ref.sqlite');
    expect(spawnSync(process.execPath, [CLI, 'sweep', spec, '--db', ref, '--workers', '1'], { timeout: 60_000 }).status).toBe(0);
    expect(dumpLab(db)).toEqual(dumpLab(ref));
  });
});
