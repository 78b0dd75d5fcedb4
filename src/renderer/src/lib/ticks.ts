// Tick labels for a log axis drawn on linear log10 values: exact even below 1e-308, where a
// float64 norm would underflow to 0.

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

/** "10⁻³⁰⁸" for -308; non-integers fall back to formatLog10Value. */
export function powerOfTenLabel(log10: number): string {
  if (!Number.isFinite(log10)) return '';
  const k = Math.round(log10);
  if (Math.abs(log10 - k) > 1e-9) return formatLog10Value(log10);
  if (k === 0) return '1';
  return (
    '10' +
    String(k)
      .split('')
      .map((c) => SUPERSCRIPT[c] ?? c)
      .join('')
  );
}

/** The exact value 10^log10 as "m.mmme±x" (works for any exponent). */
export function formatLog10Value(log10: number | null | undefined, digits = 4): string {
  if (log10 === null || log10 === undefined) return '0';
  if (!Number.isFinite(log10)) return log10 > 0 ? '∞' : '0';
  let exp = Math.floor(log10);
  let mant = Math.pow(10, log10 - exp);
  let m = mant.toFixed(digits - 1);
  if (Number(m) >= 10) {
    exp += 1;
    mant /= 10;
    m = mant.toFixed(digits - 1);
  }
  return `${m}e${exp >= 0 ? '+' : ''}${exp}`;
}

const NICE = [1, 2, 5];

/** A "nice" integer step (1, 2, 5, 10, 20, 50, ...) so that [min, max] gets at most maxTicks ticks. */
export function niceDecadeStep(min: number, max: number, maxTicks = 8): number {
  const span = Math.max(max - min, 1);
  const raw = span / Math.max(1, maxTicks - 1);
  let scale = 1;
  for (;;) {
    for (const n of NICE) if (n * scale >= raw) return n * scale;
    scale *= 10;
  }
}

/** Integer log10 positions (whole decades) covering [min, max]. */
export function decadeTicks(min: number, max: number, maxTicks = 8): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min > max) [min, max] = [max, min];
  const step = niceDecadeStep(min, max, maxTicks);
  const start = Math.floor(min / step) * step;
  const out: number[] = [];
  for (let v = start; v <= max + 1e-9; v += step) if (v >= min - 1e-9) out.push(v === 0 ? 0 : v);
  if (out.length === 0) out.push(Math.round((min + max) / 2));
  return out;
}
