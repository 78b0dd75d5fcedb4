// A sweep that asks for some of the norms (the spec's "norms"), through the service with real
// workers and a real SQLite file: only those are computed, stored, charted, exported and
// summarised, each equal to the engine's all-norms value.
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runProbe } from '../engine/index';
import { probeCostTerms } from '../engine/probeCost';
import { NORM_NAMES } from '../contract/labApi';
import { computedNorms, type SweepSpecInput } from '../contract/sweepSpec';
import { forkSpawner } from './runner/workerTransport';
import { CSV_COLUMNS, csvColumnsFor } from './export/csvExport';
import { checkSweepSpec, specHash } from './sweep/expandSweep';
import { HOST_SECONDS_PER_STORED_VALUE, estimateProbes } from './sweep/estimateSweep';
import { sweepProbeSettings } from './sweep/sweepProbeSettings';
import { tempDir, WORKER } from './testing/labTestSupport';
import { openLabService, type LabService } from './labService';

const SPEC: SweepSpecInput = { name: 'dh and dc', archs: ['rnn', 'lstm'], T: [12, 20], seeds: [1, 2], N: 3, D: 2, H: 4 };

const open: LabService[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

const checked = (input: SweepSpecInput) => {
  const c = checkSweepSpec(input);
  if (!c.ok) throw new Error(JSON.stringify(c.issues));
  return c;
};

describe('the spec field "norms"', () => {
  it('a spec without it keeps its hash: no default is filled in, and listing all five is the same spec', () => {
    const without = checked(SPEC).spec;
    expect(JSON.stringify(without)).not.toContain('norms');
    expect(computedNorms(without)).toEqual([...NORM_NAMES]);
    expect(specHash(checked({ ...SPEC, norms: ['db', 'dWh', 'dWx', 'dc', 'dh'] }).spec)).toBe(specHash(without));
  });

  it('is order-insensitive, and a different choice is a different sweep', () => {
    const a = checked({ ...SPEC, norms: ['dc', 'dh'] }).spec;
    const b = checked({ ...SPEC, norms: ['dh', 'dc'] }).spec;
    expect(a.norms).toEqual(['dh', 'dc']);
    expect(specHash(a)).toBe(specHash(b));
    expect(specHash(a)).not.toBe(specHash(checked(SPEC).spec));
    expect(specHash(a)).not.toBe(specHash(checked({ ...SPEC, norms: ['dh'] }).spec));
  });

  it('refuses an empty list, an unknown name and a repeated one, naming the field', () => {
    for (const norms of [[], ['dx'], ['dh', 'dh']]) {
      const c = checkSweepSpec({ ...SPEC, norms });
      expect(c.ok).toBe(false);
      if (!c.ok) expect(c.issues[0].path).toMatch(/^norms/);
    }
  });

  it('the estimate counts only the asked norms: fewer stored curves and less work', () => {
    const all = checked({ ...SPEC, N: 64 });
    const dh = checked({ ...SPEC, N: 64, norms: ['dh'] });
    // Slow enough that each probe's engine time hides the host's handling of the one before.
    const speed = { perWork: 1e-6, perStep: 1e-6 };
    const eAll = estimateProbes(all.probes, 1, speed, sweepProbeSettings(all.spec));
    const eDh = estimateProbes(dh.probes, 1, speed, sweepProbeSettings(dh.spec));
    // Per arch, 2 seeds x T in {12, 20}: the RNN stores 4 curves per step, the LSTM 5; dh alone one.
    expect(eAll.norms).toBe(2 * (12 + 20) * 4 + 2 * (12 + 20) * 5);
    expect(eDh.norms).toBe(2 * 2 * (12 + 20));
    // Model output under the fabricated speed above, not a timing: the seconds saved are the
    // work the dh-only probes skip, at its price (their steps and once-per-probe work are the same),
    // and at most the host's storing of the values they do not store besides.
    const workSaved = all.probes.reduce(
      (sum, p, i) => sum + probeCostTerms(p.config).work - probeCostTerms(dh.probes[i].config, { norms: ['dh'] }).work,
      0,
    );
    expect(workSaved).toBeGreaterThan(0);
    const saved = eAll.seconds - eDh.seconds;
    expect(saved).toBeGreaterThanOrEqual(speed.perWork * workSaved - 1e-12);
    expect(saved).toBeLessThanOrEqual(
      speed.perWork * workSaved + HOST_SECONDS_PER_STORED_VALUE * (eAll.norms - eDh.norms) + 1e-12,
    );
  });
});

describe('a sweep of some norms, real workers and a real SQLite file', () => {
  it('stores, charts, exports and summarises only the asked norms, each as the all-norms probe has it', async () => {
    const service = await openLabService({ dbPath: join(tempDir(), 'lab.sqlite'), workers: 2, spawnWorker: forkSpawner(WORKER) });
    open.push(service);
    const queued = unwrap(await service.queueSweep({ ...SPEC, norms: ['dc', 'dh'] }));
    expect(unwrap(await service.waitForSweep(queued.id)).status).toBe('done');
    expect(unwrap(await service.getSweep(queued.id)).spec.norms).toEqual(['dh', 'dc']);

    for (const norm of ['dh', 'dc'] as const) {
      const set = unwrap(await service.loadCurves({ sweepId: queued.id, norm }));
      expect(set.curves).toHaveLength(norm === 'dc' ? 4 : 8);
      for (const c of set.curves) {
        const direct = runProbe({ arch: c.arch, T: c.T, N: 3, D: 2, H: 4, seed: c.seed }).lossStepNorms[norm]!;
        expect(c.log10).toEqual(Array.from(direct, (v) => (v === -Infinity ? null : v)));
      }
    }
    for (const norm of ['dWx', 'dWh', 'db'] as const) {
      const refused = await service.loadCurves({ sweepId: queued.id, norm });
      expect(refused.ok).toBe(false);
      if (refused.ok) continue;
      expect(refused.error.code).toBe('invalid-argument');
      expect(refused.error.issues?.[0].path).toBe('norm');
      expect(refused.error.message).toContain(norm);
    }

    const out = new Collect();
    unwrap(await service.exportCsvToStream({ sweepIds: [queued.id] }, out));
    const lines = out.text.trimEnd().split('\n');
    const header = csvColumnsFor(['dh', 'dc']);
    expect(lines[0]).toBe(header.join(','));
    expect(header).not.toContain('dWx');
    expect(lines).toHaveLength(1 + 4 * 12 + 4 * 20);
    const at = (r: string[], column: string) => r[header.indexOf(column)];
    const lstmRow = lines
      .map((l) => l.split(','))
      .find((r) => at(r, 'arch') === 'lstm' && at(r, 'T') === '20' && at(r, 'seed') === '2' && at(r, 'k') === '3')!;
    const lstm = runProbe({ arch: 'lstm', T: 20, N: 3, D: 2, H: 4, seed: 2 }).lossStepNorms;
    expect(Number(lstmRow[header.indexOf('log10_dh')])).toBe(lstm.dh[3]);
    expect(Number(lstmRow[header.indexOf('log10_dc')])).toBe(lstm.dc![3]);

    const rates = unwrap(await service.loadProbeRates({ sweepIds: [queued.id] }));
    expect(rates).toHaveLength(8);
    for (const r of rates) expect(Object.keys(r.rate).sort()).toEqual(r.arch === 'lstm' ? ['dc', 'dh'] : ['dh']);
  });

  it('an export of two sweeps, one of all norms, has every column, empty where a probe has no curve', async () => {
    const service = await openLabService({ dbPath: join(tempDir(), 'lab.sqlite'), workers: 1, spawnWorker: forkSpawner(WORKER) });
    open.push(service);
    const some = unwrap(await service.queueSweep({ ...SPEC, name: 'dh', archs: ['rnn'], T: [5], seeds: [1], norms: ['dh'] }));
    const all = unwrap(await service.queueSweep({ ...SPEC, name: 'all', archs: ['rnn'], T: [5], seeds: [1] }));
    unwrap(await service.waitForSweep(some.id));
    unwrap(await service.waitForSweep(all.id));
    const out = new Collect();
    unwrap(await service.exportCsvToStream({ sweepIds: [some.id, all.id] }, out));
    const rows = out.text
      .trimEnd()
      .split('\n')
      .map((l) => l.split(','));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const dWx = CSV_COLUMNS.indexOf('log10_dWx');
    expect(rows.filter((r) => r[0] === 'dh').map((r) => r[dWx])).toEqual(['', '', '', '', '']);
    expect(rows.filter((r) => r[0] === 'all').every((r) => r[dWx] !== '')).toBe(true);
  });
});
