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

/** The largest of 1, 2, 5 × 10^k not above x (x > 0). */
export function niceStepAtMost(x: number): number {
  const scale = Math.pow(10, Math.floor(Math.log10(x)));
  for (const n of [5, 2, 1]) if (n * scale <= x * (1 + 1e-12)) return n * scale;
  return scale;
}

/** Drops float fuzz (0.30000000000000004 → 0.3) from a multiple of `step`. */
function cleanMultiple(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(value.toFixed(Math.min(decimals, 20)));
}

/** Rounds to `digits` significant figures (positive values). */
function roundSignificant(value: number, digits: number): number {
  return Number(value.toPrecision(digits));
}

// How fine the rounding is: an end moves by at most half a step, so at most 1/80 of the span —
// less than one wheel notch of zoom (10 %), so a zoom is never rounded back to where it was.
const STEPS_PER_SPAN = 40;

/**
 * Axis ends after a zoom or pan, rounded to nice numbers (a linear axis: multiples of a 1-2-5
 * step well below the span; a logarithmic one: two significant figures), so the end labels read
 * "90", not "89.73". Returns the input when rounding would collapse the range.
 */
export function roundAxisEnds(min: number, max: number, type: 'linear' | 'logarithmic'): { min: number; max: number } {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min) return { min, max };
  if (type === 'logarithmic' && min > 0 && Math.log10(max / min) >= 1) {
    const lo = roundSignificant(min, 2);
    const hi = roundSignificant(max, 2);
    return hi > lo ? { min: lo, max: hi } : { min, max };
  }
  const step = niceStepAtMost((max - min) / STEPS_PER_SPAN);
  const lo = cleanMultiple(Math.round(min / step) * step, step);
  const hi = cleanMultiple(Math.round(max / step) * step, step);
  if (hi <= lo) return { min, max };
  if (type === 'logarithmic' && lo <= 0) return { min, max };
  return { min: lo, max: hi };
}

/** Limits rounded outward to nice numbers, so clamping a rounded range to them keeps it round. */
export function roundLimitsOutward(min: number, max: number, type: 'linear' | 'logarithmic'): { min: number; max: number } {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min) return { min, max };
  if (type === 'logarithmic' && min > 0) {
    const down = (v: number): number => {
      const p = Math.pow(10, Math.floor(Math.log10(v)) - 1);
      return Number((Math.floor(v / p) * p).toPrecision(2));
    };
    const up = (v: number): number => {
      const p = Math.pow(10, Math.floor(Math.log10(v)) - 1);
      return Number((Math.ceil(v / p - 1e-9) * p).toPrecision(2));
    };
    return { min: down(min), max: up(max) };
  }
  const step = niceStepAtMost((max - min) / STEPS_PER_SPAN);
  return {
    min: cleanMultiple(Math.floor(min / step + 1e-9) * step, step),
    max: cleanMultiple(Math.ceil(max / step - 1e-9) * step, step),
  };
}
