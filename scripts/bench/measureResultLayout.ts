// Measures the two candidate layouts for per-step results (see migrations/001_initial.sql):
// one BLOB per norm per probe (what SeqLab uses) vs one row per (probe, step).
//   npx tsx scripts/bench/measureResultLayout.ts
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';

const PROBES = 200;
const STEPS = 1024;
const NORMS = ['dh', 'dc', 'dWx', 'dWh', 'db'] as const;

function curves(): Float64Array[] {
  return NORMS.map(() => Float64Array.from({ length: STEPS }, (_, k) => -k * 0.37 - Math.random()));
}

function open(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

export function measure() {
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-layout-'));
  const data = Array.from({ length: PROBES }, curves);

  const blobPath = join(dir, 'blob.sqlite');
  const blob = open(blobPath);
  blob.exec('CREATE TABLE r (probe_id INTEGER PRIMARY KEY, steps INTEGER, dh BLOB, dc BLOB, dWx BLOB, dWh BLOB, db BLOB)');
  const putBlob = blob.prepare('INSERT OR REPLACE INTO r VALUES (?, ?, ?, ?, ?, ?, ?)');
  let t0 = performance.now();
  data.forEach((c, i) => blob.transaction(() => putBlob.run(i + 1, STEPS, ...c.map((a) => Buffer.from(a.buffer))))());
  const blobWriteMs = (performance.now() - t0) / PROBES;
  t0 = performance.now();
  const loadedBlob = (blob.prepare('SELECT dh FROM r ORDER BY probe_id').all() as { dh: Buffer }[]).map((r) => {
    const a = new Float64Array(STEPS);
    new Uint8Array(a.buffer).set(r.dh);
    return Array.from(a, (v) => (v === -Infinity ? null : v));
  });
  const blobLoadMs = performance.now() - t0;
  blob.close();

  const rowPath = join(dir, 'rows.sqlite');
  const rows = open(rowPath);
  rows.exec(
    'CREATE TABLE r (probe_id INTEGER, k INTEGER, dh REAL, dc REAL, dWx REAL, dWh REAL, db REAL, PRIMARY KEY (probe_id, k)) WITHOUT ROWID',
  );
  const putRow = rows.prepare('INSERT OR REPLACE INTO r VALUES (?, ?, ?, ?, ?, ?, ?)');
  t0 = performance.now();
  data.forEach((c, i) =>
    rows.transaction(() => {
      for (let k = 0; k < STEPS; k++) putRow.run(i + 1, k, c[0][k], c[1][k], c[2][k], c[3][k], c[4][k]);
    })(),
  );
  const rowWriteMs = (performance.now() - t0) / PROBES;
  t0 = performance.now();
  const byProbe = new Map<number, (number | null)[]>();
  for (const r of rows.prepare('SELECT probe_id, k, dh FROM r ORDER BY probe_id, k').raw().iterate() as IterableIterator<
    [number, number, number]
  >) {
    let a = byProbe.get(r[0]);
    if (!a) byProbe.set(r[0], (a = []));
    a.push(r[2]);
  }
  const rowLoadMs = performance.now() - t0;
  rows.pragma('wal_checkpoint(TRUNCATE)');
  rows.close();
  const size = (p: string) => statSync(p).size;
  const out = {
    probes: PROBES,
    steps: STEPS,
    blob: {
      writeMsPerProbe: +blobWriteMs.toFixed(3),
      load200CurvesMs: +blobLoadMs.toFixed(1),
      bytes: size(blobPath),
      curves: loadedBlob.length,
    },
    rows: {
      writeMsPerProbe: +rowWriteMs.toFixed(3),
      load200CurvesMs: +rowLoadMs.toFixed(1),
      bytes: size(rowPath),
      curves: byProbe.size,
    },
  };
  rmSync(dir, { recursive: true, force: true });
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(measure(), null, 1));
