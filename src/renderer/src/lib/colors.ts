// Colours. Biases sit on a fixed sequential scale (viridis-like, low bias light yellow-green ->
// high bias dark purple) placed by the bias's own value, so that a bias keeps its colour whatever
// other biases a sweep holds; categories (sweeps, sequence lengths) get a qualitative palette by
// rank; the architectures have fixed colours, the RNN a contrasting red.
import type { Arch } from '../../../contract/labApi';

const RAMP: [number, number, number][] = [
  [253, 231, 37],
  [94, 201, 98],
  [33, 145, 140],
  [59, 82, 139],
  [68, 1, 84],
];

export const RNN_COLOR = '#d62728';

export const ARCH_COLORS: Record<Arch, string> = { rnn: RNN_COLOR, lstm: '#1f77b4', gru: '#2ca02c' };

/** Tableau's ten: distinct hues for up to ten categories. */
export const CATEGORY_COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
] as const;

function lerp(a: number, b: number, t: number): number {
  return Math.round(a + (b - a) * t);
}

/** Colour at t in [0, 1] on the ramp. Avoids the palest end so lines stay visible on white. */
export function rampColor(t: number): string {
  const u = 0.12 + 0.88 * Math.min(1, Math.max(0, t));
  const pos = u * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(pos));
  const f = pos - i;
  const [r, g, b] = [0, 1, 2].map((c) => lerp(RAMP[i][c], RAMP[i + 1][c], f));
  return `rgb(${r}, ${g}, ${b})`;
}

/** Colours for n ordered values (n = 1 gets the middle of the ramp). */
export function rampColors(n: number): string[] {
  if (n <= 0) return [];
  if (n === 1) return [rampColor(0.6)];
  return Array.from({ length: n }, (_, i) => rampColor(i / (n - 1)));
}

/**
 * Where a bias sits on the fixed scale: sigma(bf / 2). Every bias of the allowed range gets its
 * own place (no clamping), and the usual -4..6 spread over most of the ramp (0 in the middle).
 */
export function biasScalePosition(bias: number): number {
  return 1 / (1 + Math.exp(-bias / 2));
}

/** A bias's colour, from its value alone. */
export function biasColor(bias: number): string {
  return rampColor(biasScalePosition(bias));
}

/** Colours for `n` categories in order: the qualitative palette, or a ramp past ten (no colour repeats). */
export function categoryColors(n: number): string[] {
  if (n <= CATEGORY_COLORS.length) return CATEGORY_COLORS.slice(0, n);
  return rampColors(n);
}

/** Same colour with alpha, for bands. */
export function withAlpha(color: string, alpha: number): string {
  const m = /^rgb\((\d+), (\d+), (\d+)\)$/.exec(color);
  if (m) return `rgba(${m[1]}, ${m[2]}, ${m[3]}, ${alpha})`;
  const h = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (h) return `rgba(${parseInt(h[1], 16)}, ${parseInt(h[2], 16)}, ${parseInt(h[3], 16)}, ${alpha})`;
  return color;
}
