// `seqlab export` with two sweeps of the same name, through the real CLI on a real lab file:
// the CSV says which sweep each row is of (sweep_id), --sweep ID exports that one sweep, and
// --sweep NAME is refused listing the candidates.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SweepSummary } from '../../contract/labApi';
import { CLI, tempDir } from '../../lab/testing/labTestSupport';

const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

let dir: string;
let db: string;
let all: SweepSummary[];
/** The two named twin. */
let sweeps: SweepSummary[];

beforeAll(() => {
  dir = tempDir();
  db = join(dir, 'lab.sqlite');
  // Same name, different grids: two sweeps (the same spec twice would resume the first).
  for (const [i, name, T] of [
    [1, 'twin', [4, 8]],
    [2, 'twin', [6]],
    [3, 'solo', [3]],
  ] as const) {
    const spec = join(dir, `spec${i}.json`);
    writeFileSync(spec, JSON.stringify({ name, archs: ['rnn'], T, N: 1, D: 1, H: 2 }));
    const r = cli(['sweep', spec, '--db', db, '--workers', '1']);
    expect(r.status, r.stderr).toBe(0);
  }
  const status = cli(['status', '--db', db, '--json']);
  all = JSON.parse(status.stdout) as SweepSummary[];
  expect(all.map((s) => s.name)).toEqual(['twin', 'twin', 'solo']);
  sweeps = all.slice(0, 2);
});

const rowsOf = (csv: string) =>
  csv
    .trim()
    .split('\n')
    .map((l) => l.split(','));

describe('export of two sweeps of the same name', () => {
  it('has a sweep_id column telling their rows apart', () => {
    const out = join(dir, 'all.csv');
    expect(cli(['export', '--db', db, '--out', out]).status).toBe(0);
    const [head, ...rows] = rowsOf(readFileSync(out, 'utf8'));
    expect(head.slice(0, 3)).toEqual(['sweep', 'sweep_id', 'probe_id']);
    const ids = new Set(rows.map((r) => Number(r[1])));
    expect(ids).toEqual(new Set(all.map((s) => s.id)));
    // One row per probe and step: T = 4 and 8 for the first, 6 for the second.
    expect(rows.filter((r) => Number(r[1]) === sweeps[0].id)).toHaveLength(4 + 8);
    expect(rows.filter((r) => Number(r[1]) === sweeps[1].id)).toHaveLength(6);
  });

  it('--sweep ID exports that sweep alone', () => {
    const out = join(dir, 'one.csv');
    const r = cli(['export', '--db', db, '--out', out, '--sweep', String(sweeps[1].id)]);
    expect(r.status, r.stderr).toBe(0);
    const [, ...rows] = rowsOf(readFileSync(out, 'utf8'));
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((row) => Number(row[1])))).toEqual(new Set([sweeps[1].id]));
  });

  it('--sweep NAME is refused, listing each candidate with its id, name, creation and probes', () => {
    const out = join(dir, 'name.csv');
    const r = cli(['export', '--db', db, '--out', out, '--sweep', 'twin']);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe('seqlab: --sweep twin: 2 sweeps match; give the one you mean by its id:');
    expect(lines.slice(1)).toEqual(
      sweeps.map((s) => `  ${s.id}  "twin"  created ${s.createdAt}  ${s.probes.done}/${s.probes.total} probes done`),
    );
  });

  it('--sweep NAME of a name no other sweep has exports that sweep; an unknown one is refused', () => {
    const out = join(dir, 'solo.csv');
    const r = cli(['export', '--db', db, '--out', out, '--sweep', 'solo']);
    expect(r.status, r.stderr).toBe(0);
    const [, ...rows] = rowsOf(readFileSync(out, 'utf8'));
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((row) => Number(row[1])))).toEqual(new Set([all[2].id]));

    const missing = cli(['export', '--db', db, '--out', join(dir, 'missing.csv'), '--sweep', 'nobody']);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe(`seqlab: --sweep nobody: no sweep with that name or id in ${db}`);
  });
});
