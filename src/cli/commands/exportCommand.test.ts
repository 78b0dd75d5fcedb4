// `seqlab export` writes its file whole: on a real full disk (a tiny tmpfs) it fails saying
// "disk full", leaves no partial file and keeps a previous export as it was; the service's export
// to a path (the app's save dialog) does the same. And a CSV is safe to open in a spreadsheet.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLabService, type LabService } from '../../lab/labService';
import { CLI, tempDir } from '../../lab/testing/labTestSupport';
import { smallFileSystem } from '../../lab/testing/mounts';

let service: LabService;
let db: string;

const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

beforeAll(async () => {
  db = join(tempDir(), 'lab.sqlite');
  service = await openLabService({ dbPath: db, workers: 2 });
  // About 1 MB of CSV, far more than the 64 KiB disk below.
  for (const spec of [
    { name: 'long', archs: ['rnn' as const], T: [2000], seeds: { count: 5 }, N: 1, D: 1, H: 2 },
    { name: '=HYPERLINK("http://x")', archs: ['rnn' as const, 'lstm' as const], T: [3], forgetBias: [-2, 1], N: 1, D: 1, H: 1 },
  ]) {
    const q = await service.queueSweep(spec);
    if (!q.ok) throw new Error(q.error.message);
    await service.waitForSweep(q.value.id);
  }
});

afterAll(async () => {
  await service?.close();
});

describe('an export onto a full disk', () => {
  it('fails saying "disk full", leaves nothing behind, and keeps the previous export as it was', (ctx) => {
    const disk = smallFileSystem(64);
    if ('skip' in disk) {
      console.log(`[exportCommand] skipped: ${disk.skip}`);
      return ctx.skip();
    }
    const out = join(disk.path, 'results.csv');
    const r = cli(['export', '--db', db, '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`seqlab: --out ${out}: cannot write ${out}: disk full (ENOSPC); nothing was written`);
    expect(readdirSync(disk.path)).toEqual([]);

    writeFileSync(out, 'the previous export\n');
    expect(cli(['export', '--db', db, '--out', out]).status).toBe(1);
    expect(readdirSync(disk.path)).toEqual(['results.csv']);
    expect(readFileSync(out, 'utf8')).toBe('the previous export\n');

    const small = cli(['export', '--db', db, '--out', out, '--sweep', '=HYPERLINK("http://x")']);
    expect(small.status, small.stderr).toBe(0);
    expect(readdirSync(disk.path)).toEqual(['results.csv']);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toMatch(/^sweep,sweep_id,probe_id,arch,/);
  });

  it("through the service (the app's save dialog): a disk-full Result, nothing written", async (ctx) => {
    const disk = smallFileSystem(64);
    if ('skip' in disk) {
      console.log(`[exportCommand] skipped: ${disk.skip}`);
      return ctx.skip();
    }
    const out = join(disk.path, 'chosen.csv');
    const r = await service.exportCsvToFile({}, out);
    expect(r).toMatchObject({ ok: false, error: { message: `cannot write ${out}: disk full (ENOSPC); nothing was written` } });
    expect(readdirSync(disk.path)).toEqual([]);
  });
});

describe('CSV cells a spreadsheet would run', () => {
  it('quotes a sweep name that starts like a formula, and leaves numbers (negative ones too) as numbers', () => {
    const out = join(tempDir(), 'formula.csv');
    const r = cli(['export', '--db', db, '--out', out, '--sweep', '=HYPERLINK("http://x")']);
    expect(r.status, r.stderr).toBe(0);
    const [header, ...lines] = readFileSync(out, 'utf8').trimEnd().split('\n');
    const columns = header.split(',');
    // The name holds a quote and a comma, so it is a quoted field; every other cell is plain.
    const quotedName = `"'=HYPERLINK(""http://x"")"`;
    const rows = lines.map((line) => {
      expect(line.startsWith(`${quotedName},`), line).toBe(true);
      const cells = [`'=HYPERLINK("http://x")`, ...line.slice(quotedName.length + 1).split(',')];
      return Object.fromEntries(columns.map((c, i) => [c, cells[i]]));
    });
    expect(rows.length).toBe(3 + 2 * 3);
    for (const row of rows) expect(row.sweep).toBe(`'=HYPERLINK("http://x")`);
    const lstm = rows.filter((row) => row.arch === 'lstm');
    expect(new Set(lstm.map((row) => row.forget_bias))).toEqual(new Set(['-2', '1']));
    expect(lstm.some((row) => Number(row.log10_dh) < 0 && /^-\d/.test(row.log10_dh))).toBe(true);
  });
});
