import { describe, expect, it } from 'vitest';
import { decadeTicks, formatLog10Value, niceDecadeStep, powerOfTenLabel } from './ticks';

describe('tick labels', () => {
  it('labels whole decades as powers of ten, also far below 1e-308', () => {
    expect(powerOfTenLabel(0)).toBe('1');
    expect(powerOfTenLabel(3)).toBe('10³');
    expect(powerOfTenLabel(-308)).toBe('10⁻³⁰⁸');
    expect(powerOfTenLabel(-1200)).toBe('10⁻¹²⁰⁰');
  });
  it('formats exact values from log10 without underflow', () => {
    expect(formatLog10Value(-400 + Math.log10(2.5))).toBe('2.500e-400');
    expect(formatLog10Value(2)).toBe('1.000e+2');
    expect(formatLog10Value(null)).toBe('0');
    // mantissa rounding up to 10 moves the exponent
    expect(formatLog10Value(Math.log10(9.99996))).toBe('1.000e+1');
  });
  it('chooses nice decade steps and whole-decade ticks', () => {
    expect(niceDecadeStep(-3, 0, 8)).toBe(1);
    expect(niceDecadeStep(-700, 0, 8)).toBe(100);
    expect(decadeTicks(-3.4, 0.2)).toEqual([-3, -2, -1, 0]);
    const far = decadeTicks(-1234, -2, 8);
    expect(far.length).toBeLessThanOrEqual(8);
    expect(far.every((t) => Number.isInteger(t))).toBe(true);
    expect(far[0]).toBeGreaterThanOrEqual(-1234);
  });
});
