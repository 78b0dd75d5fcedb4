import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LabStore } from '../store/labStore';
import { openLabDatabase } from '../store/openDatabase';
import { checkSweepSpec, specHash } from '../sweep/expandSweep';
import { tempDir } from '../testing/labTestSupport';
import { CSV_COLUMNS, exportCsvToFile, exportCsvToStream } from './csvExport';

/** A lab with fake results: 2 sweeps, RNN + LSTM probes of T steps. */
function fakeLab(T: number, seeds: number) {
  const dbPath = join(tempDir(), 'lab.sqlite');
  const db = openLabDatabase(dbPath);
  const store = new LabStore(db);
  const ids: number[] = [];
  for (const name of ['first', 'second']) {
    const check = checkSweepSpec({ name, archs: ['rnn', 'lstm'], T: [T], forgetBias: [2.5], seeds: { count: seeds }, N: 2, D: 2, H: 2 });
    if (!check.ok) throw new Error('rejected');
    const sweepId = store.createSweep(check.spec, specHash(check.spec), check.probes, check.probes.length);
    ids.push(sweepId);
    for (const p of store.listProbes(sweepId)) {
      const curve = Float64Array.from({ length: T }, (_, k) => -k);
      curve[0] = -Infinity; // exact zero
      curve[1] = -400; // below float64's range
      store.storeResult(p.id, {
        steps: T, seconds: 0, theory: { whSpectralNorm: 1, meanSlope: 1 },
        norms: { dh: curve, dWx: curve, dWh: curve, db: curve, dc: p.arch === 'lstm' ? curve : null },
      });
    }
  }
  db.close();
  return { dbPath, ids };
}

/** A slow destination with a tiny buffer, so the exporter must wait for 'drain'. */
class SlowSink extends Writable {
  chunks: string[] = [];
  constructor() {
    super({ highWaterMark: 256 });
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.chunks.push(chunk.toString());
    setImmediate(cb);
  }
}

describe('CSV export', () => {
  it('writes the tidy header and one row per (probe, step), with exact zeros and underflow handled', async () => {
    const { dbPath, ids } = fakeLab(8, 1);
    const out = join(tempDir(), 'out.csv');
    const rows = await exportCsvToFile({ dbPath, sweepIds: [ids[1]] }, out);
    expect(rows).toBe(2 * 8);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(17);
    expect(lines[1]).toBe('second,3,rnn,8,,1,2,2,2,scaled,1,0,0,7,0,7,0,,,,0,,0,,0,');
    expect(lines[2]).toBe('second,3,rnn,8,,1,2,2,2,scaled,1,0,0,7,1,6,0,-400,,,0,-400,0,-400,0,-400');
    expect(lines[12]).toBe('second,4,lstm,8,2.5,1,2,2,2,scaled,1,0,0,7,3,4,0.001,-3,0.001,-3,0.001,-3,0.001,-3,0.001,-3');
  });

  it('streams a large export through a slow destination (backpressure) without losing a row', async () => {
    const { dbPath } = fakeLab(1024, 20);
    const sink = new SlowSink();
    const rows = await exportCsvToStream({ dbPath }, sink);
    expect(rows).toBe(2 * 2 * 20 * 1024);
    const text = sink.chunks.join('');
    expect(text.trimEnd().split('\n')).toHaveLength(rows + 1);
  });

  it('reports a destination that fails', async () => {
    const { dbPath } = fakeLab(4, 1);
    await expect(exportCsvToFile({ dbPath }, join(tempDir(), 'missing-dir', 'x.csv'))).rejects.toThrow(/ENOENT/);
  });
});
