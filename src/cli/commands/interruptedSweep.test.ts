// After Ctrl-C or a crash of `seqlab sweep`, nothing says the sweep is running: Ctrl-C leaves it
// queued (to resume), and a process killed outright has it settled by the next open of the file.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { SweepSummary } from '../../contract/labApi';
import { openLabService } from '../../lab/labService';
import { CLI, countRows, tempDir, waitUntil } from '../../lab/testing/labTestSupport';

const SPEC = {
  name: 'interrupted',
  archs: ['lstm'],
  T: [3000],
  forgetBias: [0, 1, 2, 3, 4, 5],
  seeds: { count: 3 },
  N: 8,
  D: 8,
  H: 32,
};

function status(db: string): SweepSummary[] {
  const r = spawnSync(process.execPath, [CLI, 'status', '--db', db, '--json'], { encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as SweepSummary[];
}

/** `seqlab sweep` started on a fresh lab, once a probe of it has finished. */
async function sweepUnderWay() {
  const dir = tempDir();
  const spec = join(dir, 'spec.json');
  const db = join(dir, 'lab.sqlite');
  writeFileSync(spec, JSON.stringify(SPEC));
  const child = spawn(process.execPath, [CLI, 'sweep', spec, '--db', db, '--workers', '1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  await waitUntil(() => countRows(db, "SELECT count(*) AS n FROM probes WHERE status = 'done'") >= 1, 60_000, 'a finished probe');
  return { db, child, exited };
}

describe('an interrupted seqlab sweep', () => {
  it('after Ctrl-C: status says queued, with nothing running', async () => {
    const { db, child, exited } = await sweepUnderWay();
    child.kill('SIGINT');
    expect((await exited).code).toBe(130);
    const [s] = status(db);
    expect(s.status).toBe('queued');
    expect(s.probes.running).toBe(0);
    expect(s.probes.done).toBeGreaterThanOrEqual(1);
  });

  it('killed outright: the next open settles it (queued, or done if its last probe was stored)', async () => {
    const { db, child, exited } = await sweepUnderWay();
    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    // The dead process could not say anything: the file still reads as it left it.
    expect(status(db)[0].status).toBe('running');

    const lab = await openLabService({ dbPath: db, workers: 1, resumeUnfinished: false });
    await lab.close();
    const [s] = status(db);
    expect(s.status).toBe('queued');
    expect(s.probes.running).toBe(0);

    // A crash between storing the last probe and settling its sweep leaves it "running" with
    // nothing left to run: the next open finishes it.
    const raw = new Database(db);
    raw.prepare(`UPDATE probes SET status = 'done' WHERE status = 'queued'`).run();
    raw.prepare(`UPDATE sweeps SET status = 'running'`).run();
    raw.close();
    const again = await openLabService({ dbPath: db, workers: 1, resumeUnfinished: false });
    await again.close();
    expect(status(db)[0].status).toBe('done');
  });
});
