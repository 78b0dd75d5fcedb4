// A finished lab on read-only media (a real read-only bind mount): `seqlab status` and `seqlab
// export` read it, the lab server serves it read-only (the app opens it the same way, through
// openLab), every call that would change it is refused with `read-only`, and nothing is written
// beside it.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo, SweepSummary } from '../contract/labApi';
import type { Result } from '../contract/result';
import type { SweepSpecInput } from '../contract/sweepSpec';
import { openLabService } from '../lab/labService';
import { CLI, tempDir } from '../lab/testing/labTestSupport';
import { readOnlyMount } from '../lab/testing/mounts';
import { HTTP_STATUS } from './httpStatus';
import { rawRequest } from './testing/rawHttp';
import { startLabServer, type StartedLabServer } from './index';

const SPEC: SweepSpecInput = { name: 'archived', archs: ['rnn', 'lstm'], T: [8, 12], forgetBias: [0, 2], N: 2, D: 2, H: 3 };

let source: string;
let mount: { path: string } | { skip: string };
let sweepId: number;
let referenceCsv: string;

const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

beforeAll(async () => {
  source = tempDir('seqlab-archive-');
  const service = await openLabService({ dbPath: join(source, 'lab.sqlite'), workers: 2 });
  const queued = await service.queueSweep(SPEC);
  if (!queued.ok) throw new Error(queued.error.message);
  sweepId = queued.value.id;
  await service.waitForSweep(sweepId);
  await service.close();
  const out = join(tempDir(), 'reference.csv');
  const ref = cli(['export', '--db', join(source, 'lab.sqlite'), '--out', out]);
  if (ref.status !== 0) throw new Error(ref.stderr);
  referenceCsv = readFileSync(out, 'utf8');
  mount = readOnlyMount(source);
});

const skipped = (ctx: { skip(): void }): boolean => {
  if (!('skip' in mount)) return false;
  console.log(`[readOnlyLab] skipped: ${mount.skip}`);
  ctx.skip();
  return true;
};

describe('a lab on read-only media', () => {
  let server: StartedLabServer | null = null;
  afterAll(async () => {
    await server?.close();
  });

  it('is read by `seqlab status` and `seqlab export` as from a writable folder', (ctx) => {
    if (skipped(ctx) || 'skip' in mount) return;
    const db = join(mount.path, 'lab.sqlite');
    const status = cli(['status', '--db', db, '--json']);
    expect(status.status, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as SweepSummary[]).map((s) => [s.name, s.status, s.probes.done])).toEqual([
      ['archived', 'done', 6],
    ]);
    const out = join(tempDir(), 'from-mount.csv');
    const exported = cli(['export', '--db', db, '--out', out]);
    expect(exported.status, exported.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(referenceCsv);
  });

  it('is served read-only: reads answer, every write is refused with read-only, and nothing is written beside it', async (ctx) => {
    if (skipped(ctx) || 'skip' in mount) return;
    const before = readdirSync(mount.path).sort();
    const rendererDir = tempDir();
    server = await startLabServer({ dbPath: join(mount.path, 'lab.sqlite'), rendererDir, workers: 1 });
    expect(server.readOnly).toBe(true);
    const base = new URL(server.url).pathname;
    const call = async <T>(name: string, arg?: unknown) => {
      const r = await rawRequest(server!.port, {
        method: 'POST',
        path: `${base}api/${name}`,
        headers: { 'content-type': 'application/json' },
        body: arg === undefined ? '' : JSON.stringify(arg),
      });
      return { status: r.status, body: JSON.parse(r.body) as Result<T> };
    };

    expect((await call<LabInfo>('getLabInfo')).body).toEqual({ ok: true, value: { fileName: 'lab.sqlite', readOnly: true } });
    const list = await call<SweepSummary[]>('listSweeps');
    expect(list.body.ok && list.body.value.map((s) => s.status)).toEqual(['done']);
    const detail = await call<{ probes: unknown[] }>('getSweep', sweepId);
    expect(detail.body.ok && detail.body.value.probes).toHaveLength(6);
    const curves = await call<{ curves: unknown[] }>('loadCurves', { sweepId, norm: 'dWx' });
    expect(curves.body.ok && curves.body.value.curves).toHaveLength(6);
    expect((await call('checkSweep', SPEC)).status).toBe(200);
    const csv = await rawRequest(server.port, { path: `${base}api/export.csv?sweepIds=${sweepId}` });
    expect(csv.status).toBe(200);
    expect(csv.body).toBe(referenceCsv);

    const writes: [string, unknown][] = [
      ['queueSweep', { ...SPEC, name: 'new' }],
      ['estimateSweep', SPEC],
      ['cancelSweep', sweepId],
      ['pauseSweep', sweepId],
      ['resumeSweep', sweepId],
      ['retryFailed', sweepId],
      ['exportCsv', {}],
    ];
    for (const [name, arg] of writes) {
      const r = await call(name, arg);
      expect(r.status, name).toBe(HTTP_STATUS['read-only']);
      expect(r.body, name).toMatchObject({ ok: false, error: { code: 'read-only' } });
      if (!r.body.ok)
        expect(r.body.error.message, name).toMatch(
          /^lab\.sqlite is on read-only media: its sweeps can be read, charted and exported, but .+; copy the file somewhere writable/,
        );
    }
    expect((await call<SweepSummary[]>('listSweeps')).body).toMatchObject({ ok: true, value: [{ name: 'archived' }] });
    await server.close();
    server = null;
    expect(readdirSync(mount.path).sort()).toEqual(before);
  });

  it('refuses `seqlab sweep` on it, saying why', (ctx) => {
    if (skipped(ctx) || 'skip' in mount) return;
    const specFile = join(tempDir(), 'spec.json');
    writeFileSync(specFile, JSON.stringify(SPEC));
    const r = cli(['sweep', specFile, '--db', join(mount.path, 'lab.sqlite'), '--workers', '1']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/read-only/);
  });
});
