// The lab server over the real service, a real SQLite file and real worker processes.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepSummary } from '../contract/labApi';
import { ERROR_CODES, type Result } from '../contract/result';
import { HTTP_STATUS } from './httpStatus';
import { startLabServer, type LabServer } from './index';
import { readEvents } from './testing/rawHttp';

let dir: string;
let server: LabServer;
let origin: string;

const api = (name: string): string => `${server.url}api/${name}`;
async function post<T>(name: string, body?: unknown, raw?: string): Promise<{ status: number; body: Result<T> }> {
  const res = await fetch(api(name), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: raw ?? (body === undefined ? '' : JSON.stringify(body)),
  });
  return { status: res.status, body: (await res.json()) as Result<T> };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seqlab-server-'));
  const renderer = join(dir, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>SeqLab</title>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'nope');
  server = await startLabServer({ dbPath: join(dir, 'lab.sqlite'), rendererDir: renderer, workers: 2 });
  origin = new URL(server.url).origin;
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('lab server', () => {
  it('listens on 127.0.0.1 with a 64-hex-digit token in the URL', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/${server.token}/`);
  });

  it('refuses every request without the right token with 403', async () => {
    for (const path of [
      '/',
      '/index.html',
      '/api/listSweeps',
      `/${'0'.repeat(64)}/api/listSweeps`,
      `/${server.token.slice(1)}/`,
    ]) {
      const get = await fetch(origin + path);
      expect(get.status, path).toBe(403);
      const body = (await get.json()) as Result<unknown>;
      expect(body.ok).toBe(false);
    }
    const postNoToken = await fetch(`${origin}/api/queueSweep`, { method: 'POST', body: '{"name":"x","T":[4]}' });
    expect(postNoToken.status).toBe(403);
    const events = await fetch(`${origin}/api/events`);
    expect(events.status).toBe(403);
    const csv = await fetch(`${origin}/api/export.csv`);
    expect(csv.status).toBe(403);
  });

  it('serves the renderer under the token, and nothing outside it', async () => {
    const index = await fetch(server.url);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect(index.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(await index.text()).toContain('SeqLab');
    const js = await fetch(`${server.url}assets/app.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    const traversal = await fetch(`${server.url}..%2Fsecret.txt`);
    expect(traversal.status).toBe(404);
  });

  it('answers bad arguments with invalid-argument results, never a crash', async () => {
    const badId = await post('getSweep', 'seven');
    expect(badId.status).toBe(400);
    expect(badId.body).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });

    const badSpec = await post('queueSweep', { name: 'x', T: [16], H: 0 });
    expect(badSpec.status).toBe(400);
    expect(badSpec.body.ok).toBe(false);
    if (!badSpec.body.ok) {
      expect(badSpec.body.error.code).toBe('invalid-argument');
      expect(badSpec.body.error.issues).toContainEqual({ path: 'H', message: 'H must be an integer in [1, 65536]' });
    }
    const extra = await post('estimateSweep', { name: 'x', T: [16], evil: true });
    expect(extra.body.ok).toBe(false);
    const badNorm = await post('loadCurves', { sweepId: 1, norm: 'dz' });
    expect(badNorm.body).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    const notJson = await post('queueSweep', undefined, '{not json');
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    const big = await post('queueSweep', undefined, JSON.stringify({ name: 'x'.repeat(2_000_000) }));
    expect(big.status).toBe(413);
    const unknown = await post('dropTables', {});
    expect(unknown.status).toBe(404);
    const proto = await post('__proto__', {});
    expect(proto.status).toBe(404);
    const get = await fetch(api('listSweeps'));
    expect(get.status).toBe(405);
    const missing = await post('getSweep', 424242);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const badExport = await fetch(`${api('export.csv')}?sweepIds=1,abc`);
    expect(badExport.status).toBe(400);
    // Still alive and well.
    const list = await post<SweepSummary[]>('listSweeps');
    expect(list.body.ok).toBe(true);
  });

  it('answers every error with the HTTP status of its code', async () => {
    for (const code of ERROR_CODES) expect(HTTP_STATUS[code], code).toBeGreaterThanOrEqual(400);
    expect(new Set(Object.values(HTTP_STATUS)).size).toBe(ERROR_CODES.length);
    expect(HTTP_STATUS['invalid-argument']).toBe(400);

    const checked = await post<{ probes: number }>('checkSweep', { name: 'x', T: [16, 32], archs: ['rnn'] });
    expect(checked).toMatchObject({ status: 200, body: { ok: true, value: { probes: 2, spec: { H: 64 } } } });
    const tooBig = await post('checkSweep', { name: 'x', archs: ['lstm'], T: [100_000], H: 4096, N: 4096 });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body).toMatchObject({ ok: false, error: { code: 'invalid-argument', issues: [{ path: 'H' }] } });
    expect((await post('resolveSweeps', 'not a list')).status).toBe(400);
    expect((await post('listSweeps', 5)).status).toBe(400);
  });

  it('answers a wrong method with 405 and the methods the route takes, not as a bad argument', async () => {
    const cases: [string, string, string][] = [
      ['GET', api('listSweeps'), 'POST'],
      ['PUT', api('queueSweep'), 'POST'],
      ['POST', api('events'), 'GET'],
      ['DELETE', api('export.csv'), 'GET'],
      ['POST', server.url, 'GET, HEAD'],
    ];
    for (const [method, url, allow] of cases) {
      const res = await fetch(url, { method });
      expect(res.status, `${method} ${url}`).toBe(405);
      expect(res.headers.get('allow')).toBe(allow);
      const body = (await res.json()) as Result<unknown>;
      expect(body).toMatchObject({ ok: false, error: { code: 'method-not-allowed' } });
    }
  });

  it('queues a sweep, streams progress over SSE, and exports its CSV', async () => {
    const stream = await readEvents(api('events')); // refuses anything but text/event-stream
    const events = stream.events;

    const spec = { name: 'server test', T: [8, 16], forgetBias: [0, 2], H: 4, N: 2, D: 3 };
    const est = await post<{ probes: number }>('estimateSweep', spec);
    expect(est.body).toMatchObject({ ok: true, value: { probes: 6 } });
    const queued = await post<SweepSummary>('queueSweep', spec);
    expect(queued.body.ok).toBe(true);
    const id = queued.body.ok ? queued.body.value.id : -1;

    const deadline = Date.now() + 30_000;
    let status = '';
    while (Date.now() < deadline) {
      const r = await post<{ summary: SweepSummary }>('getSweep', id);
      status = r.body.ok ? r.body.value.summary.status : 'error';
      if (status === 'done' || status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe('done');
    await new Promise((r) => setTimeout(r, 200));
    await stream.close();
    expect(events.length).toBeGreaterThan(0);
    expect(events.some((e) => e.sweep.id === id && e.sweep.probes.done === 6)).toBe(true);

    const curves = await post<{ curves: unknown[] }>('loadCurves', { sweepId: id, norm: 'dh' });
    expect(curves.body.ok && curves.body.value.curves.length).toBe(6);
    // Its state forbids it: a conflict, answered 409.
    const cancelDone = await post('cancelSweep', id);
    expect(cancelDone.status).toBe(409);
    expect(cancelDone.body).toMatchObject({ ok: false, error: { code: 'conflict' } });
    // The new calls, over HTTP like the others.
    expect((await post<number[]>('resolveSweeps', ['server test', String(id)])).body).toEqual({ ok: true, value: [id] });
    const unknownName = await post('resolveSweeps', ['no such sweep']);
    expect(unknownName.status).toBe(404);
    expect(unknownName.body).toMatchObject({ ok: false, error: { code: 'not-found', issues: [{ path: '0' }] } });

    const csv = await fetch(`${api('export.csv')}?sweepIds=${id}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toContain(`seqlab-sweep-${id}.csv`);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0].split(',').slice(0, 3)).toEqual(['sweep', 'sweep_id', 'probe_id']);
    // One row per probe and step: RNN T=8 + T=16, LSTM x 2 biases x (8 + 16).
    expect(lines.length - 1).toBe(3 * (8 + 16));
  });
});
