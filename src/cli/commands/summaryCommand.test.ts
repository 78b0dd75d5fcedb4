// `seqlab summary` on real lab files: sweeps run by the shipped CLI (real worker processes), read
// back by the shipped CLI.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProbeRatesRow } from '../../contract/probeRates';
import { CLI, tempDir } from '../../lab/testing/labTestSupport';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runSweep(spec: object): string {
  const dir = tempDir();
  const path = join(dir, 'spec.json');
  writeFileSync(path, JSON.stringify(spec));
  const db = join(dir, 'lab.sqlite');
  const r = cli(['sweep', path, '--db', db, '--workers', '1']);
  expect(r.code, r.stderr).toBe(0);
  return db;
}

/** The summary's CSV (no field of it holds a comma or a quote) as records by header. */
function parse(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trimEnd().split('\n');
  const names = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v])));
}

describe('seqlab summary', () => {
  const db = runSweep({
    name: 'rates',
    archs: ['rnn', 'lstm'],
    T: [40],
    forgetBias: [1],
    seeds: { count: 2 },
    N: 2,
    D: 2,
    H: 4,
    lyapunovVectors: 4,
  });

  it('prints one JSON row per probe: configuration, rate and horizon per norm, Lyapunov and theory', () => {
    const r = cli(['summary', '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as ProbeRatesRow[];
    expect(rows).toHaveLength(4);
    // The values themselves are checked against the engine in src/lab/probeRates.test.ts.
    for (const row of rows) {
      expect(row).toMatchObject({ sweep_id: 1, T: 40, N: 2, D: 2, H: 4, init: 'scaled', wh_gain: 1, loss_step: 39 });
      const norms = row.arch === 'lstm' ? ['dh', 'dc', 'dWx', 'dWh', 'db'] : ['dh', 'dWx', 'dWh', 'db'];
      expect(Object.keys(row.rate).sort()).toEqual([...norms].sort());
      expect(Object.keys(row.horizon).sort()).toEqual([...norms].sort());
      expect(typeof row.rate.dh).toBe('number');
      expect(row.lyapunov!.spectrum).toHaveLength(4);
      expect(row.lyapunov!.top).toBe(row.lyapunov!.spectrum[0]);
      expect(row.theory.cell_path === null).toBe(row.arch === 'rnn');
      expect(row.theory.mean_field === null).toBe(row.arch === 'lstm');
    }
    const csv = parse(cli(['summary', '--db', db, '--csv']).stdout);
    expect(csv.map((c) => Number(c.rate_dh))).toEqual(rows.map((row) => row.rate.dh));
    expect(csv.map((c) => Number(c.lyapunov_top))).toEqual(rows.map((row) => row.lyapunov!.top));
  });

  it("prints CSV with the export's configuration columns, then rate_<norm>, horizon_<norm> and the rates", () => {
    const r = cli(['summary', '--db', db, '--sweep', 'rates', '--csv']);
    expect(r.code, r.stderr).toBe(0);
    const records = parse(r.stdout);
    expect(records).toHaveLength(4);
    expect(Object.keys(records[0]).slice(0, 14)).toEqual([
      'sweep_id',
      'probe_id',
      'arch',
      'T',
      'forget_bias',
      'seed',
      'N',
      'D',
      'H',
      'init',
      'wh_gain',
      'h0_scale',
      'b_scale',
      'loss_step',
    ]);
    for (const c of [
      'rate_dh',
      'rate_tail_dh',
      'horizon_dh',
      'rate_dc',
      'lyapunov_top',
      'lyapunov_spectrum',
      'mean_field',
      'cell_path',
      'pmb_bound',
    ]) {
      expect(Object.keys(records[0])).toContain(c);
    }
    const rnn = records.find((x) => x.arch === 'rnn')!;
    expect(rnn.rate_dc).toBe('');
    expect(rnn.cell_path).toBe('');
    expect(Number(rnn.mean_field)).toBeLessThan(1);
    expect(rnn.lyapunov_spectrum.split(' ')).toHaveLength(4);
  });

  it('reads exact zeros as -inf with the horizon at the first zero (wh-gain 0), not as "never"', () => {
    const zero = runSweep({
      name: 'zero',
      archs: ['rnn'],
      T: [24],
      seeds: { count: 1 },
      N: 2,
      D: 2,
      H: 3,
      init: { scheme: 'scaled', whGain: 0 },
      lyapunovVectors: 4,
    });
    const csv = parse(cli(['summary', '--db', zero, '--csv']).stdout);
    expect(csv[0]).toMatchObject({ wh_gain: '0', rate_dh: '-inf', horizon_dh: '1', lyapunov_top: '-inf', mean_field: '-inf' });
    const json = JSON.parse(cli(['summary', '--db', zero, '--json']).stdout) as ProbeRatesRow[];
    expect(json[0].rate.dh).toBeNull();
    expect(json[0].horizon.dh).toBe(1);
    const table = cli(['summary', '--db', zero]).stdout;
    expect(table).toMatch(/-inf/);
  });

  it('a censored horizon reads "> loss step"; an unknown sweep is refused by name', () => {
    const slow = runSweep({ name: 'slow', archs: ['lstm'], T: [12], forgetBias: [6], seeds: { count: 1 }, N: 1, D: 2, H: 3 });
    const csv = parse(cli(['summary', '--db', slow, '--csv']).stdout);
    expect(csv[0].horizon_dc).toBe('>11');
    // No lyapunovVectors in the spec: the exponents are opt-in, so none were computed.
    expect(csv[0].lyapunov_top).toBe('');
    expect(JSON.parse(cli(['summary', '--db', slow, '--json']).stdout)[0].lyapunov).toBeNull();
    expect(cli(['summary', '--db', slow]).stdout).toMatch(/> 11/);
    const bad = cli(['summary', '--db', slow, '--sweep', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--sweep nope: no sweep with that name or id/);
    expect(cli(['summary', '--db', slow, '--json', '--csv']).stderr).toMatch(/--json and --csv/);
  });
});
