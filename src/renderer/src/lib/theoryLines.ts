// The theory lines beside measured decay curves: what each is, where it applies, and its
// geometry, a straight line in log10 norm against distance from the curve's value at the loss
// step, with the stored rate (decades per step) as its slope. Pure.
import type { Arch } from '../../../contract/labApi';
import type { Pt } from './decimate';
import type { DecaySeries, SeriesTheory } from './series';

export type TheoryKind = 'lyapunov' | 'meanField' | 'cellPath' | 'pmb';
export const THEORY_KINDS: readonly TheoryKind[] = ['lyapunov', 'meanField', 'cellPath', 'pmb'];

export interface TheoryLineInfo {
  field: keyof SeriesTheory;
  /** The option's name and the line's name in the key. */
  name: string;
  /** Said in a dataset's label after the curve's own ("… — cell path only"). */
  short: string;
  /** What the line is, for the key and the caption. */
  description: string;
  dash: number[];
  width: number;
  /** Where the backend computes it. */
  archs: readonly Arch[];
}

export const THEORY_LINES: Record<TheoryKind, TheoryLineInfo> = {
  lyapunov: {
    field: 'lyapunovTop',
    name: 'Lyapunov exponent',
    short: 'top Lyapunov exponent (exact asymptotic rate)',
    description:
      'slope = the top finite-time Lyapunov exponent of the backward Jacobian product, in decades per step: the exact asymptotic rate of decay',
    dash: [1, 3],
    width: 1.7,
    archs: ['rnn', 'lstm'],
  },
  meanField: {
    field: 'meanField',
    name: 'mean field (RNN)',
    short: 'mean field g_eff·√E[tanh′²] (large-H approximation)',
    description:
      'slope = log10 of g_eff·√E[tanh′(a)²] per step, with the realized gain g_eff = ‖Wh‖_F/√H and E over every step, sequence and unit: a large-H approximation',
    dash: [5, 2, 1, 2],
    width: 1.2,
    archs: ['rnn'],
  },
  cellPath: {
    field: 'cellPath',
    name: 'cell path (LSTM)',
    short: 'cell path only',
    description:
      'slope = the time-mean of log10 f of the slowest-forgetting unit, in decades per step: the cell path only (the route through h is left out)',
    dash: [5, 2, 1, 2],
    width: 1.2,
    archs: ['lstm'],
  },
  pmb: {
    field: 'pmbBound',
    name: 'PMB bound (RNN)',
    short: 'PMB upper bound σmax(Wh)',
    description:
      'slope = log10 σmax(Wh) per step, the Pascanu–Mikolov–Bengio bound with γ = 1: an upper bound, not a prediction of the rate',
    dash: [1, 6],
    width: 1.3,
    archs: ['rnn'],
  },
};

/** The slope a series' line of this kind has, or null when it has none (not computed, not applicable, or an exact 0). */
export function theorySlope(s: Pick<DecaySeries, 'theory' | 'arch'>, kind: TheoryKind): number | null {
  const info = THEORY_LINES[kind];
  if (!info.archs.includes(s.arch)) return null;
  const v = s.theory[info.field];
  return v !== null && Number.isFinite(v) ? v : null;
}

export interface TheoryAvailability {
  kind: TheoryKind;
  /** Series on screen that have this line. */
  count: number;
  /** Series on screen of an architecture it applies to. */
  applicable: number;
}

/** For each kind, how many of these series have it and how many could. */
export function theoryAvailability(series: readonly Pick<DecaySeries, 'theory' | 'arch'>[]): TheoryAvailability[] {
  return THEORY_KINDS.map((kind) => ({
    kind,
    count: series.filter((s) => theorySlope(s, kind) !== null).length,
    applicable: series.filter((s) => THEORY_LINES[kind].archs.includes(s.arch)).length,
  }));
}

/**
 * The distances a theory line is drawn at, from the first to the last of the curve's drawn
 * points: its two ends on a linear axis; on a log axis, where a straight line in distance bends,
 * 49 points spaced evenly in log distance.
 */
export function theoryXs(firstX: number, lastX: number, xScale: 'linear' | 'log'): number[] {
  if (xScale === 'linear') return [firstX, lastX];
  const a = Math.max(firstX, 1);
  const xs: number[] = [];
  for (let i = 0; i <= 48; i++) xs.push(a * Math.pow(lastX / a, i / 48));
  return xs;
}

/** A straight line in log10 space through (0, y0) with the given slope, sampled at xs. */
export function theoryLine(xs: readonly number[], y0: number, slope: number): Pt[] {
  return xs.map((x) => ({ x, y: y0 + slope * x }));
}

/** The caption's sentence on the theory lines drawn: only the kinds on screen. */
export function theoryCaption(kinds: readonly TheoryKind[]): string {
  if (kinds.length === 0) return '';
  const parts = kinds.map((k) => `${THEORY_LINES[k].name}: ${THEORY_LINES[k].description}`);
  return `Thin lines from each curve's value at the loss step, in its colour — ${parts.join('; ')}.`;
}
