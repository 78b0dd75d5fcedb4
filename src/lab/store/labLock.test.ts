// The one-runner-per-lab-file lock, held by real processes: a live holder is refused with its
// pid, a holder killed with kill -9 is taken over, and the lab service holds the lock while open.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLabLock, lockPathOf } from './labLock';
import { openLabService } from '../labService';

const LOCK_MODULE = resolve(import.meta.dirname, 'labLock.ts');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seqlab-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A node process that takes the lock of dbPath, prints 'locked' and waits to be killed. */
function holderProcess(dbPath: string) {
  const script = `import { acquireLabLock } from ${JSON.stringify(LOCK_MODULE)};
acquireLabLock(${JSON.stringify(dbPath)}); console.log('locked'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
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
  }, 30_000);

  it('takes over a lock left by a process that has exited, and refuses one held on another machine', () => {
    const db = join(dir, 'lab.sqlite');
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout.trim());
    writeFileSync(lockPathOf(db), JSON.stringify({ pid: deadPid, host: hostname(), since: 'earlier', command: 'seqlab sweep' }));
    acquireLabLock(db).release();

    writeFileSync(lockPathOf(db), JSON.stringify({ pid: deadPid, host: 'node-17.cluster', since: 'earlier', command: 'seqlab sweep' }));
    expect(() => acquireLabLock(db)).toThrow(/in use by SeqLab process \d+ \(seqlab sweep\) on node-17\.cluster .*delete .*lab\.sqlite\.lock/);
  });

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
  });
});
