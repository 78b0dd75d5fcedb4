// `seqlab sweep` with a spec naming a weights file (issue 14): the shipped CLI, real workers and a
// real lab file. A relative path in a spec file is relative to the spec file's folder.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, tempDir } from '../../lab/testing/labTestSupport';

const cli = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('seqlab sweep with weights', () => {
  it("reads a relative weights path from the spec file's folder, and the shipped examples by ref", () => {
    const dir = tempDir();
    const specs = join(dir, 'specs');
    mkdirSync(specs);
    copyFileSync(join(ROOT, 'examples', 'adding_gru_T100_H32.safetensors'), join(specs, 'mine.safetensors'));
    writeFileSync(join(specs, 'mine.json'), JSON.stringify({ name: 'mine', weights: 'mine.safetensors', T: [6], N: 1 }));
    writeFileSync(
      join(specs, 'example.json'),
      JSON.stringify({
        name: 'example',
        weights: 'example:adding_lstm_T100_H32.safetensors',
        inputs: 'example:adding_inputs_N16_T100.npy',
      }),
    );
    const db = join(dir, 'lab.sqlite');
    // Run from another folder: the path is the spec file's, not the working directory's.
    for (const spec of ['mine.json', 'example.json']) {
      const r = cli(['sweep', join(specs, spec), '--db', db, '--workers', '1'], dir);
      expect(r.code, r.stderr).toBe(0);
    }
    const lab = new Database(db, { readonly: true });
    const rows = lab
      .prepare(
        'SELECT s.name, p.arch, p.T, p.N, p.D, p.H, p.status FROM probes p JOIN sweeps s ON s.id = p.sweep_id ORDER BY p.id',
      )
      .all();
    const files = lab.prepare('SELECT files_json FROM sweep_model_files ORDER BY sweep_id').all() as { files_json: string }[];
    lab.close();
    expect(rows).toEqual([
      { name: 'mine', arch: 'gru', T: 6, N: 1, D: 2, H: 32, status: 'done' },
      { name: 'example', arch: 'lstm', T: 100, N: 16, D: 2, H: 32, status: 'done' },
    ]);
    const [mine, example] = files.map((f) => JSON.parse(f.files_json));
    expect(mine.weights).toMatchObject({ ref: join(specs, 'mine.safetensors'), fileName: 'mine.safetensors', arch: 'gru' });
    expect(example.inputs).toMatchObject({ ref: 'example:adding_inputs_N16_T100.npy', N: 16, T: 100, D: 2 });

    // A spec that lists T with an inputs file: refused before the lab is touched, naming T.
    writeFileSync(
      join(specs, 'bad.json'),
      JSON.stringify({ name: 'bad', inputs: 'example:adding_inputs_N16_T100.npy', archs: ['rnn'], T: [100] }),
    );
    const bad = cli(['sweep', join(specs, 'bad.json'), '--db', db], dir);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/T: the inputs file adding_inputs_N16_T100\.npy fixes T = 100 .*leave Sequence lengths T out/);
  });
});
