// `seqlab slurm submit|status|cancel` against a real single-node Slurm started for these tests
// (src/cluster/testing/realSlurm.ts; skipped, with the reason, where Slurm cannot run). The CLI
// under test is the test build, so a probe can be made to fail or hang for real in the shard
// jobs (SEQLAB_TEST_FAIL_FILE passes to them with the submitter's environment, as sbatch does).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, TEST_HOOKS_CLI, countRows, integrityCheck, tempDir } from '../../lab/testing/labTestSupport';
import { sbatchDirectives, startRealSlurm, type RealSlurm } from '../../cluster/testing/realSlurm';

let slurm: RealSlurm | null = null;
const t0 = Date.now();
beforeAll(async () => {
  const started = await startRealSlurm();
  if ('skip' in started) {
    console.log(`[slurmCommand] Slurm tests skipped: ${started.skip}`);
  } else slurm = started;
}, 60_000);
afterAll(async () => {
  await slurm?.stop();
  if (slurm) console.log(`[slurmCommand] Slurm tests took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}, 60_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The CLI that submits (its paths go into the job scripts), in Slurm's environment. */
function seqlab(args: string[], env: NodeJS.ProcessEnv = {}, cli = TEST_HOOKS_CLI) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...(slurm?.env ?? process.env), ...env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface StatusJson {
  shards: {
    shard: number;
    job: string | null;
    state: string;
    live: boolean;
    done: boolean;
    failed: boolean;
    probes: { done: number; total: number | null };
  }[];
  merge: { job: string; state: string; reason?: string; live: boolean } | null;
  complete: boolean;
  probes: { done: number; total: number };
  accounting: boolean | null;
}

function statusJson(db: string): StatusJson {
  const r = seqlab(['slurm', 'status', '--db', db, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StatusJson;
}

async function pollUntil<T>(what: string, read: () => T, cond: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (cond(v)) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await sleep(500);
  }
}

const csvOf = (lab: string): string => {
  const out = `${lab}.csv`;
  const r = spawnSync(process.execPath, [CLI, 'export', '--db', lab, '--out', out], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(out, 'utf8');
};

function unsharded(specPath: string): string {
  const db = join(tempDir(), 'whole.sqlite');
  const r = spawnSync(process.execPath, [CLI, 'sweep', specPath, '--db', db, '--workers', '1'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return db;
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('seqlab slurm (a real single-node Slurm)', () => {
  it('status and cancel on a running submission; Ctrl-C stops --wait, not the jobs', async (ctx) => {
    if (!slurm) return ctx.skip();
    const dir = tempDir();
    const spec = join(dir, 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({
        name: 'running',
        archs: ['rnn', 'lstm'],
        T: [16, 40],
        forgetBias: [0, 2],
        seeds: [1, 2],
        N: 2,
        D: 2,
        H: 4,
      }),
    );
    // One probe hangs: its shard stays RUNNING until cancelled.
    const hook = join(dir, 'hook.json');
    writeFileSync(hook, JSON.stringify({ match: { arch: 'lstm', T: 40, forgetBias: 2, seed: 2 }, mode: 'hang' }));
    const db = join(dir, 'lab.sqlite');

    const waiting = spawn(process.execPath, [TEST_HOOKS_CLI, 'slurm', 'submit', spec, '--db', db, '--shards', '2', '--wait'], {
      env: { ...slurm.env, SEQLAB_TEST_FAIL_FILE: hook },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(waiting);
    let stdout = '';
    let stderr = '';
    waiting.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    waiting.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => waiting.on('exit', (code) => r(code)));

    const running = (await pollUntil(
      'one shard done and the other running',
      () => (existsSync(join(`${db}.slurm`, 'submission.json')) ? statusJson(db) : null),
      (s) => s !== null && s.shards.some((x) => x.done) && s.shards.some((x) => x.state === 'RUNNING'),
    ))!;
    expect(stdout).toMatch(/^submitted shards 1-2 as job array (\d+), and the merge as job (\d+)/);
    // --wait redraws its line on its own clock: the shard may be RUNNING before the line says so.
    await pollUntil(
      'the progress line to show the running shard',
      () => stderr,
      (e) => /\d+\/12 probes {2}shards: .*running/.test(e),
    );
    const hung = running.shards.find((s) => s.state === 'RUNNING')!;
    expect(running.merge).toMatchObject({ state: 'PENDING', reason: 'Dependency', live: true });
    expect(running.complete).toBe(false);

    waiting.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/stopped waiting; the jobs go on in Slurm\. .*seqlab slurm cancel --db /);
    const text = seqlab(['slurm', 'status', '--db', db]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^sweep "running" in 2 shards: \d+\/12 probes done\n/);
    expect(text.stdout).toMatch(
      new RegExp(`^${hung.shard}\\s+${hung.job}\\s+RUNNING\\s+\\d+/6\\s+\\S*logs/shard-${hung.shard}\\.out$`, 'm'),
    );
    expect(text.stdout).toMatch(/^merge\s+\d+\s+PENDING \(Dependency\)/m);
    expect(text.stdout).toMatch(/lab\.sqlite: not merged yet/);

    // A second submission while the first runs is refused, naming what runs.
    const again = seqlab(['slurm', 'submit', spec, '--db', db, '--shards', '2']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      new RegExp(`still in Slurm: shard ${hung.shard} \\(job ${hung.job}, RUNNING\\) and the merge .*slurm cancel`),
    );

    const cancelled = seqlab(['slurm', 'cancel', '--db', db]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toMatch(
      new RegExp(`^cancelled job array ${hung.job!.split('_')[0]} \\(shard ${hung.shard}\\) and merge job ${running.merge!.job}`),
    );
    const after = await pollUntil(
      'the jobs to end',
      () => statusJson(db),
      (s) => !s.shards.some((x) => x.live) && !s.merge?.live,
      30_000,
    );
    expect(after.shards.find((s) => s.shard === hung.shard)!.state).toBe('CANCELLED');
    expect(after.merge!.state).toBe('CANCELLED');
    expect(integrityCheck(join(`${db}.slurm`, `part-${hung.shard}.sqlite`))).toBe('ok');
    expect(seqlab(['slurm', 'cancel', '--db', db]).stdout).toMatch(/^nothing to cancel/);
    expect(existsSync(db)).toBe(false);
  }, 120_000);

  it('submits --shards 4 --wait; a failing shard is named with its log, resubmitting reruns only it, and the merged lab exports what the unsharded sweep exports', async (ctx) => {
    if (!slurm) return ctx.skip();
    const dir = tempDir();
    const spec = join(dir, 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({
        name: 'slurm sweep',
        archs: ['rnn', 'lstm'],
        T: [16, 48],
        forgetBias: [-1, 0, 2],
        seeds: { count: 2 },
        N: 3,
        D: 2,
        H: 5,
      }),
    );
    const hook = join(dir, 'hook.json');
    writeFileSync(hook, JSON.stringify({ match: { arch: 'lstm', T: 48, forgetBias: 0, seed: 2 }, mode: 'throw' }));
    const db = join(dir, 'lab.sqlite');
    const folder = `${db}.slurm`;

    const first = seqlab(['slurm', 'submit', spec, '--db', db, '--shards', '4', '--wait'], { SEQLAB_TEST_FAIL_FILE: hook });
    expect(first.code, first.stderr).toBe(1);
    const named = /seqlab: shard (\d) failed \(FAILED, NonZeroExitCode\): see ([^\s;]+)/.exec(first.stderr);
    expect(named, first.stderr).not.toBeNull();
    const failed = Number(named![1]);
    expect(named![2]).toBe(join(folder, 'logs', `shard-${failed}.out`));
    expect(first.stderr).toMatch(
      /the merge job \d+ did not run \(CANCELLED, DependencyNeverSatisfied\); fix the cause and submit again/,
    );
    expect(readFileSync(named![2], 'utf8')).toMatch(/probe\(s\) failed/);
    // The failed shard is the one holding the failed probe; the others finished.
    for (let i = 1; i <= 4; i++) {
      const part = join(folder, `part-${i}.sqlite`);
      expect(existsSync(part), `${part}: ${first.stderr}`).toBe(true);
      expect(countRows(part, `SELECT count(*) AS n FROM probes WHERE status = 'failed'`)).toBe(i === failed ? 1 : 0);
    }
    expect(existsSync(db)).toBe(false);

    // The job scripts run this installation by absolute paths, shard i/4 into part-i, merge after the array.
    const shardSh = readFileSync(join(folder, 'shard.sh'), 'utf8');
    const mergeSh = readFileSync(join(folder, 'merge.sh'), 'utf8');
    const arrayJob = /as job array (\d+)/.exec(first.stdout)![1];
    expect(sbatchDirectives(shardSh)).toContain('--array=1-4');
    expect(sbatchDirectives(mergeSh)).toEqual(
      expect.arrayContaining([`--dependency=afterok:${arrayJob}`, '--kill-on-invalid-dep=yes']),
    );
    expect(shardSh).toContain(
      `exec ${process.execPath} ${TEST_HOOKS_CLI} sweep "\${folder}/spec.json" --db "\${folder}/part-\${shard}.sqlite" --shard "\${shard}/4" --workers "\${SLURM_CPUS_PER_TASK}"`,
    );

    // Healed, the same command reruns only the failed shard.
    rmSync(hook);
    const partMtimes = () => [1, 2, 3, 4].map((i) => statSync(join(folder, `part-${i}.sqlite`)).mtimeMs);
    const before = partMtimes();
    const second = seqlab(['slurm', 'submit', spec, '--db', db, '--shards', '4', '--wait']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`^submitted shard ${failed} of 4 as job array \\d+`));
    expect(sbatchDirectives(readFileSync(join(folder, 'shard.sh'), 'utf8'))).toContain(`--array=${failed}`);
    expect(second.stderr).toMatch(/holds sweep "slurm sweep", merged: 16\/16 probes done/);
    partMtimes().forEach((t, k) => (k + 1 === failed ? expect(t).toBeGreaterThan(before[k]) : expect(t).toBe(before[k])));
    const log = readFileSync(join(folder, 'logs', `shard-${failed}.out`), 'utf8');
    expect(log.match(/^seqlab: shard \d\/4, job /gm)).toHaveLength(2); // appended: both attempts
    expect(integrityCheck(db)).toBe('ok');
    expect(csvOf(db)).toBe(csvOf(unsharded(spec)));

    // Done: submitting again does nothing.
    const third = seqlab(['slurm', 'submit', spec, '--db', db, '--shards', '4']);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toMatch(/^nothing to submit: .* already holds sweep "slurm sweep" merged \(16\/16 probes done\)/);

    // Once Slurm has forgotten the jobs (here: a controller restarted with its state cleared),
    // with accounting off, status judges them by the part files.
    await slurm.restart();
    const forgotten = statusJson(db);
    expect(forgotten.accounting).toBe(false);
    expect(forgotten.shards.map((s) => s.state)).toEqual(['DONE', 'DONE', 'DONE', 'DONE']);
    expect(forgotten.complete).toBe(true);
    expect(seqlab(['slurm', 'status', '--db', db]).stdout).toMatch(/Slurm accounting is off/);
  }, 150_000);

  it('names a failed merge and its log; resubmitting with every shard done submits only the merge', async (ctx) => {
    if (!slurm) return ctx.skip();
    const dir = tempDir();
    const spec = join(dir, 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({ name: 'merge fails', archs: ['rnn'], T: [8, 16], forgetBias: [0], seeds: [1, 2], N: 1, D: 1, H: 2 }),
    );
    const db = join(dir, 'lab.sqlite');
    // The lab is held by a runner on another machine: the merge is refused.
    writeFileSync(`${db}.lock`, JSON.stringify({ pid: 4242, host: 'node-9', since: 'earlier', command: 'seqlab serve' }));
    const first = seqlab(['slurm', 'submit', spec, '--db', db, '--shards', '2', '--wait']);
    expect(first.code).toBe(1);
    const log = join(`${db}.slurm`, 'logs', 'merge.out');
    expect(first.stderr).toMatch(
      new RegExp(
        `seqlab: the merge job \\d+ did not merge the sweep \\(FAILED, NonZeroExitCode\\): see ${log}; .*the finished shards are merged`,
      ),
    );
    expect(readFileSync(log, 'utf8')).toMatch(/in use by SeqLab process 4242 \(seqlab serve\) on node-9/);
    rmSync(`${db}.lock`);
    const second = seqlab(['slurm', 'submit', spec, '--db', db, '--shards', '2', '--wait']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^every shard is done: submitted the merge as job \d+/);
    expect(second.stderr).toMatch(/merged: 4\/4 probes done/);
    expect(countRows(db, `SELECT count(*) AS n FROM probes WHERE status = 'done'`)).toBe(4);
  }, 90_000);

  it('refuses bad input before submitting anything: an invalid spec as `sweep` does, bad flags naming them, a folder of another spec', () => {
    // Nothing here reaches Slurm: it runs whether or not Slurm could be started.
    const dir = tempDir();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'x', T: [0], archs: ['transformer'] }));
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify({ name: 'ok', archs: ['rnn'], T: [8], forgetBias: [0], seeds: [1], N: 1, D: 1, H: 2 }));
    const db = join(dir, 'lab.sqlite');
    const cases: [string[], RegExp][] = [
      [
        ['slurm', 'submit', bad, '--db', db, '--shards', '2'],
        /bad\.json: (?=.*T\.0: T must be an integer in \[1, 1000000\]; got 0)(?=.*archs\.0: archs may contain only)/,
      ],
      [['slurm', 'submit', spec, '--db', db, '--shards', '0'], /--shards must be an integer in \[1, 100000\], got "0"/],
      [
        ['slurm', 'submit', spec, '--db', db, '--shards', '2', '--cpus-per-task', '1.5'],
        /--cpus-per-task must be an integer in \[1, 256\], got "1\.5"/,
      ],
      [['slurm', 'submit', spec, '--db', db, '--shards', '2', '--time', 'a\nb'], /--time must be a non-empty value on one line/],
      [
        ['slurm', 'submit', spec, '--db', join(dir, 'nope', 'lab.sqlite'), '--shards', '2'],
        /--db .*nope\/lab\.sqlite: the folder does not exist/,
      ],
      [['slurm', 'status', '--db', db], /--db .*lab\.sqlite: nothing was submitted to Slurm for it/],
      [['slurm', 'cancel', '--db', db], /--db .*lab\.sqlite: nothing was submitted to Slurm for it/],
    ];
    for (const [args, message] of cases) {
      const r = seqlab(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n')[0]).toMatch(message);
    }
    expect(existsSync(`${db}.slurm`)).toBe(false);

    // The folder holds a submission of another sweep: refused before anything is written.
    const other = join(dir, 'other.sqlite');
    mkdirSync(`${other}.slurm`);
    writeFileSync(join(`${other}.slurm`, 'spec.json'), readFileSync(spec, 'utf8').replace('"T":[8]', '"T":[9]'));
    const r = seqlab(['slurm', 'submit', spec, '--db', other, '--shards', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /other\.sqlite\.slurm holds a submission of another spec \(sweep "ok"\); use another --db, or remove the folder/,
    );
    expect(readdirSync(`${other}.slurm`)).toEqual(['spec.json']);
  });
});
