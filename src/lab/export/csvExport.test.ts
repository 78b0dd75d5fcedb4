import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LabStore } from '../store/labStore';
import { openLabDatabase } from '../store/openDatabase';
import { addTestSweep, tempDir } from '../testing/labTestSupport';
import { CSV_COLUMNS, exportCsvToFile, exportCsvToStream } from './csvExport';

/** A lab with fake results: 2 sweeps, RNN + LSTM probes of T steps. */
function fakeLab(T: number, seeds: number) {
  const dbPath = join(tempDir(), 'lab.sqlite');
  const db = openLabDatabase(dbPath);
  const store = new LabStore(db);
  const ids: number[] = [];
  for (const name of ['first', 'second']) {
    const sweepId = addTestSweep(store, {
      name,
      archs: ['rnn', 'lstm'],
      T: [T],
      forgetBias: [2.5],
      seeds: { count: seeds },
      N: 2,
      D: 2,
      H: 2,
    });
    ids.push(sweepId);
    for (const p of store.listProbes(sweepId)) {
      const curve = Float64Array.from({ length: T }, (_, k) => -k);
      curve[0] = -Infinity; // exact zero
      curve[1] = -400; // below float64's range
      store.storeResult(p.id, {
        steps: T,
        seconds: 0,
        theory: { whSpectralNorm: 1, meanSlope: 1 },
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
    expect(lines[1]).toBe('second,2,3,rnn,8,,1,2,2,2,scaled,1,0,0,7,0,7,0,,,,0,,0,,0,');
    expect(lines[2]).toBe('second,2,3,rnn,8,,1,2,2,2,scaled,1,0,0,7,1,6,0,-400,,,0,-400,0,-400,0,-400');
    expect(lines[12]).toBe('second,2,4,lstm,8,2.5,1,2,2,2,scaled,1,0,0,7,3,4,0.001,-3,0.001,-3,0.001,-3,0.001,-3,0.001,-3');
  });

  it('streams a large export through a slow destination (backpressure) without losing a row', async () => {
    const { dbPath } = fakeLab(1024, 20);
    const sink = new SlowSink();
    const rows = await exportCsvToStream({ dbPath }, sink);
    expect(rows).toBe(2 * 2 * 20 * 1024);
    const text = sink.chunks.join('');
    expect(text.trimEnd().split('\n')).toHaveLength(rows + 1);
  });

  it('prefixes text cells that a spreadsheet would run as a formula with a quote, and only those', async () => {
    const dbPath = join(tempDir(), 'lab.sqlite');
    const db = openLabDatabase(dbPath);
    const store = new LabStore(db);
    const names = ['+1+1', '-2+3', '@SUM(A1:A9)', '=1+1', 'plain -name', "'already quoted"];
    for (const name of names) {
      const sweepId = addTestSweep(store, { name, archs: ['lstm'], T: [2], forgetBias: [-2], N: 1, D: 1, H: 1 });
      for (const p of store.listProbes(sweepId)) {
        const curve = Float64Array.from([-400, -1]);
        store.storeResult(p.id, {
          steps: 2,
          seconds: 0,
          theory: { whSpectralNorm: 1, meanSlope: 1 },
          norms: { dh: curve, dWx: curve, dWh: curve, db: curve, dc: curve },
        });
      }
    }
    db.close();
    const out = join(tempDir(), 'out.csv');
    await exportCsvToFile({ dbPath }, out);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n').slice(1);
    expect(lines.map((l) => l.split(',')[0])).toEqual([
      "'+1+1",
      "'+1+1",
      "'-2+3",
      "'-2+3",
      "'@SUM(A1:A9)",
      "'@SUM(A1:A9)",
      "'=1+1",
      "'=1+1",
      'plain -name',
      'plain -name',
      "'already quoted",
      "'already quoted",
    ]);
    // Numbers stay numbers: a negative bias and negative log10 values are not touched.
    expect(lines[0].split(',').slice(3, 6)).toEqual(['lstm', '2', '-2']);
    expect(lines[0].split(',')[18]).toBe('-400');
  });

  it('reports a destination that fails', async () => {
    const { dbPath } = fakeLab(4, 1);
    await expect(exportCsvToFile({ dbPath }, join(tempDir(), 'missing-dir', 'x.csv'))).rejects.toThrow(/ENOENT/);
  });
});
