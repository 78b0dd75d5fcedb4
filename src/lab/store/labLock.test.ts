// The one-runner-per-lab-file lock, held by real processes: a live holder is refused with its
// pid, a holder killed with kill -9 is taken over (also in a fresh PID namespace, where the
// restarted runner has the dead one's pid), and the lab service holds the lock while open.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLabLock, kernelLockPathOf, lockPathOf } from './labLock';
import { openLabService } from '../labService';
import { CLI, countRows, waitUntil } from '../testing/labTestSupport';

const LOCK_MODULE = resolve(import.meta.dirname, 'labLock.ts');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seqlab-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Why namespaces cannot be made here (null when `unshare` works). */
function unshareUnavailable(...flags: string[]): string | null {
  const r = spawnSync('unshare', [...flags, 'true'], { encoding: 'utf8' });
  if (r.error) return `unshare is not available (${r.error.message})`;
  return r.status === 0 ? null : `unshare ${flags.join(' ')} fails here (${r.stderr.trim()})`;
}

/**
 * A node process that takes the lock of dbPath, prints 'locked' and waits to be killed; with
 * otherHost, in its own UTS namespace under that host name (another machine sharing the file
 * and its kernel locks, as over NFS).
 */
function holderProcess(dbPath: string, otherHost?: string) {
  const script = `import { acquireLabLock } from ${JSON.stringify(LOCK_MODULE)};
acquireLabLock(${JSON.stringify(dbPath)}); console.log('locked'); setInterval(() => {}, 1000);`;
  const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script];
  // exec keeps the pid: the holder is the process the test kills.
  const [cmd, ...args] = otherHost ? ['unshare', '--uts', 'sh', '-c', `hostname ${otherHost} && exec "$@"`, 'sh', ...node] : node;
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const locked = new Promise<void>((res, rej) => {
    child.stdout.on('data', (d) => String(d).includes('locked') && res());
    child.on('exit', (code) => rej(new Error(`lock holder exited with ${code}`)));
  });
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  return { child, locked, exited };
}

