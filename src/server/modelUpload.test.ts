// importModel over the lab server: real HTTP over loopback, the real service and lab file. The
// upload has its own body limit (a model file of at most 64 MiB, in base64); other calls keep 1 MiB.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelFileInfo } from '../contract/labApi';
import { MODEL_FILE_MAX_BYTES } from '../contract/modelFiles';
import type { Result } from '../contract/result';
import { startLabServer, type LabServer } from './index';
import { MAX_BODY_BYTES } from './httpUtil';

let dir: string;
let server: LabServer;

async function post<T>(name: string, body: string): Promise<{ status: number; body: Result<T> }> {
  const res = await fetch(`${server.url}api/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  return { status: res.status, body: (await res.json()) as Result<T> };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seqlab-upload-'));
  server = await startLabServer({ dbPath: join(dir, 'lab.sqlite'), rendererDir: dir, workers: 1 });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const example = (): Buffer => readFileSync(join(__dirname, '../../examples/adding_gru_T100_H32.safetensors'));

describe('importModel over the lab server', () => {
  it('stores an upload beside the lab file and lists it', async () => {
    const bytes = example();
    const r = await post<ModelFileInfo>(
      'importModel',
      JSON.stringify({ fileName: 'gru.safetensors', bytesBase64: bytes.toString('base64') }),
    );
    expect(r.status).toBe(200);
    if (!r.body.ok) throw new Error(JSON.stringify(r.body.error));
    expect(r.body.value).toMatchObject({ fileName: 'gru.safetensors', arch: 'gru', D: 2, H: 32, example: false });
    const stored = join(dir, 'lab.sqlite.models', `${r.body.value.sha256}.safetensors`);
    expect(readFileSync(stored).equals(bytes)).toBe(true);
    const list = await post<ModelFileInfo[]>('listModels', '');
    expect(list.body.ok && list.body.value.map((m) => m.ref)).toContain(r.body.value.ref);
  });

  it('refuses a body over its limit with 413, naming the 64 MiB a model file may have', async () => {
    const base64Limit = Math.ceil(MODEL_FILE_MAX_BYTES / 3) * 4;
    const huge = JSON.stringify({ fileName: 'big.safetensors', bytesBase64: 'A'.repeat(base64Limit + 8192) });
    const r = await post('importModel', huge);
    expect(r.status).toBe(413);
    expect(!r.body.ok && r.body.error.message).toBe('importModel: the model file must be at most 64 MiB');
    // Within the body limit, but more than 64 MiB once decoded: refused by the argument's schema.
    const over = JSON.stringify({ fileName: 'big.safetensors', bytesBase64: 'A'.repeat(base64Limit + 4) });
    const r2 = await post('importModel', over);
    expect(r2.status).toBe(400);
    expect(!r2.body.ok && r2.body.error.issues?.[0]).toEqual({
      path: 'bytesBase64',
      message: 'the model file must be at most 64 MiB',
    });
    expect(existsSync(join(dir, 'lab.sqlite.models', 'big.safetensors'))).toBe(false);
  });

  it('keeps the 1 MiB limit of every other call', async () => {
    const r = await post('checkSweep', JSON.stringify({ name: 'x', T: [4], pad: 'x'.repeat(MAX_BODY_BYTES) }));
    expect(r.status).toBe(413);
    expect(!r.body.ok && r.body.error.message).toBe(`request body exceeds ${MAX_BODY_BYTES} bytes`);
  });
});
