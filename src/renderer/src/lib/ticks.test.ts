import { describe, expect, it } from 'vitest';
import {
  decadeTicks,
  formatLog10Value,
  niceDecadeStep,
  niceStepAtMost,
  powerOfTenLabel,
  roundAxisEnds,
  roundLimitsOutward,
} from './ticks';

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

/** A wheel notch of chartjs-plugin-zoom (speed 0.1) about a focal point at fraction f of the axis. */
function wheelZoomIn(min: number, max: number, f: number): { min: number; max: number } {
  const removed = (max - min) * 0.1;
  return { min: min + removed * f, max: max - removed * (1 - f) };
}

describe('axis ends after zoom', () => {
  it('steps are 1-2-5 multiples of a power of ten, not above the bound', () => {
    expect(niceStepAtMost(1)).toBe(1);
    expect(niceStepAtMost(4.9)).toBe(2);
    expect(niceStepAtMost(0.051)).toBe(0.05);
    expect(niceStepAtMost(2250)).toBe(2000);
  });
  it('rounds zoomed linear ends to nice numbers', () => {
    expect(roundAxisEnds(9.73, 90.41, 'linear')).toEqual({ min: 10, max: 90 });
    expect(roundAxisEnds(-3.2718, -0.1234, 'linear')).toEqual({ min: -3.25, max: -0.1 });
    const r = roundAxisEnds(0.1 + 0.2, 0.7000000001, 'linear');
    expect(String(r.min)).toBe('0.3');
    expect(String(r.max)).toBe('0.7');
  });
  it('rounds a logarithmic axis spanning decades to two significant figures', () => {
    expect(roundAxisEnds(1.2345, 4093.2, 'logarithmic')).toEqual({ min: 1.2, max: 4100 });
    // Narrower than a decade: nice steps in value space, never a non-positive end.
    expect(roundAxisEnds(103.3, 497.6, 'logarithmic')).toEqual({ min: 105, max: 500 });
  });
  it('never rounds a wheel zoom back to where it was', () => {
    for (const type of ['linear', 'logarithmic'] as const) {
      for (const f of [0, 0.25, 0.5, 0.75, 1]) {
        let range = { min: 1, max: 4096 };
        for (let notch = 0; notch < 60; notch++) {
          const zoomed =
            type === 'linear'
              ? wheelZoomIn(range.min, range.max, f)
              : (() => {
                  const l = wheelZoomIn(Math.log10(range.min), Math.log10(range.max), f);
                  return { min: 10 ** l.min, max: 10 ** l.max };
                })();
          const next = roundAxisEnds(zoomed.min, zoomed.max, type);
          const span = (r: { min: number; max: number }): number =>
            type === 'linear' ? r.max - r.min : Math.log10(r.max / r.min);
          expect(span(next), `${type} f=${f} notch ${notch}`).toBeLessThan(span(range));
          range = next;
        }
      }
    }
  });
  it('rounds pan limits outward', () => {
    expect(roundLimitsOutward(0.37, 63.2, 'linear')).toEqual({ min: 0, max: 64 });
    expect(roundLimitsOutward(1, 4095, 'logarithmic')).toEqual({ min: 1, max: 4100 });
    expect(roundLimitsOutward(0.0123, 0.987, 'logarithmic')).toEqual({ min: 0.012, max: 0.99 });
  });
});
