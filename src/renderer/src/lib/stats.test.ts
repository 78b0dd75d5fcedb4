import { describe, expect, it } from 'vitest';
import { band, median } from './stats';

describe('median and band', () => {
  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNull();
  });
  it('band ignores nulls (exact zeros)', () => {
    expect(band([null, -3, -1, -2])).toEqual({ median: -2, min: -3, max: -1, n: 3 });
    expect(band([null, undefined])).toBeNull();
  });
});
