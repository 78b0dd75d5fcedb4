import { describe, expect, it } from 'vitest';
import { biasColor, RNN_COLOR } from './colors';
import {
  biasLabel,
  defaultEncoding,
  encodeSeries,
  seriesLabel,
  unencodedDimensions,
  varyingDimensions,
  type Naming,
  type SeriesFacets,
} from './seriesEncoding';

const naming: Naming = { sweepLabel: (id) => (id === 1 ? 'H=64' : 'H=128'), imported: (id) => id === 9 };
const facets = (sweepId: number, arch: 'rnn' | 'lstm' | 'gru', T: number, forgetBias: number | null): SeriesFacets => ({
  key: `s${sweepId}|${arch}|T=${T}|bf=${forgetBias}`,
  sweepId,
  arch,
  T,
  forgetBias: arch === 'rnn' ? null : forgetBias,
});

/** The standard sweep: T 16…4096 (5) x (RNN + 6 biases). */
const standard = [16, 64, 256, 1024, 4096].flatMap((T) => [
  facets(1, 'rnn', T, null),
  ...[-2, 0, 1, 2, 3, 4].map((bf) => facets(1, 'lstm', T, bf)),
]);

describe('labels', () => {
  it('say the arch and bias, then T and the sweep only when they vary', () => {
    const s = facets(2, 'lstm', 64, 1);
    expect(seriesLabel(s, [], naming)).toBe('LSTM bf=1');
    expect(seriesLabel(s, ['T', 'sweep'], naming)).toBe('LSTM bf=1, T=64, H=128');
    expect(seriesLabel(facets(1, 'rnn', 64, null), ['sweep'], naming)).toBe('RNN, H=64');
  });
  it("the GRU's bias is its update gate's; imported weights' is an offset", () => {
    expect(biasLabel('gru', 2)).toBe('bz=2');
    expect(biasLabel('lstm', 1, true)).toBe('offset=+1');
    expect(biasLabel('lstm', -0.5, true)).toBe('offset=-0.5');
    expect(biasLabel('rnn', null)).toBe('');
  });
});

describe('encoding', () => {
  it('one sweep, one T: colour by bias (RNN red), dash by arch', () => {
    const one = standard.filter((s) => s.T === 4096);
    expect(varyingDimensions(one)).toEqual(['bias', 'arch']);
    const enc = defaultEncoding(one, 'overlay');
    expect(enc).toEqual({ color: 'bias', dash: 'arch' });
    const e = encodeSeries(one, enc, naming, varyingDimensions(one));
    expect(e.styles.get(one[0].key)).toMatchObject({ label: 'RNN', color: RNN_COLOR, dash: [8, 4] });
    expect(e.styles.get(one[3].key)).toMatchObject({ label: 'LSTM bf=1', color: biasColor(1), dash: [] });
    expect(e.dashKey.map((k) => k.label)).toEqual(['RNN', 'LSTM']);
  });
  it('T = all: colour by bias and dash by T, every series labelled in full and grouped by colour', () => {
    const enc = defaultEncoding(standard, 'overlay');
    expect(enc).toEqual({ color: 'bias', dash: 'T' });
    expect(unencodedDimensions(standard, enc, 'overlay')).toEqual([]);
    const e = encodeSeries(standard, enc, naming, varyingDimensions(standard));
    expect(e.groups.map((g) => g.label)).toEqual(['RNN (no bias)', 'bf=-2', 'bf=0', 'bf=1', 'bf=2', 'bf=3', 'bf=4']);
    expect(e.groups.every((g) => g.members.length === 5)).toBe(true);
    const labels = [...e.styles.values()].map((s) => s.label);
    expect(new Set(labels).size).toBe(35);
    expect(labels).toContain('LSTM bf=-2, T=1024');
    // Five T, five distinct dash patterns, in T order.
    expect(e.dashKey.map((k) => k.label)).toEqual(['T=16', 'T=64', 'T=256', 'T=1024', 'T=4096']);
    expect(new Set(e.dashKey.map((k) => JSON.stringify(k.dash))).size).toBe(5);
  });
  it('a bias keeps its colour whichever biases are shown', () => {
    const some = standard.filter((s) => s.T === 16 && (s.forgetBias === 2 || s.forgetBias === 4));
    const e1 = encodeSeries(some, defaultEncoding(some, 'overlay'), naming, []);
    const e2 = encodeSeries(standard, defaultEncoding(standard, 'overlay'), naming, []);
    const bf2 = standard.find((s) => s.T === 16 && s.forgetBias === 2)!;
    expect(e1.styles.get(bf2.key)!.color).toBe(e2.styles.get(bf2.key)!.color);
  });
  it('two sweeps: the sweep is encoded (dash) and named in labels; panels leave T out', () => {
    const two = [1, 2].flatMap((id) => [facets(id, 'rnn', 64, null), facets(id, 'lstm', 64, 0), facets(id, 'lstm', 64, 2)]);
    const enc = defaultEncoding(two, 'overlay');
    expect(enc).toEqual({ color: 'bias', dash: 'sweep' });
    const e = encodeSeries(two, enc, naming, varyingDimensions(two));
    expect([...e.styles.values()].map((s) => s.label)).toEqual([
      'RNN, H=64',
      'LSTM bf=0, H=64',
      'LSTM bf=2, H=64',
      'RNN, H=128',
      'LSTM bf=0, H=128',
      'LSTM bf=2, H=128',
    ]);
    expect(e.dashKey.map((k) => k.label)).toEqual(['H=64', 'H=128']);
    const withT = [...two, facets(1, 'lstm', 16, 0)];
    expect(defaultEncoding(withT, 'panels')).toEqual({ color: 'bias', dash: 'sweep' });
    // Overlaid, T is left unencoded and said so.
    expect(unencodedDimensions(withT, defaultEncoding(withT, 'overlay'), 'overlay')).toEqual(['T']);
  });
  it('colour by T: categorical colours, one group per T', () => {
    const e = encodeSeries(standard, { color: 'T', dash: 'arch' }, naming, ['T', 'bias']);
    expect(e.groups.map((g) => g.label)).toEqual(['T=16', 'T=64', 'T=256', 'T=1024', 'T=4096']);
    expect(new Set(e.groups.map((g) => g.color)).size).toBe(5);
    expect(unencodedDimensions(standard, { color: 'T', dash: 'arch' }, 'overlay')).toEqual(['bias']);
  });
  it('a colour that reads two ways says both: bf=0 at init, offset=0 on trained weights', () => {
    const mixed = [facets(1, 'lstm', 100, 0), facets(9, 'lstm', 100, 0)];
    const e = encodeSeries(mixed, { color: 'bias', dash: 'sweep' }, naming, varyingDimensions(mixed));
    expect(e.groups.map((g) => g.label)).toEqual(['bf=0 · offset=0']);
  });
  it('RNN, LSTM and GRU coloured by bias: arch needs a dash', () => {
    const three = [facets(1, 'rnn', 64, null), facets(1, 'lstm', 64, 0), facets(1, 'lstm', 64, 2), facets(1, 'gru', 64, 0)];
    expect(defaultEncoding(three, 'overlay')).toEqual({ color: 'bias', dash: 'arch' });
  });
});
