// Bad input is refused once, the same everywhere: the same spec document, as bytes, given to
// `seqlab sweep` (a file, the built CLI) and to the lab server (a request body over loopback) is
// accepted by both or refused by both with the same field and message. (The app's form checks
// with the same schema; src/renderer/src/lib/formModel.test.ts holds it to the same messages.)
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepSummary } from '../contract/labApi';
import type { FieldIssue, Result } from '../contract/result';
import { CLI, tempDir } from '../lab/testing/labTestSupport';
import { rawRequest } from './testing/rawHttp';
import { startLabServer, type LabServer } from './index';

let server: LabServer;
let base: string;

beforeAll(async () => {
  server = await startLabServer({ dbPath: join(tempDir(), 'lab.sqlite'), rendererDir: tempDir(), workers: 1 });
  base = new URL(server.url).pathname;
});
afterAll(async () => {
  await server?.close();
});

const tiny = { archs: ['rnn'], T: [2], N: 1, D: 1, H: 1 };
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const doc = (value: object, prefix = Buffer.alloc(0)): Buffer => Buffer.concat([prefix, Buffer.from(JSON.stringify(value))]);

/** The CLI's answer to the document as a spec file: accepted (ran), or its one-line refusal. */
function viaCli(bytes: Buffer): { ok: true } | { ok: false; line: string } {
  const dir = tempDir();
  const spec = join(dir, 'spec.json');
  writeFileSync(spec, bytes);
  const r = spawnSync(process.execPath, [CLI, 'sweep', spec, '--db', join(dir, 'lab.sqlite'), '--workers', '1'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status === 0) return { ok: true };
  expect(r.status, r.stderr).toBe(2);
  return { ok: false, line: r.stderr.trim().replace(`seqlab: ${spec}`, 'seqlab: SPEC') };
}

async function viaServer(bytes: Buffer): Promise<{ status: number; result: Result<SweepSummary> }> {
  const r = await rawRequest(server.port, {
    method: 'POST',
    path: `${base}api/queueSweep`,
    headers: { 'content-type': 'application/json' },
    body: bytes,
  });
  return { status: r.status, result: JSON.parse(r.body) as Result<SweepSummary> };
}

describe('the same spec document, from a file and over HTTP', () => {
  it('is accepted by both with a UTF-8 byte-order mark (as Windows editors write it) and without', async () => {
    for (const [what, bytes] of [
      ['with BOM', doc({ ...tiny, name: 'bom' }, BOM)],
      ['without', doc({ ...tiny, name: 'plain' })],
    ] as const) {
      expect(viaCli(bytes), what).toEqual({ ok: true });
      const served = await viaServer(bytes);
      expect(served.status, what).toBe(200);
    }
  });

  it.each([
    [
      'archs listed twice',
      { ...tiny, name: 'x', archs: ['rnn', 'rnn'] },
      { path: 'archs', message: 'Architectures list "rnn" more than once; give each value once' },
    ],
    [
      'a T listed twice',
      { ...tiny, name: 'x', T: [2, 3, 2] },
      { path: 'T', message: 'Sequence lengths T list 2 more than once; give each value once' },
    ],
    [
      'a bias listed twice',
      { ...tiny, name: 'x', archs: ['lstm'], forgetBias: [1, 0, 1] },
      { path: 'forgetBias', message: 'Forget-gate biases list 1 more than once; give each value once' },
    ],
    [
      'a seed listed twice',
      { ...tiny, name: 'x', seeds: [3, 3] },
      { path: 'seeds', message: 'Seeds list 3 more than once; give each value once' },
    ],
    [
      'a NUL in the name',
      { ...tiny, name: 'a\u0000b' },
      {
        path: 'name',
        message: 'name must not contain control characters (tabs, line breaks, NUL, text-direction overrides); got "a\\u0000b"',
      },
    ],
    [
      'a line break in the name',
      { ...tiny, name: 'two\nlines' },
      {
        path: 'name',
        message: 'name must not contain control characters (tabs, line breaks, NUL, text-direction overrides); got "two\\nlines"',
      },
    ],
    [
      'a right-to-left override in the name',
      { ...tiny, name: 'abc\u202edef' },
      {
        path: 'name',
        message:
          'name must not contain control characters (tabs, line breaks, NUL, text-direction overrides); got "abc\u202edef"',
      },
    ],
  ])('refuses %s in both, naming the field the same way', async (_what, spec, issue: FieldIssue) => {
    const bytes = doc(spec, BOM);
    expect(viaCli(bytes)).toEqual({ ok: false, line: `seqlab: SPEC: ${issue.path}: ${issue.message}` });
    const served = await viaServer(bytes);
    expect(served.status).toBe(400);
    // The server (like the form, beside the field) leaves out the "; got <value>" the CLI adds.
    const bare = { path: issue.path, message: issue.message.replace(/; got .*$/s, '') };
    expect(served.result).toMatchObject({ ok: false, error: { code: 'invalid-argument', issues: [bare] } });
  });

  it('refuses bytes that are not UTF-8, and an empty document, in both', async () => {
    const notUtf8 = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","T":[2]}')]);
    expect(viaCli(notUtf8)).toEqual({ ok: false, line: 'seqlab: SPEC is not UTF-8 text' });
    expect(await viaServer(notUtf8)).toMatchObject({
      status: 400,
      result: { ok: false, error: { message: 'request body is not UTF-8 text' } },
    });
    expect(viaCli(BOM)).toEqual({ ok: false, line: 'seqlab: SPEC is empty; a sweep spec is a JSON object' });
    expect((await viaServer(BOM)).status).toBe(400);
  });
});

describe('the stored total', () => {
  it('equals the probes run when a range repeats values once rounded (T 1..3 in 5 steps is 1, 2, 3)', async () => {
    const queued = await viaServer(
      doc({ name: 'rounded range', archs: ['rnn'], T: { from: 1, to: 3, count: 5 }, N: 1, D: 1, H: 1 }),
    );
    expect(queued.result.ok).toBe(true);
    if (!queued.result.ok) return;
    expect(queued.result.value.probes.total).toBe(3);
    const done = await rawRequest(server.port, {
      method: 'POST',
      path: `${base}api/getSweep`,
      headers: { 'content-type': 'application/json' },
      body: String(queued.result.value.id),
    });
    const detail = JSON.parse(done.body) as Result<{ probes: { T: number }[] }>;
    expect(detail.ok && detail.value.probes.map((p) => p.T)).toEqual([1, 2, 3]);
  });
});
