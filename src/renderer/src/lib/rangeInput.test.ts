import { describe, expect, it } from 'vitest';
import { rangePreview, readRange } from './rangeInput';

const T = { kind: 'integer', min: 1, max: 100_000 } as const;
const bias = { kind: 'real', min: -50, max: 50 } as const;
const problem = (r: { ok: boolean; problem?: string }): string | undefined => (r.ok ? undefined : r.problem);

describe('a range as typed', () => {
  it('reads a log range of lengths and previews its values', () => {
    const r = readRange({ from: '16', to: '1024', count: '4', scale: 'log' }, T, true);
    expect(r.ok && r.value.values).toEqual([16, 64, 256, 1024]);
    expect(r.ok && rangePreview(r.value.values)).toBe('= 16, 64, 256, 1024');
  });
  it('refuses from > to', () => {
    expect(problem(readRange({ from: '1024', to: '16', count: '4', scale: 'log' }, T, true))).toBe(
      'from 1024 is greater than to 16; swap them',
    );
  });
  it('refuses a range that stands for one value several times', () => {
    expect(problem(readRange({ from: '2', to: '2', count: '3', scale: 'linear' }, bias, false))).toMatch(
      /from and to are both 2, which is one value; set count to 1/,
    );
    expect(problem(readRange({ from: '1', to: '4', count: '6', scale: 'log' }, T, true))).toBe(
      '6 values from 1 to 4 repeat lengths once rounded to whole steps; use a count of at most 4',
    );
  });
  it('names the part that does not read', () => {
    expect(problem(readRange({ from: 'x', to: '4', count: '2', scale: 'linear' }, bias, false))).toBe(
      "from 'x' is not a number; use a number in [-50, 50]",
    );
    expect(problem(readRange({ from: '1', to: '4', count: '1,000', scale: 'linear' }, bias, false))).toBe(
      "count '1,000': write 1000 without a thousands separator",
    );
    expect(problem(readRange({ from: '0', to: '4', count: '2', scale: 'log' }, bias, false))).toBe(
      'a log-spaced range needs from > 0; got from 0',
    );
  });
  it('a long preview shows its ends and its length', () => {
    expect(rangePreview(Array.from({ length: 20 }, (_, i) => i + 1))).toBe('= 1, 2, 3, …, 20 (20 values)');
  });
});
