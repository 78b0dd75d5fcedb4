import { describe, expect, it } from 'vitest';
import { biasColor, biasScalePosition, categoryColors, rampColor } from './colors';

describe('the bias colour scale', () => {
  it('is fixed: a colour from the value alone, in order, 0 in the middle', () => {
    expect(biasScalePosition(0)).toBe(0.5);
    expect(biasColor(2)).toBe(rampColor(biasScalePosition(2)));
    const positions = [-50, -4, -2, 0, 1, 2, 4, 6, 50].map(biasScalePosition);
    for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1]);
    expect(positions[0]).toBeGreaterThanOrEqual(0);
    expect(positions.at(-1)).toBeLessThanOrEqual(1);
    // Neighbouring biases a sweep commonly holds get visibly different colours.
    expect(new Set([-2, 0, 1, 2, 3, 4].map(biasColor)).size).toBe(6);
  });
  it('categories never repeat a colour', () => {
    expect(new Set(categoryColors(10)).size).toBe(10);
    expect(new Set(categoryColors(14)).size).toBe(14);
  });
});
