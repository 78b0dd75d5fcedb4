// `--norms` on the built `seqlab probe` and `seqlab sweep`, run as a user would (node out/main/cli.js).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CLI, tempDir } from '../../lab/testing/labTestSupport';

function seqlab(...args: string[]) {
  const res = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

const PROBE = ['probe', '--arch', 'lstm', '--T', '12', '--N', '3', '--D', '2', '--H', '4', '--seed', '3', '--json'];

describe('--norms', () => {
  it('seqlab probe reports only the asked norms, each as the all-norms probe does', () => {
    const all = JSON.parse(seqlab(...PROBE).stdout);
    const r = seqlab(...PROBE, '--norms', 'dc,dh');
    expect(r.code).toBe(0);
    const some = JSON.parse(r.stdout);
    expect(Object.keys(some.last_loss.log10).sort()).toEqual(['dc', 'dh']);
    expect(some.last_loss.log10).toEqual({ dh: all.last_loss.log10.dh, dc: all.last_loss.log10.dc });
    expect(some.last_loss.dh).toEqual(all.last_loss.dh);
    expect(some.last_loss).not.toHaveProperty('dWx');
  });

  it('is refused naming the flag and the allowed names', () => {
    for (const bad of ['dh,dx', '', 'dh,,dc', 'dh,dh']) {
      const r = seqlab(...PROBE, '--norms', bad);
      expect(r.code, bad).toBe(2);
      expect(r.stderr, bad).toMatch(/--norms/);
      expect(r.stdout).toBe('');
    }
    expect(seqlab(...PROBE, '--norms', 'dh,dx').stderr).toContain('allowed: dh, dc, dWx, dWh, db');
  });

  it("seqlab sweep stores only the asked norms, in place of the spec's own", () => {
    const dir = tempDir();
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify({ name: 'cli norms', archs: ['lstm'], T: [6], N: 2, D: 2, H: 3, norms: ['dWx'] }));
    const db = join(dir, 'lab.sqlite');
    const r = seqlab('sweep', spec, '--db', db, '--workers', '1', '--norms', 'dh');
    expect(r.code, r.stderr).toBe(0);
    const lab = new Database(db, { readonly: true });
    const stored = lab.prepare('SELECT spec_json FROM sweeps').get() as { spec_json: string };
    const row = lab.prepare('SELECT dh, dc, dWx, dWh, db FROM probe_results').get() as Record<string, Buffer | null>;
    lab.close();
    expect(JSON.parse(stored.spec_json).norms).toEqual(['dh']);
    expect(row.dh).toBeInstanceOf(Buffer);
    expect([row.dc, row.dWx, row.dWh, row.db]).toEqual([null, null, null, null]);
    const refused = seqlab('sweep', spec, '--db', db, '--norms', 'h');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--norms: "h" is not a norm/);
  });
});
