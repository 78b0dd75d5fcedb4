// The service's new calls (checkSweep, resolveSweeps) and the read-only reader the CLI's status
// and export go through, over real SQLite files and real worker processes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SweepSpecInput } from '../contract/sweepSpec';
import { countRows, tempDir } from './testing/labTestSupport';
import { LabFileError, openLabService, type LabService } from './labService';
import { openLabReader, type LabReader } from './labReader';

const SPEC: SweepSpecInput = {
  name: 'reads',
  archs: ['rnn', 'lstm'],
  T: [8, 12],
  forgetBias: [0, 1],
  seeds: [1],
  N: 2,
  D: 2,
  H: 3,
};

const services: LabService[] = [];
const readers: LabReader[] = [];
afterEach(async () => {
  for (const r of readers.splice(0)) r.close();
  while (services.length) await services.pop()!.close();
});

function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

/** A lab with three finished sweeps: "reads" twice (same name, different seeds) and "other". */
async function labWithSweeps() {
  const dbPath = join(tempDir(), 'lab.sqlite');
  const service = await openLabService({ dbPath, workers: 1 });
  services.push(service);
  const ids: number[] = [];
  for (const spec of [SPEC, { ...SPEC, seeds: [2] }, { ...SPEC, name: 'other', archs: ['rnn'] as ('rnn' | 'lstm')[] }]) {
    const queued = unwrap(await service.queueSweep(spec));
    unwrap(await service.waitForSweep(queued.id));
    ids.push(queued.id);
  }
  return { dbPath, service, ids };
}

describe('checkSweep', () => {
  it('returns the spec with its defaults and the probe count, queueing nothing', async () => {
    const dbPath = join(tempDir(), 'lab.sqlite');
    const service = await openLabService({ dbPath, workers: 1 });
    services.push(service);
    const checked = unwrap(await service.checkSweep(SPEC));
    expect(checked.probes).toBe(2 * (1 + 2));
    expect(checked.spec).toMatchObject({ name: 'reads', rng: 'numpy', lossStep: 'last', init: { scheme: 'scaled', whGain: 1 } });
    const bad = await service.checkSweep({ ...SPEC, T: [0, 8], H: 65_537 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('invalid-argument');
      expect(bad.error.issues).toEqual(
        expect.arrayContaining([
          { path: 'T.0', message: 'T must be an integer in [1, 1000000]; got 0' },
          { path: 'H', message: 'H must be an integer in [1, 65536]; got 65537' },
        ]),
      );
    }
    expect(unwrap(await service.listSweeps())).toEqual([]);
    expect(countRows(dbPath, 'SELECT count(*) AS n FROM probes')).toBe(0);
  });
});

describe('a closed lab', () => {
  it('answers unavailable, not conflict', async () => {
    const { service, ids } = await labWithSweeps();
    await service.close();
    const closedCalls = [
      await service.cancelSweep(ids[0]),
      await service.queueSweep(SPEC),
      await service.resolveSweeps(['reads']),
      await service.exportCsvToFile({}, join(tempDir(), 'x.csv')),
    ];
    for (const r of closedCalls) {
      expect(r.ok || r.error).toEqual({ code: 'unavailable', message: 'the lab is closed' });
    }
  });
});

describe('resolveSweeps', () => {
  it('finds sweeps by name (every sweep of it) or id, once each in the order asked, and names the first it cannot find', async () => {
    const { service, ids } = await labWithSweeps();
    expect(unwrap(await service.resolveSweeps(['other', 'reads']))).toEqual([ids[2], ids[0], ids[1]]);
    expect(unwrap(await service.resolveSweeps([String(ids[1]), ' reads ', 'other', String(ids[2])]))).toEqual([
      ids[1],
      ids[0],
      ids[2],
    ]);
    expect(unwrap(await service.resolveSweeps([]))).toEqual([]);
    const missing = await service.resolveSweeps(['other', 'nope', '999']);
    expect(missing).toEqual({
      ok: false,
      error: {
        code: 'not-found',
        message: 'no sweep with that name or id: nope',
        issues: [{ path: '1', message: 'no sweep with that name or id: nope' }],
      },
    });
    const bad = await service.resolveSweeps([''] as string[]);
    expect(bad.ok || bad.error.code).toBe('invalid-argument');
  });

  it('prefers a sweep named like a number over the sweep with that id', async () => {
    const { service, ids } = await labWithSweeps();
    const named = unwrap(await service.queueSweep({ ...SPEC, name: String(ids[0]) }));
    unwrap(await service.waitForSweep(named.id));
    expect(unwrap(await service.resolveSweeps([String(ids[0])]))).toEqual([named.id]);
  });
});

describe('the read-only reader', () => {
  it('reads beside the service that holds the file: the same summaries, names, and CSV', async () => {
    const { dbPath, service, ids } = await labWithSweeps();
    const reader = openLabReader({ dbPath });
    readers.push(reader);
    const fromService = unwrap(await service.listSweeps());
    const fromReader = unwrap(await reader.listSweeps());
    // What differs by when a summary is read: the live rate, and the revision (the read's time).
    const stable = (s: (typeof fromService)[number]) => ({ ...s, throughput: null, etaSeconds: null, revision: 0 });
    expect(fromReader.map(stable)).toEqual(fromService.map(stable));
    expect(fromReader.map((s) => [s.name, s.status, s.probes.done])).toEqual([
      ['reads', 'done', 6],
      ['reads', 'done', 6],
      ['other', 'done', 2],
    ]);
    expect(unwrap(await reader.resolveSweeps(['reads']))).toEqual([ids[0], ids[1]]);

    const dir = tempDir();
    const byReader = unwrap(await reader.exportCsvToFile({ sweepIds: [ids[0], ids[2]] }, join(dir, 'reader.csv')));
    const byService = unwrap(await service.exportCsvToFile({ sweepIds: [ids[0], ids[2]] }, join(dir, 'service.csv')));
    // One row per probe and step: "reads" has an RNN and two LSTMs per T, "other" one RNN per T.
    expect(byReader).toEqual({ rows: (1 + 2) * (8 + 12) + (8 + 12), location: join(dir, 'reader.csv') });
    expect(byReader.rows).toBe(byService.rows);
    expect(readFileSync(byReader.location, 'utf8')).toBe(readFileSync(byService.location, 'utf8'));
    const unknown = await reader.exportCsvToFile({ sweepIds: [999] }, join(dir, 'none.csv'));
    expect(unknown.ok || unknown.error.code).toBe('not-found');
    reader.close();
    const closed = await reader.listSweeps();
    expect(closed.ok || closed.error.code).toBe('unavailable');
  });

  it('refuses a file that is not a lab, leaving it untouched', () => {
    const path = join(tempDir(), 'notes.sqlite');
    writeFileSync(path, 'not a database');
    expect(() => openLabReader({ dbPath: path })).toThrow(LabFileError);
    expect(() => openLabReader({ dbPath: path })).toThrow(/is not a SQLite database/);
    expect(readFileSync(path, 'utf8')).toBe('not a database');
  });
});
