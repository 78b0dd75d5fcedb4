// Helpers for the sweep tests: temp folders, the built CLI/worker, and a comparable dump of a
// lab file (everything but timings and attempt counts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll } from 'vitest';
import type { SweepSpecInput } from '../../contract/sweepSpec';
import { findPackageRoot } from '../store/packageRoot';
import { shippedBuild, testBuild } from './appBuilds';
import type { LabStore } from '../store/labStore';
import { checkSweepSpec, specHash } from '../sweep/expandSweep';

export const ROOT = findPackageRoot();
export const CLI = shippedBuild(ROOT).cli;
export const WORKER = shippedBuild(ROOT).worker;
/** The test build's CLI and worker: the same code plus the worker's SEQLAB_TEST_FAIL_FILE hook. */
export const TEST_HOOKS_CLI = testBuild(ROOT).cli;
export const TEST_HOOKS_WORKER = testBuild(ROOT).worker;

const made: string[] = [];

// Each test file that uses these helpers removes its folders when done (keep: SEQLAB_KEEP_TMP=1).
afterAll(() => {
  if (process.env.SEQLAB_KEEP_TMP) return;
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh folder in os.tmpdir(), removed after the test file. */
export function tempDir(prefix = 'seqlab-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export interface LabDump {
  sweeps: unknown[];
  probes: unknown[];
}

/** The lab's content without timestamps, durations or attempt counts. */
export function dumpLab(path: string): LabDump {
  const db = new Database(path, { readonly: true });
  try {
    const sweeps = db.prepare('SELECT id, name, spec_json, spec_hash, status, total_probes FROM sweeps ORDER BY id').all();
    const probes = db
      .prepare(
        `SELECT p.id, p.sweep_id, p.idx, p.arch, p.T, p.forget_bias, p.seed, p.N, p.D, p.H, p.init_scheme, p.wh_gain,
                p.h0_scale, p.b_scale, p.loss_step, p.config_json, p.status, p.error, p.wh_spectral_norm, p.mean_slope,
                r.steps, hex(r.dh) AS dh, hex(r.dc) AS dc, hex(r.dWx) AS dWx, hex(r.dWh) AS dWh, hex(r.db) AS db
         FROM probes p LEFT JOIN probe_results r ON r.probe_id = p.id ORDER BY p.id`,
      )
      .all();
    return { sweeps, probes };
  } finally {
    db.close();
  }
}

export function integrityCheck(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

export function countRows(path: string, sql: string, ...params: unknown[]): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(sql).get(...params) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Polls cond (a throw, e.g. a file not created yet, counts as false). */
export async function waitUntil(cond: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  const check = (): boolean => {
    try {
      return cond();
    } catch {
      return false;
    }
  };
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Adds the sweep a spec expands to, as queueSweep would, for tests that fill a store by hand. */
export function addTestSweep(store: LabStore, spec: SweepSpecInput): number {
  const check = checkSweepSpec(spec);
  if (!check.ok) throw new Error(`test spec rejected: ${JSON.stringify(check.issues)}`);
  return store.createSweep(check.spec, specHash(check.spec), check.probes, check.probes.length);
}
