import { describe, expect, it } from 'vitest';
import { runProbe } from './probe';
import { withDefaults } from './probeConfig';
import { SpectralNormCache } from './spectralNormCache';

const lstm = (over: { seed?: number; forgetBias?: number; whGain?: number } = {}) =>
  withDefaults({ arch: 'lstm', T: 12, N: 3, D: 4, H: 16, seed: 5, ...over });

describe('sigma_max(Wh) of weights met before', () => {
  it('gives a probe whose Wh was met the value it would compute, without computing it again', () => {
    const seen = new SpectralNormCache();
    const first = runProbe(lstm({ forgetBias: 0 }), { spectralNorms: seen });
    expect(seen.size).toBe(1);
    // Another forget bias moves b only: the same Wh, taken from the cache (a miss would add a second entry).
    const other = runProbe(lstm({ forgetBias: 3 }), { spectralNorms: seen });
    expect(seen.size).toBe(1);
    const fresh = runProbe(lstm({ forgetBias: 3 }));
    expect(other.theory.whSpectralNorm).toBe(fresh.theory.whSpectralNorm);
    expect(first.theory.whSpectralNorm).toBe(fresh.theory.whSpectralNorm);
    // The rest of the probe is the probe's own.
    expect(other.lossStepNorms.dh).toEqual(fresh.lossStepNorms.dh);
  });

  it('computes it for another Wh (another seed, another gain) and holds both', () => {
    const seen = new SpectralNormCache();
    runProbe(lstm(), { spectralNorms: seen });
    const seed = runProbe(lstm({ seed: 6 }), { spectralNorms: seen });
    const gain = runProbe(lstm({ whGain: 0.5 }), { spectralNorms: seen });
    expect(seen.size).toBe(3);
    expect(seed.theory.whSpectralNorm).toBe(runProbe(lstm({ seed: 6 })).theory.whSpectralNorm);
    expect(gain.theory.whSpectralNorm).toBe(runProbe(lstm({ whGain: 0.5 })).theory.whSpectralNorm);
  });

  it('matches double for double: one ulp off is another matrix, and a later change to the caller’s array is not seen', () => {
    const seen = new SpectralNormCache();
    const Wh = Float64Array.from({ length: 12 }, (_, i) => Math.sin(i + 1));
    seen.add(Wh, 3, 4, 'gram', 1.5);
    expect(seen.get(Wh, 3, 4, 'gram')).toBe(1.5);
    expect(seen.get(Wh, 4, 3, 'gram')).toBeUndefined();
    const nudged = Wh.slice();
    nudged[7] = nudged[7] * (1 + Number.EPSILON);
    expect(seen.get(nudged, 3, 4, 'gram')).toBeUndefined();
    const held = Wh.slice();
    Wh[0] = 42;
    expect(seen.get(Wh, 3, 4, 'gram')).toBeUndefined();
    expect(seen.get(held, 3, 4, 'gram')).toBe(1.5);
    const withNaN = held.slice();
    withNaN[2] = NaN;
    seen.add(withNaN, 3, 4, 'gram', 2);
    expect(seen.get(withNaN, 3, 4, 'gram')).toBeUndefined();
  });

  it("keeps each route's value apart: a value by the Gram matrix is not one by the rider", () => {
    const seen = new SpectralNormCache();
    const Wh = Float64Array.from({ length: 6 }, (_, i) => i + 1);
    seen.add(Wh, 2, 3, 'gram', 1.25);
    expect(seen.get(Wh, 2, 3, 'rider')).toBeUndefined();
    seen.add(Wh, 2, 3, 'rider', 1.5);
    expect(seen.get(Wh, 2, 3, 'gram')).toBe(1.25);
    expect(seen.get(Wh, 2, 3, 'rider')).toBe(1.5);
    expect(seen.size).toBe(2);
  });

  it('keeps the 8 most recently used, and no matrix past 32 MiB', () => {
    const seen = new SpectralNormCache();
    const matrix = (k: number) => new Float64Array(4).fill(k);
    for (let k = 0; k < 8; k++) seen.add(matrix(k), 2, 2, 'gram', k);
    expect(seen.get(matrix(0), 2, 2, 'gram')).toBe(0); // now the most recently used
    seen.add(matrix(8), 2, 2, 'gram', 8);
    expect(seen.size).toBe(8);
    expect(seen.get(matrix(1), 2, 2, 'gram')).toBeUndefined(); // the least recently used went
    expect(seen.get(matrix(0), 2, 2, 'gram')).toBe(0);
    expect(seen.get(matrix(8), 2, 2, 'gram')).toBe(8);
    const large = new Float64Array(2048 * 2049);
    seen.add(large, 2048, 2049, 'gram', 1);
    expect(seen.get(large, 2048, 2049, 'gram')).toBeUndefined();
    expect(seen.size).toBe(8);
  });
});
