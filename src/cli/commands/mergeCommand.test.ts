import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, dumpLab, integrityCheck, tempDir } from '../../lab/testing/labTestSupport';

const SPEC = { name: 'sharded', archs: ['rnn', 'lstm'], T: [16, 40], forgetBias: [0, 1, 3], seeds: [5, 6], N: 2, D: 3, H: 6 };

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('seqlab sweep --shard + seqlab merge', () => {
  it('sharded 3 ways then merged equals the unsharded sweep', async () => {
    const dir = tempDir();
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify(SPEC));
    const results = await Promise.all([
      run(['sweep', spec, '--db', join(dir, 'whole.sqlite'), '--workers', '1']),
      ...[1, 2, 3].map((i) => run(['sweep', spec, '--db', join(dir, `part-${i}.sqlite`), '--shard', `${i}/3`, '--workers', '1'])),
    ]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const parts = [1, 2, 3].map((i) => dumpLab(join(dir, `part-${i}.sqlite`)).probes.length);
    expect(parts).toEqual([6, 5, 5]);
    const merged = join(dir, 'lab.sqlite');
    const m = spawnSync(
      process.execPath,
      [CLI, 'merge', ...[3, 1, 2].map((i) => join(dir, `part-${i}.sqlite`)), '--into', merged],
      { encoding: 'utf8' },
    );
    expect(m.status, m.stderr).toBe(0);
    expect(m.stderr).toMatch(/16\/16 done/);
    expect(integrityCheck(merged)).toBe('ok');
    expect(dumpLab(merged)).toEqual(dumpLab(join(dir, 'whole.sqlite')));
  });

  it('refuses to merge files of different specs, writing nothing', async () => {
    const dir = tempDir();
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    writeFileSync(a, JSON.stringify({ ...SPEC, T: [8] }));
    writeFileSync(b, JSON.stringify({ ...SPEC, T: [8], H: 5 }));
    expect((await run(['sweep', a, '--db', join(dir, 'a.sqlite'), '--shard', '1/2'])).code).toBe(0);
    expect((await run(['sweep', b, '--db', join(dir, 'b.sqlite'), '--shard', '2/2'])).code).toBe(0);
    const into = join(dir, 'lab.sqlite');
    const r = spawnSync(process.execPath, [CLI, 'merge', join(dir, 'a.sqlite'), join(dir, 'b.sqlite'), '--into', into], {
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim()).toMatch(/^seqlab: b\.sqlite .* and a\.sqlite .* hold different sweep specs; refusing to merge$/);
    expect(existsSync(into)).toBe(false);
  });
});
