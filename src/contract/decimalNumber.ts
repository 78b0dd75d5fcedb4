// Numbers as people type them: decimal, with an optional fraction and exponent ("16", "-2.5",
// "1e3"). The app's form and the CLI's flags both read numbers here, so they accept the same
// text; hex, binary and octal ("0x10", "0b1", "0o7"), "Infinity", blanks and trailing junk
// ("16abc") are not numbers. (A spec file is JSON, whose numbers are decimal by its grammar.)
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The number the text writes in decimal, or NaN when it is not one (or is too large for float64). */
export function parseDecimal(text: string): number {
  const t = text.trim();
  if (!DECIMAL.test(t)) return NaN;
  const v = Number(t);
  return Number.isFinite(v) ? v : NaN;
}