describe('lab file lock', () => {
  it('is refused, naming the holder, while another live process holds it; taken over once that process is killed -9', async () => {
    const db = join(dir, 'lab.sqlite');
    const holder = holderProcess(db);
    await holder.locked;
    expect(() => acquireLabLock(db)).toThrow(new RegExp(`in use by SeqLab process ${holder.child.pid} .*on this machine`));
    holder.child.kill('SIGKILL');
    await holder.exited;
    expect(existsSync(lockPathOf(db))).toBe(true); // kill -9 leaves it behind
    const lock = acquireLabLock(db);
    expect(JSON.parse(readFileSync(lockPathOf(db), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(lockPathOf(db))).toBe(false);
    expect(existsSync(kernelLockPathOf(db))).toBe(false);
  }, 30_000);

  it('takes over a lock left by a process that has exited, and refuses one held on another machine', () => {
    const db = join(dir, 'lab.sqlite');
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout.trim());
    writeFileSync(lockPathOf(db), JSON.stringify({ pid: deadPid, host: hostname(), since: 'earlier', command: 'seqlab sweep' }));
    acquireLabLock(db).release();

    writeFileSync(
      lockPathOf(db),
      JSON.stringify({ pid: deadPid, host: 'node-17.cluster', since: 'earlier', command: 'seqlab sweep' }),
    );
    expect(() => acquireLabLock(db)).toThrow(
      /in use by SeqLab process \d+ \(seqlab sweep\) on node-17\.cluster .*delete .*lab\.sqlite\.lock/,
    );
    expect(existsSync(kernelLockPathOf(db))).toBe(false);
  });

  it("takes over a lock whose holder named this very process id (a runner restarted in a container gets the dead one's pid)", () => {
    const db = join(dir, 'lab.sqlite');
    writeFileSync(
      lockPathOf(db),
      JSON.stringify({ pid: process.pid, host: hostname(), since: 'earlier', command: 'seqlab sweep' }),
    );
    const lock = acquireLabLock(db);
    expect(JSON.parse(readFileSync(lockPathOf(db), 'utf8')).since).not.toBe('earlier');
    lock.release();
  });

  it('refuses a live holder on another host sharing the file, naming the host and pid', async (ctx) => {
    const why = unshareUnavailable('--uts');
    if (why) {
      console.log(`[labLock] skipped: ${why}`);
      ctx.skip();
    }
    const db = join(dir, 'lab.sqlite');
    const holder = holderProcess(db, 'node-17');
    await holder.locked;
    expect(() => acquireLabLock(db)).toThrow(
      new RegExp(`in use by SeqLab process ${holder.child.pid} .*on node-17 since .*stop it$`),
    );
    holder.child.kill('SIGKILL');
    await holder.exited;
    // Its kernel lock is gone, but whether this host would see it held over a share is unknowable.
    expect(() => acquireLabLock(db)).toThrow(/on node-17 .*if no such process is running on node-17, delete .*lab\.sqlite\.lock/);
  }, 30_000);

  it('is held by an open lab service (a second one on the file is refused) and released by close', async () => {
    const db = join(dir, 'lab.sqlite');
    const first = await openLabService({ dbPath: db, workers: 1 });
    try {
      await expect(openLabService({ dbPath: db, workers: 1 })).rejects.toThrow(/in use by SeqLab process/);
    } finally {
      await first.close();
    }
    expect(existsSync(lockPathOf(db))).toBe(false);
    const again = await openLabService({ dbPath: db, workers: 1 });
    await again.close();
  });

  it('is released when the file is refused, leaving no lock behind', async () => {
    const db = join(dir, 'notes.sqlite');
    writeFileSync(db, 'not a database, just notes\n'.repeat(10));
    await expect(openLabService({ dbPath: db, workers: 1 })).rejects.toThrow(/not a SQLite database/);
    expect(existsSync(lockPathOf(db))).toBe(false);
    expect(readdirSync(dir)).toEqual(['notes.sqlite']); // nor the kernel lock's file
  });
});

describe('a sweep killed in a PID namespace', () => {
  const SPEC = {
    name: 'pid namespace',
    archs: ['rnn', 'lstm'],
    T: [500, 1500],
    forgetBias: [-1, 0, 1, 2],
    seeds: { count: 2 },
    N: 8,
    D: 4,
    H: 24,
  };
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  const cli = (args: string[], namespaced = false) => {
    const argv = [process.execPath, CLI, ...args];
    const r = namespaced
      ? spawnSync('unshare', ['--pid', '--fork', '--mount-proc', ...argv], { encoding: 'utf8', timeout: 120_000 })
      : spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, stderr: r.stderr };
  };

  /** The host pid of a process's only child (the namespace's first process, under unshare --fork). */
  const childPid = (pid: number): number =>
    Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]);

  it('resumes when restarted in a fresh namespace (same pid as the dead runner), exporting what an uninterrupted run exports', async (ctx) => {
    const why = unshareUnavailable('--pid', '--fork', '--mount-proc');
    if (why) {
      console.log(`[labLock] skipped: ${why}`);
      ctx.skip();
    }
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify(SPEC));
    const ref = join(dir, 'ref.sqlite');
    const whole = cli(['sweep', spec, '--db', ref, '--workers', '1']);
    expect(whole.code, whole.stderr).toBe(0);

    const db = join(dir, 'lab.sqlite');
    const runner = spawn(
      'unshare',
      ['--pid', '--fork', '--mount-proc', process.execPath, CLI, 'sweep', spec, '--db', db, '--workers', '1'],
      { stdio: 'ignore' },
    );
    children.push(runner);
    const exited = new Promise<void>((r) => runner.on('exit', () => r()));
    const done = `SELECT count(*) AS n FROM probes WHERE status = 'done'`;
    await waitUntil(() => countRows(db, done) >= 3, 60_000, 'a few probes');
    expect(JSON.parse(readFileSync(lockPathOf(db), 'utf8')).pid).toBe(1);
    // kill -9 of the namespace's first process: the kernel kills everything in the namespace.
    process.kill(childPid(runner.pid!), 'SIGKILL');
    await exited;
    expect(countRows(db, done)).toBeLessThan(countRows(ref, done));
    expect(JSON.parse(readFileSync(lockPathOf(db), 'utf8')).pid).toBe(1); // left behind, naming pid 1

    const again = cli(['sweep', spec, '--db', db, '--workers', '1'], true);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming sweep 1/);
    const csv = (lab: string): string => {
      const out = `${lab}.csv`;
      const exported = cli(['export', '--db', lab, '--out', out]);
      expect(exported.code, exported.stderr).toBe(0);
      return readFileSync(out, 'utf8');
    };
    expect(csv(db)).toBe(csv(ref));
  }, 180_000);
});
