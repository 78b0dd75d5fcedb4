// The CLI reads numbers as the app's form does: decimal, with an optional fraction and exponent.
// Hex, binary, trailing junk and infinities are refused with one line naming the flag and its
// range, whichever command's flag it is. Run as a user would (the built CLI).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI } from '../../lab/testing/labTestSupport';

const seqlab = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.trim() };
};

describe('number flags', () => {
  it.each([
    [['probe', '--arch', 'rnn', '--T', '0x10'], '--T must be an integer in [1, 1000000], got "0x10"'],
    [['probe', '--arch', 'rnn', '--T', '16abc'], '--T must be an integer in [1, 1000000], got "16abc"'],
    [['probe', '--arch', 'rnn', '--T', '0b10'], '--T must be an integer in [1, 1000000], got "0b10"'],
    [['probe', '--arch', 'rnn', '--T', '1e400'], '--T must be an integer in [1, 1000000], got "1e400"'],
    [['probe', '--arch', 'rnn', '--T', ' '], '--T must be an integer in [1, 1000000], got " "'],
    [['probe', '--arch', 'rnn', '--T', '1.5e0'], '--T must be an integer in [1, 1000000], got "1.5e0"'],
    [['probe', '--arch', 'lstm', '--T', '4', '--forget-bias', '0x1'], '--forget-bias must be a number in [-50, 50], got "0x1"'],
    [
      ['probe', '--arch', 'lstm', '--T', '4', '--forget-bias', 'Infinity'],
      '--forget-bias must be a number in [-50, 50], got "Infinity"',
    ],
    [['sweep', 'spec.json', '--db', 'lab.sqlite', '--workers', '0x2'], '--workers must be an integer in [1, 256], got "0x2"'],
    [['sweep', 'spec.json', '--db', 'lab.sqlite', '--workers', '300'], '--workers must be an integer in [1, 256], got "300"'],
    [['serve', '--port', '0x50'], '--port must be an integer in [0, 65535], got "0x50"'],
    [['serve', '--port', '65536'], '--port must be an integer in [0, 65535], got "65536"'],
  ])('refuses %j naming the flag and its range', (args, message) => {
    const r = seqlab(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`seqlab: ${message}`);
  });

  it('accepts decimal numbers with an exponent, as the form does ("1e1" is 10)', () => {
    const r = seqlab('probe', '--arch', 'lstm', '--T', '1e1', '--H', '2.0', '--forget-bias', '-1.5e0', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).config).toMatchObject({ T: 10, H: 2, forgetBias: -1.5 });
  });
});
