// Colours: a sequential ramp for the LSTM forget-gate biases (low bias light/yellow-green ->
// high bias dark blue/purple, viridis-like) and a contrasting red for the RNN baseline.

const RAMP: [number, number, number][] = [
  [253, 231, 37],
  [94, 201, 98],
  [33, 145, 140],
  [59, 82, 139],
  [68, 1, 84],
];

export const RNN_COLOR = '#d62728';

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

/** Same colour with alpha, for bands. */
export function withAlpha(color: string, alpha: number): string {
  const m = /^rgb\((\d+), (\d+), (\d+)\)$/.exec(color);
  if (m) return `rgba(${m[1]}, ${m[2]}, ${m[3]}, ${alpha})`;
  const h = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (h) return `rgba(${parseInt(h[1], 16)}, ${parseInt(h[2], 16)}, ${parseInt(h[3], 16)}, ${alpha})`;
  return color;
}
