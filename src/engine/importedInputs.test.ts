// Inputs with given weights or sequences: the numpy stream draws only what is not given, in the
// recipe's order (x, h0, then Wx, Wh, b, bh without weights, then dout).
import { describe, expect, it } from 'vitest';
import { buildModelInputs } from './inputs';
import { modelInputs, type ImportedWeights } from './importedInputs';
import { withDefaults } from './probeConfig';
import { NumpyRandomState } from './rng/numpyRandomState';
import { ProbeConfigError } from './probeLimits';

const config = withDefaults({
  arch: 'gru',
  T: 4,
  N: 2,
  D: 3,
  H: 2,
  seed: 7,
  init: 'scaled',
  whGain: 1.5,
  h0Scale: 0.5,
  bScale: 0.5,
  forgetBias: 1,
});

const weights = (): ImportedWeights => ({
  arch: 'gru',
  D: 3,
  H: 2,
  Wx: Float64Array.from({ length: 18 }, (_, i) => i / 10),
  Wh: Float64Array.from({ length: 12 }, (_, i) => -i / 10),
  b: new Float64Array(6).fill(0.25),
  bh: new Float64Array(6).fill(-0.5),
});

describe('modelInputs', () => {
  it('with nothing given, draws exactly what buildInputs draws', () => {
    const a = modelInputs(config, {});
    const b = buildModelInputs(config);
    for (const k of ['x', 'h0', 'Wx', 'Wh', 'b', 'bh', 'dout'] as const) expect(Array.from(a[k]!), k).toEqual(Array.from(b[k]!));
  });

  it('with given x, the stream starts at h0', () => {
    const x = new Float64Array(2 * 4 * 3).fill(3);
    const a = modelInputs(config, { x });
    const b = buildModelInputs(config);
    expect(Array.from(a.x)).toEqual(Array.from(x));
    const rs = new NumpyRandomState(7);
    const h0 = rs.fillGauss(new Float64Array(4));
    expect(Array.from(a.h0)).toEqual(Array.from(h0, (v) => v * 0.5));
    expect(b.h0[0]).not.toBe(a.h0[0]);
  });

  it('with given weights: x, h0 (times h0Scale), dout; the weights as given, the forget bias an offset on z', () => {
    const w = weights();
    const a = modelInputs(config, { weights: w });
    const rs = new NumpyRandomState(7);
    const x = rs.fillGauss(new Float64Array(24));
    const h0 = rs.fillGauss(new Float64Array(4));
    const dout = rs.fillGauss(new Float64Array(16));
    expect(Array.from(a.x)).toEqual(Array.from(x));
    expect(Array.from(a.h0)).toEqual(Array.from(h0, (v) => v * 0.5));
    expect(Array.from(a.dout)).toEqual(Array.from(dout));
    expect(Array.from(a.Wx)).toEqual(Array.from(w.Wx));
    expect(Array.from(a.Wh)).toEqual(Array.from(w.Wh));
    expect(Array.from(a.b)).toEqual([0.25, 0.25, 1.25, 1.25, 0.25, 0.25]);
    expect(Array.from(a.bh!)).toEqual(Array.from(w.bh!));
    expect(w.b[2]).toBe(0.25);
  });

  it('refuses weights of another size or architecture, naming the field', () => {
    expect(() => modelInputs({ ...config, H: 3 }, { weights: weights() })).toThrow(ProbeConfigError);
    expect(() => modelInputs({ ...config, H: 3 }, { weights: weights() })).toThrow(/H must be the weights' hidden size 2, got 3/);
    expect(() => modelInputs({ ...config, arch: 'lstm' }, { weights: weights() })).toThrow(
      /arch is lstm, but the weights are of a GRU layer/,
    );
  });
});
