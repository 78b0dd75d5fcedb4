// Memory that comes back: a mix of calls, downloads, event streams and hostile requests, many
// times over, against the real lab server (real service, SQLite file, workers, loopback). Once
// the clients are gone, what the server holds for them must be gone too: its connections, event
// streams, downloads and files being sent (its own counts), the progress listeners it added to
// the service, and this process's open file descriptors. Counted, never timed.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent, SweepSummary } from '../contract/labApi';
import type { Result } from '../contract/result';
import { openLabService, type LabService } from '../lab/labService';
import { tempDir, waitUntil } from '../lab/testing/labTestSupport';
import { rawRequest, readEvents } from './testing/rawHttp';
import { createLabServer, type LabServer } from './index';

let service: LabService;
let server: LabServer;
let base: string;
/** Progress listeners the server holds on the service right now. */
let listeners = 0;
let small: number;
let big: number;

const json = { 'content-type': 'application/json' };
async function call<T>(name: string, arg?: unknown): Promise<Result<T>> {
  const r = await rawRequest(server.port, {
    method: 'POST',
    path: `${base}api/${name}`,
    headers: json,
    body: arg === undefined ? '' : JSON.stringify(arg),
  });
  return JSON.parse(r.body) as Result<T>;
}

/** A GET whose client goes away as soon as the first bytes of the answer arrive. */
function abandonedGet(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`),
    );
    socket.once('data', () => {
      socket.destroy();
      resolve();
    });
    socket.on('error', reject);
  });
}

const openFds = (): number => readdirSync('/proc/self/fd').length;

async function runSweep(spec: object): Promise<number> {
  const q = await call<SweepSummary>('queueSweep', spec);
  if (!q.ok) throw new Error(q.error.message);
  const r = await service.waitForSweep(q.value.id);
  if (!r.ok || r.value.status !== 'done') throw new Error(`sweep ${q.value.id} did not finish`);
  return q.value.id;
}

beforeAll(async () => {
  const dir = tempDir('seqlab-memory-');
  const rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>SeqLab</title>');
  // As large as the app's bundle, so a download is still going when its client leaves.
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'x'.repeat(2 << 20));
  service = await openLabService({ dbPath: join(dir, 'lab.sqlite'), workers: 2 });
  const counted: LabService = {
    ...service,
    onProgress: (listener: (e: ProgressEvent) => void) => {
      listeners++;
      const off = service.onProgress(listener);
      return () => {
        listeners--;
        off();
      };
    },
  };
  server = await createLabServer({ service: counted, rendererDir, ownsService: true });
  base = new URL(server.url).pathname;
  small = await runSweep({ name: 'small', archs: ['rnn', 'lstm'], T: [8, 16], forgetBias: [0, 1], N: 2, D: 2, H: 3 });
  big = await runSweep({ name: 'big', archs: ['rnn'], T: [4000], seeds: { count: 20 }, N: 1, D: 1, H: 2 });
});

afterAll(async () => {
  await server?.close();
});

describe('what the lab server holds for its clients', () => {
  it('comes back to what it was after 60 rounds (840 requests) of calls, downloads, event streams and hostile requests', async () => {
    const spec = { name: 'estimate me', archs: ['rnn', 'lstm'], T: [16, 64], forgetBias: [0, 1], H: 4 };
    const round = async (): Promise<void> => {
      await Promise.all([
        call('listSweeps'),
        call('getSweep', small),
        call('loadCurves', { sweepId: small, norm: 'dh' }),
        call('checkSweep', spec),
        call('estimateSweep', spec),
        call('getLabInfo'),
        rawRequest(server.port, { path: `${base}api/export.csv?sweepIds=${small}` }),
        abandonedGet(`${base}api/export.csv?sweepIds=${big}`),
        abandonedGet(`${base}assets/app.js`),
        readEvents(`${server.url}api/events`).then((s) => s.close()),
        abandonedGet(`${base}api/events`),
        rawRequest(server.port, { path: `${base}index.html%00` }),
        rawRequest(server.port, { path: base, headers: { host: `evil.example:${server.port}` } }),
        rawRequest(server.port, {
          method: 'POST',
          path: `${base}api/queueSweep`,
          headers: { 'content-type': 'text/plain' },
          body: '{}',
        }),
      ]);
    };
    await round(); // the first of each kind opens what stays open (SQLite statements, a worker, ...)
    const settled = () => {
      const s = server.stats();
      return s.connections === 0 && s.eventStreams === 0 && s.exports === 0 && s.files === 0;
    };
    await waitUntil(settled, 20_000, 'the first round to let go');
    const fdsBefore = openFds();

    for (let i = 0; i < 60; i++) await round();

    await waitUntil(settled, 20_000, 'the server to let go of every client');
    expect(server.stats()).toMatchObject({ connections: 0, eventStreams: 0, exports: 0, files: 0, eventStreamBufferedBytes: 0 });
    expect(listeners).toBe(1);
    // A download whose client left must not keep its file (or its SQLite connection) open.
    await waitUntil(() => openFds() <= fdsBefore + 2, 10_000, 'file descriptors to be closed').catch(() => undefined);
    expect(openFds()).toBeLessThanOrEqual(fdsBefore + 2);
    // And the lab still answers.
    expect((await call<SweepSummary[]>('listSweeps')).ok).toBe(true);
  }, 180_000);
});
