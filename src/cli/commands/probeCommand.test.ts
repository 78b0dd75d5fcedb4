// The built `seqlab probe` command, run as a user would (node out/main/cli.js).
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadReferenceCases, relativeError } from '../../engine/testing/referenceData';

const CLI = join(resolve(import.meta.dirname, '..', '..', '..'), 'out', 'main', 'cli.js');

function seqlab(...args: string[]) {
  const res = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('seqlab probe', () => {
  it("prints the article's example as one JSON object with every input echoed", () => {
    const r = seqlab(
      'probe',
      '--arch',
      'lstm',
      '--T',
      '3',
      '--N',
      '1',
      '--D',
      '3',
      '--H',
      '1',
      '--seed',
      '1',
      '--rng',
      'numpy',
      '--init',
      'article',
      '--json',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.config).toEqual({
      arch: 'lstm',
      T: 3,
      N: 1,
      D: 3,
      H: 1,
      seed: 1,
      rng: 'numpy',
      init: 'article',
      forgetBias: 0,
      whGain: 1,
      h0Scale: 0,
      bScale: 0,
      lossStep: 2,
    });
    const ref = loadReferenceCases().find((c) => c.name === 'article_lstm_seed1')!.expected;
    expect(out.last_loss.t).toBe(2);
    for (const q of ['dh', 'dc', 'dWx', 'dWh', 'db']) {
      out.last_loss[q].forEach((v: number, k: number) => expect(relativeError(v, ref.last_loss[q][k])).toBeLessThan(1e-12));
      expect(out.last_loss.log10[q]).toHaveLength(3);
    }
    for (const [k, v] of Object.entries(ref.full_grad_norms))
      expect(relativeError(out.full_grad_norms[k], v)).toBeLessThan(1e-12);
    expect(relativeError(out.forward.loss, ref.forward.loss)).toBeLessThan(1e-12);
    expect(out.forward.h_last).toHaveLength(1);
  });

  it('reports a 5000-step RNN down to about 1e-3551 in log10 while the plain values underflow to 0', () => {
    const r = seqlab(
      'probe',
      '--arch',
      'rnn',
      '--T',
      '5000',
      '--N',
      '2',
      '--D',
      '3',
      '--H',
      '4',
      '--seed',
      '8',
      '--rng',
      'numpy',
      '--init',
      'scaled',
      '--wh-gain',
      '0.6',
      '--h0-scale',
      '1',
      '--b-scale',
      '1',
      '--json',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.last_loss.dc).toBeUndefined();
    expect(out.last_loss.dh).toHaveLength(5000);
    expect(out.last_loss.dh[0]).toBe(0);
    expect(out.last_loss.log10.dh[0]).toBeLessThan(-3500);
    expect(out.last_loss.log10.dh.every((v: number | null) => typeof v === 'number' && Number.isFinite(v))).toBe(true);
  });

  it('probes a GRU (--arch gru): every norm, its loss table, its update-gate bias in the table', () => {
    const r = seqlab(
      'probe',
      '--arch',
      'gru',
      '--T',
      '3000',
      '--N',
      '2',
      '--D',
      '3',
      '--H',
      '4',
      '--forget-bias',
      '-4',
      '--wh-gain',
      '3',
      '--h0-scale',
      '1',
      '--json',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.config.arch).toBe('gru');
    expect(out.last_loss.dc).toBeUndefined();
    expect(out.last_loss.log10.dh[0]).toBeLessThan(-308);
    for (const q of ['dh', 'dWx', 'dWh', 'db'])
      expect(
        out.last_loss.log10[q].every((v: number | null) => typeof v === 'number' && Number.isFinite(v)),
        q,
      ).toBe(true);
    expect(Object.values(out.full_grad_norms.log10).every((v) => typeof v === 'number')).toBe(true);
    const table = seqlab('probe', '--arch', 'gru', '--T', '5', '--forget-bias', '2', '--loss-table');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/GRU\s+T=5.*forget-bias=2/);
    expect(table.stdout).toMatch(/dh\s+dWx\s+dWh\s+db/);
  });

  it('--threads splits the large products over that many threads, with the same numbers; a bad count names the flag', () => {
    const args = ['probe', '--arch', 'lstm', '--T', '20', '--N', '16', '--D', '8', '--H', '160', '--json'];
    const one = seqlab(...args);
    const two = seqlab(...args, '--threads', '2');
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    const bad = seqlab(...args, '--threads', '17');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--threads must be an integer in [1, 16], got "17"');
  });

  it('prints a readable table without --json', () => {
    const r = seqlab('probe', '--arch', 'lstm', '--T', '40', '--forget-bias', '2');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/LSTM\s+T=40/);
    expect(r.stdout).toMatch(/forget-bias=2/);
    expect(r.stdout).toMatch(/dh\s+dc\s+dWx/);
    // 40 steps are more than the table prints: it says it shows a sample, and of how many.
    const sample = /a sample of (\d+) of the 40 steps/.exec(r.stdout);
    expect(sample).not.toBeNull();
    const rowLines = r.stdout.split('\n').filter((line) => /^\s+\d+\s+\d+\s/.test(line));
    expect(rowLines).toHaveLength(Number(sample![1]));
    const short = seqlab('probe', '--arch', 'lstm', '--T', '10');
    expect(short.stdout).not.toMatch(/a sample of/);
  });

  it.each([
    [['--arch', 'lstm', '--T', '0'], /--T.*\[1, 1000000\].*0/],
    [['--arch', 'lstm', '--T', '4', '--H', '-1'], /--H.*\[1, 65536\]/],
    [['--arch', 'transformer', '--T', '4'], /--arch.*rnn, lstm, gru/],
    [['--arch', 'rnn', '--T', 'ten'], /--T must be an integer.*"ten"/],
    [['--arch', 'rnn', '--T', '4', '--forget-bias', 'nan'], /--forget-bias must be a number/],
    [['--arch', 'rnn', '--T', '4', '--loss-step', '4'], /--loss-step.*\[0, 3\]/],
    [['--arch', 'lstm', '--T', '1000000', '--N', '4096', '--H', '4096'], /needs [0-9.]+ [KMGTP]iB.*reduce T, N, D or H/],
  ])('rejects %j with one line naming the flag and range', (args, message) => {
    const r = seqlab('probe', ...args);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});

describe('seqlab probe --loss-table', () => {
  it("prints the article's losses_dWx table: every loss step's components", () => {
    const r = seqlab(
      'probe',
      '--arch',
      'lstm',
      '--T',
      '3',
      '--N',
      '1',
      '--D',
      '3',
      '--H',
      '1',
      '--seed',
      '1',
      '--init',
      'article',
      '--loss-table',
      '--json',
    );
    expect(r.code).toBe(0);
    const table = JSON.parse(r.stdout).loss_table as { t: number; log10: { dWx: number[] } }[];
    const expected = loadReferenceCases().find((c) => c.name === 'article_lstm_seed1')!.expected.article_components_dWx!;
    expect(table.map((row) => row.t)).toEqual([0, 1, 2]);
    for (const [loss, comps] of Object.entries(expected)) {
      comps.forEach((v, k) => expect(relativeError(10 ** table[Number(loss) - 1].log10.dWx[k], v)).toBeLessThan(1e-12));
    }
  });
});
