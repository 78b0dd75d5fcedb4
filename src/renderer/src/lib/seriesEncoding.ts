// How compared decay series are told apart on a chart: a label that names what differs, a colour
// and a dash pattern that encode two of the dimensions that vary (sweep, T, bias, architecture),
// and legend groups by colour. Pure: the view and the tests use the same functions.
import type { Arch } from '../../../contract/labApi';
import { ARCH_COLORS, biasColor, categoryColors } from './colors';
import { formatNum } from './format';

export type Dimension = 'sweep' | 'T' | 'bias' | 'arch';
export const DIMENSIONS: readonly Dimension[] = ['sweep', 'T', 'bias', 'arch'];
export const DIMENSION_NAMES: Record<Dimension, string> = {
  sweep: 'sweep',
  T: 'sequence length T',
  bias: 'forget-gate bias',
  arch: 'architecture',
};

export type Layout = 'overlay' | 'panels';

export interface Encoding {
  color: Dimension;
  dash: Dimension | 'none';
}

/** What a series is, as far as telling it apart goes. */
export interface SeriesFacets {
  key: string;
  sweepId: number | null;
  arch: Arch;
  T: number;
  forgetBias: number | null;
}

export const ARCH_NAMES: Record<Arch, string> = { rnn: 'RNN', lstm: 'LSTM', gru: 'GRU' };

/** Dash patterns in order of use: solid first. */
export const DASHES: readonly number[][] = [
  [],
  [10, 4],
  [3, 3],
  [14, 4, 3, 4],
  [18, 5],
  [10, 3, 3, 3, 3, 3],
  [4, 8],
  [20, 4, 4, 4],
];
/** Fixed per architecture when dash encodes it: the gated cells solid and dotted, the RNN dashed (as in the other views). */
const ARCH_DASHES: Record<Arch, number[]> = { lstm: [], rnn: [8, 4], gru: [2, 3] };

/**
 * The bias as a label says it: the LSTM's forget-gate bias bf, the GRU's update-gate bias bz
 * (its keep gate), and for imported weights the offset the sweep adds to the trained bias.
 */
export function biasLabel(arch: Arch, bias: number | null, imported = false): string {
  if (bias === null || arch === 'rnn') return '';
  if (imported) return `offset=${bias > 0 ? '+' : ''}${formatNum(bias)}`;
  return `${arch === 'gru' ? 'bz' : 'bf'}=${formatNum(bias)}`;
}

/** The value of one dimension for a series (bias: null for the RNN, which has none). */
export function facetValue(s: SeriesFacets, d: Dimension): string | number | null {
  switch (d) {
    case 'sweep':
      return s.sweepId;
    case 'T':
      return s.T;
    case 'bias':
      return s.arch === 'rnn' ? null : s.forgetBias;
    case 'arch':
      return s.arch;
  }
}

/** The dimensions along which the series differ (bias: among the series that have one). */
export function varyingDimensions(series: readonly SeriesFacets[]): Dimension[] {
  return DIMENSIONS.filter((d) => {
    const values = new Set(series.map((s) => facetValue(s, d)).filter((v) => v !== null));
    return values.size > 1;
  });
}

/**
 * Colouring by bias also tells the RNN apart (it has no bias: drawn red), so with one gated
 * architecture beside it, arch needs no dash of its own.
 */
function archImpliedByBiasColour(series: readonly SeriesFacets[]): boolean {
  return new Set(series.filter((s) => s.arch !== 'rnn').map((s) => s.arch)).size <= 1;
}

/**
 * The encoding to start from: colour by bias (a fixed scale) when biases vary, else by sweep, T
 * or arch; dash by the next of sweep, T, arch that varies. With one panel per T, T is not encoded.
 */
export function defaultEncoding(series: readonly SeriesFacets[], layout: Layout): Encoding {
  const varying = varyingDimensions(series).filter((d) => layout === 'overlay' || d !== 'T');
  const color: Dimension = (['bias', 'sweep', 'T', 'arch'] as const).find((d) => varying.includes(d)) ?? 'arch';
  const implied = color === 'bias' && archImpliedByBiasColour(series);
  const dash =
    (['sweep', 'T', 'arch'] as const).find((d) => d !== color && varying.includes(d) && !(d === 'arch' && implied)) ??
    (color !== 'arch' && varying.includes('arch') ? 'arch' : 'none');
  return { color, dash };
}

/** The varying dimensions neither colour nor dash shows (the labels still say them). */
export function unencodedDimensions(series: readonly SeriesFacets[], enc: Encoding, layout: Layout): Dimension[] {
  const implied = enc.color === 'bias' && archImpliedByBiasColour(series);
  return varyingDimensions(series).filter(
    (d) => d !== enc.color && d !== enc.dash && !(layout === 'panels' && d === 'T') && !(d === 'arch' && implied),
  );
}

/** Ordered distinct values of a dimension (null, the RNN's bias, first). */
function orderedValues(series: readonly SeriesFacets[], d: Dimension): (string | number | null)[] {
  const archOrder: Arch[] = ['rnn', 'lstm', 'gru'];
  const values = [...new Set(series.map((s) => facetValue(s, d)))];
  return values.sort((a, b) => {
    if (a === null) return -1;
    if (b === null) return 1;
    if (d === 'arch') return archOrder.indexOf(a as Arch) - archOrder.indexOf(b as Arch);
    return (a as number) - (b as number);
  });
}

export interface Naming {
  /** Label of each sweep (what differs between the compared sweeps; sweepLabels). */
  sweepLabel: (sweepId: number) => string;
  /** Whether a sweep runs on imported weights (its bias axis is an offset). */
  imported: (sweepId: number) => boolean;
}

