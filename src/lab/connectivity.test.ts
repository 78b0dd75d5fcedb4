// Connectivity tables on a real lab file: computed by a real worker process on demand, equal to
// the engine's loss table at the sampled steps, stored (a reopened lab answers from the file),
// and refused above CONNECTIVITY_MAX_T with what it would cost.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runProbe, type ProbeConfig } from '../engine/index';
import { CONNECTIVITY_GRID_MAX, CONNECTIVITY_MAX_T, connectivitySteps, type ConnectivityTable } from '../contract/connectivity';
import type { NormName } from '../contract/labApi';
import type { SweepSpecInput } from '../contract/sweepSpec';
import { forkSpawner } from './runner/workerTransport';
import { tempDir, WORKER } from './testing/labTestSupport';
import { openLabService, type LabService } from './labService';
import { openReadOnlyLab } from './readOnlyLab';
import { ConnectivityService } from './connectivity';
import { ConnectivityStore } from './store/connectivityStore';
import { LabStore } from './store/labStore';
import { openLabDatabase } from './store/openDatabase';
import { speedModelInProcess } from './sweep/estimateSweep';

const open: LabService[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function openLab(dbPath: string): Promise<LabService> {
  const lab = await openLabService({ dbPath, workers: 1, spawnWorker: forkSpawner(WORKER) });
  open.push(lab);
  return lab;
}

function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

async function runSweep(lab: LabService, spec: SweepSpecInput): Promise<number> {
  const s = unwrap(await lab.queueSweep(spec));
  unwrap(await lab.waitForSweep(s.id));
  return s.id;
}

/** Polls until the table is ready (it may be computed in the first call's wait already). */
async function table(lab: LabService, probeId: number, norm: NormName): Promise<{ table: ConnectivityTable; polls: number }> {
  for (let polls = 1; ; polls++) {
    const a = unwrap(await lab.loadConnectivity({ probeId, norm }));
    if (a.status === 'ready') return { table: a.table, polls };
    expect(a.done).toBeLessThanOrEqual(a.total);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('connectivity tables', () => {
  it('computes in a worker what the engine computes, stores it, and reads it back from the file', async () => {
    const dbPath = join(tempDir(), 'lab.sqlite');
    let lab = await openLab(dbPath);
    const sweepId = await runSweep(lab, {
      name: 'c',
      archs: ['rnn', 'lstm'],
      T: [20, 300],
      forgetBias: [1],
      seeds: [1],
      N: 2,
      D: 2,
      H: 3,
    });
    const probes = unwrap(await lab.getSweep(sweepId)).probes;
    const db = new Database(dbPath, { readonly: true });
    const configOf = (id: number) =>
      JSON.parse(
        (db.prepare('SELECT config_json FROM probes WHERE id = ?').get(id) as { config_json: string }).config_json,
      ) as ProbeConfig;

    for (const p of probes) {
      const norms: NormName[] = p.arch === 'lstm' ? ['dh', 'dc', 'dWh'] : ['dh', 'db'];
      const want = runProbe(configOf(p.id), { lossTable: true }).lossTable!;
      for (const norm of norms) {
        const { table: got } = await table(lab, p.id, norm);
        expect(got.steps).toEqual(connectivitySteps(p.T));
        expect(got.steps.length).toBe(Math.min(p.T, CONNECTIVITY_GRID_MAX));
        expect([got.steps[0], got.steps.at(-1)]).toEqual([0, p.T - 1]);
        const n = got.steps.length;
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            const v = got.log10[i * n + j];
            if (j > i) expect(v).toBeNull();
            else {
              const exact = want[got.steps[i]][norm]![got.steps[j]];
              expect(v).toBe(exact === -Infinity ? null : exact);
            }
          }
      }
    }
    const rnn = probes.find((p) => p.arch === 'rnn')!;
    const dcOfRnn = await lab.loadConnectivity({ probeId: rnn.id, norm: 'dc' });
    expect(dcOfRnn.ok ? null : dcOfRnn.error.code).toBe('invalid-argument');

    // Stored: one row per probe in the file; a reopened lab (read-only, which cannot compute) answers from it.
    expect((db.prepare('SELECT COUNT(*) AS n FROM connectivity_tables').get() as { n: number }).n).toBe(probes.length);
    db.close();
    const before = (await table(lab, rnn.id, 'dh')).table;
    await open.pop()!.close();
    const reader = openReadOnlyLab({ dbPath });
    try {
      const again = unwrap(await reader.loadConnectivity({ probeId: rnn.id, norm: 'dh' }));
      expect(again.status).toBe('ready');
      expect(again.status === 'ready' && again.table).toEqual(before);
    } finally {
      await reader.close();
    }
    lab = await openLab(dbPath);
    expect(unwrap(await lab.loadConnectivity({ probeId: rnn.id, norm: 'dh' })).status).toBe('ready');
  });

  it(`refuses above T = ${CONNECTIVITY_MAX_T}, saying what it would cost; a read-only lab refuses to compute`, async () => {
    const dbPath = join(tempDir(), 'lab.sqlite');
    const lab = await openLab(dbPath);
    const sweepId = await runSweep(lab, {
      name: 'long',
      archs: ['rnn'],
      T: [CONNECTIVITY_MAX_T + 1, 16],
      seeds: [1],
      N: 1,
      D: 1,
      H: 1,
    });
    const probes = unwrap(await lab.getSweep(sweepId)).probes;
    const long = probes.find((p) => p.T > CONNECTIVITY_MAX_T)!;
    const r = await lab.loadConnectivity({ probeId: long.id, norm: 'dh' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid-argument');
    expect(r.error.issues?.[0].path).toBe('T');
    const backwardSteps = connectivitySteps(long.T).reduce((s, t) => s + t + 1, 0);
    expect(r.error.message).toContain(`T = ${long.T}`);
    expect(r.error.message).toContain(`up to ${CONNECTIVITY_MAX_T}`);
    expect(r.error.message).toContain(`${backwardSteps.toLocaleString('en-US')} backward steps`);
    expect(r.error.message).toMatch(/about \d+(\.\d)? (s|min|h) on this machine/);
    const bad = await lab.loadConnectivity({ probeId: 999_999, norm: 'dh' });
    expect(bad.ok ? null : bad.error.code).toBe('not-found');
    const malformed = await lab.loadConnectivity({ probeId: -1, norm: 'dh' } as never);
    expect(malformed.ok ? null : malformed.error.code).toBe('invalid-argument');

    await open.pop()!.close();
    const reader = openReadOnlyLab({ dbPath });
    try {
      const short = probes.find((p) => p.T === 16)!;
      const refused = await reader.loadConnectivity({ probeId: short.id, norm: 'dh' });
      expect(refused.ok ? null : refused.error.code).toBe('read-only');
    } finally {
      await reader.close();
    }
  });

  it("answers 'computing' with its progress in backward steps while the worker runs, one worker per table", async () => {
    const dbPath = join(tempDir(), 'lab.sqlite');
    const lab = await openLab(dbPath);
    const sweepId = await runSweep(lab, { name: 'p', archs: ['lstm'], T: [200], forgetBias: [1], seeds: [1], N: 2, D: 2, H: 3 });
    const [probe] = unwrap(await lab.getSweep(sweepId)).probes;
    await open.pop()!.close();

    const db = openLabDatabase(dbPath);
    const store = new LabStore(db);
    let spawned = 0;
    const spawn = forkSpawner(WORKER);
    const service = new ConnectivityService({
      store,
      tables: new ConnectivityStore(db),
      spawn: () => {
        spawned++;
        return spawn();
      },
      speed: async () => speedModelInProcess(),
      // Answer at once, so the first answer is always the progress of a table being computed.
      answerWithinMs: 0,
    });
    try {
      const total = connectivitySteps(200).reduce((sum, t) => sum + t + 1, 0);
      const first = unwrap(await service.load({ probeId: probe.id, norm: 'dh' }));
      expect(first).toMatchObject({ status: 'computing', probeId: probe.id, done: 0, total });
      const seen: number[] = [];
      for (;;) {
        const a = unwrap(await service.load({ probeId: probe.id, norm: 'dh' }));
        if (a.status === 'ready') break;
        expect(a.total).toBe(total);
        seen.push(a.done);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(seen.every((d) => d <= total)).toBe(true);
      expect(spawned).toBe(1);
    } finally {
      service.close();
      db.close();
    }
  });
});
