import { describe, expect, it } from 'vitest';
import { readNumber, readNumberList, type NumberRule } from './numberInput';

const T: NumberRule = { kind: 'integer', min: 1, max: 100_000 };
const gain: NumberRule = { kind: 'real', min: 0, max: 100 };

const problem = (r: { ok: boolean; problem?: string }): string | undefined => (r.ok ? undefined : r.problem);

describe('one number as typed', () => {
  it('accepts decimals, exponents and a typographic minus', () => {
    expect(readNumber('1e3', T)).toEqual({ ok: true, value: 1000 });
    expect(readNumber(' 2.5 ', gain)).toEqual({ ok: true, value: 2.5 });
    expect(readNumber('\u22122', { kind: 'real', min: -50, max: 50 })).toEqual({ ok: true, value: -2 });
  });
  it('refuses a thousands separator with the number to write instead', () => {
    expect(problem(readNumber('1,024', T))).toBe("'1,024': write 1024 without a thousands separator");
    expect(problem(readNumber('1 000 000', T))).toBe("'1 000 000': write 1000000 without a thousands separator");
  });
  it('a decimal comma in a real field asks for a point', () => {
    expect(problem(readNumber('0,5', gain))).toBe("'0,5': write 0.5 with a decimal point");
  });
  it('says what is wrong and what is allowed', () => {
    expect(problem(readNumber('abc', T))).toBe("'abc' is not an integer; use an integer in [1, 100,000]");
    expect(problem(readNumber('2.5', T))).toBe('2.5 is not an integer; use an integer in [1, 100,000]');
    expect(problem(readNumber('250', gain))).toBe('250 is out of range; use a number in [0, 100]');
    expect(problem(readNumber('0x10', T))).toBe("'0x10' is not an integer; use an integer in [1, 100,000]");
    expect(problem(readNumber('', gain))).toBe('give a value; use a number in [0, 100]');
  });
});

describe('a list as typed', () => {
  it('separates values with commas and/or spaces', () => {
    expect(readNumberList('16, 64 256,1024', T, 1000, '16, 64')).toEqual({ ok: true, value: [16, 64, 256, 1024] });
    expect(readNumberList('16,64,256', T, 1000, '16, 64')).toEqual({ ok: true, value: [16, 64, 256] });
  });
  it('names the bad token and the allowed range', () => {
    expect(problem(readNumberList('16, abc, 64', T, 1000, '16, 64'))).toBe(
      "'abc' is not an integer; use integers in [1, 100,000]",
    );
  });
  it('refuses a number written with a thousands separator', () => {
    expect(problem(readNumberList('16, 1,024', T, 1000, '16, 64'))).toBe("'1,024': write 1024 without a thousands separator");
  });
  it('refuses a value given twice, also when written two ways', () => {
    expect(problem(readNumberList('16, 64, 16', T, 1000, '16, 64'))).toBe("'16' is listed twice; give each value once");
    expect(problem(readNumberList('1000 1e3', T, 1000, '16, 64'))).toBe("'1e3' is '1000' again; give each value once");
  });
  it('an empty list and a too long one', () => {
    expect(problem(readNumberList(' , ', T, 1000, '16, 64'))).toBe('give at least one value, e.g. 16, 64');
    expect(problem(readNumberList('1 2 3', T, 2, '16, 64'))).toBe('3 values; list at most 2');
  });
});