/** A dimension's value for one series as text: "T=64", "bf=2", "LSTM", or the sweep's label. */
export function valueLabel(s: SeriesFacets, d: Dimension, naming: Naming): string {
  switch (d) {
    case 'sweep':
      return s.sweepId === null ? '' : naming.sweepLabel(s.sweepId);
    case 'T':
      return `T=${s.T}`;
    case 'bias':
      return s.arch === 'rnn'
        ? 'RNN (no bias)'
        : biasLabel(s.arch, s.forgetBias, s.sweepId !== null && naming.imported(s.sweepId));
    case 'arch':
      return ARCH_NAMES[s.arch];
  }
}

/**
 * A series' label: its architecture and bias, then T when several are shown together, then the
 * sweep's label when several sweeps are ("LSTM bf=2, T=64, H=128").
 */
export function seriesLabel(s: SeriesFacets, shown: readonly Dimension[], naming: Naming): string {
  const bias = valueLabel(s, 'bias', naming);
  const head = s.arch === 'rnn' ? 'RNN' : `${ARCH_NAMES[s.arch]}${bias ? ` ${bias}` : ''}`;
  const parts = [head];
  if (shown.includes('T')) parts.push(`T=${s.T}`);
  if (shown.includes('sweep') && s.sweepId !== null) parts.push(naming.sweepLabel(s.sweepId));
  return parts.join(', ');
}

export interface SeriesStyle {
  key: string;
  label: string;
  color: string;
  dash: number[];
  /** The legend group: the colour dimension's value. */
  group: string;
}

export interface LegendGroupModel {
  key: string;
  label: string;
  color: string;
  /** Series keys in order. */
  members: string[];
}

export interface KeyEntry {
  label: string;
  color: string;
  dash: number[];
}

export interface EncodedSeries {
  styles: Map<string, SeriesStyle>;
  groups: LegendGroupModel[];
  /** The colour key: one swatch per colour value. */
  colorKey: KeyEntry[];
  /** The dash key: one sample per dash value (empty when dash encodes nothing). */
  dashKey: KeyEntry[];
}

const NEUTRAL = '#333';

/**
 * Styles, legend groups and keys for the series. `labelDimensions`: the dimensions each label
 * must say (those varying across everything shown, not only the visible series), so that a label
 * does not change when a series is hidden.
 */
export function encodeSeries(
  series: readonly SeriesFacets[],
  enc: Encoding,
  naming: Naming,
  labelDimensions: readonly Dimension[],
): EncodedSeries {
  const colorValues = orderedValues(series, enc.color);
  const palette = categoryColors(colorValues.length);
  const colorOf = (s: SeriesFacets): string => {
    const v = facetValue(s, enc.color);
    if (enc.color === 'bias') return v === null ? ARCH_COLORS[s.arch] : biasColor(v as number);
    if (enc.color === 'arch') return ARCH_COLORS[s.arch];
    return palette[colorValues.indexOf(v)];
  };
  const dashValues = enc.dash === 'none' ? [] : orderedValues(series, enc.dash);
  const dashOf = (s: SeriesFacets): number[] => {
    if (enc.dash === 'none') return [];
    if (enc.dash === 'arch') return ARCH_DASHES[s.arch];
    const i = dashValues.indexOf(facetValue(s, enc.dash));
    return DASHES[i % DASHES.length];
  };
  const groupKey = (s: SeriesFacets): string => JSON.stringify(facetValue(s, enc.color) ?? `none:${s.arch}`);

  const styles = new Map<string, SeriesStyle>();
  const groups = new Map<string, LegendGroupModel>();
  const colorKey: KeyEntry[] = [];
  const dashKey: KeyEntry[] = [];
  const seenDash = new Set<string>();
  for (const s of series) {
    const color = colorOf(s);
    const g = groupKey(s);
    styles.set(s.key, { key: s.key, label: seriesLabel(s, labelDimensions, naming), color, dash: dashOf(s), group: g });
    const group = groups.get(g);
    const value = valueLabel(s, enc.color, naming);
    if (group) {
      group.members.push(s.key);
      // One colour may read two ways (bf=0 at init, offset=0 on trained weights): say both.
      if (!group.label.split(' · ').includes(value)) group.label = `${group.label} · ${value}`;
    } else {
      groups.set(g, { key: g, label: value, color, members: [s.key] });
    }
    if (enc.dash !== 'none') {
      const dk = JSON.stringify(facetValue(s, enc.dash));
      if (!seenDash.has(dk)) {
        seenDash.add(dk);
        dashKey.push({ label: valueLabel(s, enc.dash, naming), color: NEUTRAL, dash: dashOf(s) });
      }
    }
  }
  // Groups and keys in the dimension's own order (RNN first, then by value).
  const rank = (g: LegendGroupModel): number => {
    const s = series.find((x) => groupKey(x) === g.key)!;
    return colorValues.indexOf(facetValue(s, enc.color));
  };
  const orderedGroups = [...groups.values()].sort((a, b) => rank(a) - rank(b));
  for (const g of orderedGroups) colorKey.push({ label: g.label, color: g.color, dash: [] });
  const dashRank = (e: KeyEntry): number =>
    enc.dash === 'none'
      ? 0
      : dashValues.indexOf(
          facetValue(
            series.find((x) => valueLabel(x, enc.dash as Dimension, naming) === e.label)!,
            enc.dash,
          ),
        );
  dashKey.sort((a, b) => dashRank(a) - dashRank(b));
  return { styles, groups: orderedGroups, colorKey, dashKey };
}
