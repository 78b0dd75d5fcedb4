// Numbers as people type them into the form, read with a message that says what is wrong with
// the text and what to write instead. Decimal numbers with an optional exponent ("16", "-2.5",
// "1e3"; the CLI reads the same, see contract/decimalNumber.ts) and a typographic minus ("−2").
// In a list, values are separated by commas and/or spaces ("16, 64 256"); a comma inside a number
// that reads as a thousands separator ("1,024") is refused with a hint, never guessed at.
import { parseDecimal } from '../../../contract/decimalNumber';

export interface NumberRule {
  kind: 'integer' | 'real';
  min: number;
  max: number;
}

export type Read<V> = { ok: true; value: V } | { ok: false; problem: string };

const fail = (problem: string): { ok: false; problem: string } => ({ ok: false, problem });

/** A limit as the hints show it: 100,000 (separators for reading, never asked for in input). */
export function formatLimit(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 6 });
}

/** "use integers in [1, 100,000]" (for a list) or "use an integer in [1, 4,096]" (one value). */
export function allowed(rule: NumberRule, list: boolean): string {
  const range = `[${formatLimit(rule.min)}, ${formatLimit(rule.max)}]`;
  if (rule.kind === 'integer') return list ? `use integers in ${range}` : `use an integer in ${range}`;
  return list ? `use numbers in ${range}` : `use a number in ${range}`;
}

const THOUSANDS = /^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/;
const THOUSANDS_SPACED = /^[+-]?\d{1,3}( \d{3})+(\.\d*)?$/;
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;

const quoted = (text: string): string => `'${text}'`;

/** One value (a token of a list, or a single field's text), checked against the rule. */
export function readNumber(text: string, rule: NumberRule, list = false): Read<number> {
  const t = text.trim().replace(/\u2212/g, '-');
  const use = allowed(rule, list);
  if (t === '') return fail(`give a value; ${use}`);
  if (THOUSANDS.test(t) || THOUSANDS_SPACED.test(t)) {
    const plain = t.replace(/[, ]/g, '');
    return fail(`${quoted(text.trim())}: write ${plain} without a thousands separator`);
  }
  if (!list && rule.kind === 'real' && DECIMAL_COMMA.test(t)) {
    return fail(`${quoted(text.trim())}: write ${t.replace(',', '.')} with a decimal point`);
  }
  const v = parseDecimal(t);
  if (Number.isNaN(v))
    return fail(`${quoted(text.trim())} is not ${rule.kind === 'integer' ? 'an integer' : 'a number'}; ${use}`);
  if (rule.kind === 'integer' && !Number.isInteger(v)) return fail(`${t} is not an integer; ${use}`);
  if (v < rule.min || v > rule.max) return fail(`${t} is out of range; ${use}`);
  return { ok: true, value: v };
}

/** How the list fields separate their values, for their placeholders and hints. */
export const LIST_SEPARATORS = 'commas or spaces between values';

/**
 * "16, 64 256" -> [16, 64, 256]. Each value read as readNumber reads it; a value given twice is
 * refused (it would stand for no probe of its own), as are more than maxLength values.
 */
export function readNumberList(text: string, rule: NumberRule, maxLength: number, example: string): Read<number[]> {
  // Whitespace-separated runs first: a run like "1,024" is one number written with a separator.
  const tokens: string[] = [];
  for (const run of text.split(/\s+/).filter((r) => r !== '')) {
    const bare = run.replace(/^,+|,+$/g, '');
    if (THOUSANDS.test(bare)) tokens.push(bare);
    else tokens.push(...run.split(',').filter((t) => t !== ''));
  }
  if (tokens.length === 0) return fail(`give at least one value, e.g. ${example}`);
  const values: number[] = [];
  const typed = new Map<number, string>();
  for (const token of tokens) {
    const r = readNumber(token, rule, true);
    if (!r.ok) return r;
    const before = typed.get(r.value);
    if (before !== undefined) {
      const repeat = before === token ? `${quoted(token)} is listed twice` : `${quoted(token)} is ${quoted(before)} again`;
      return fail(`${repeat}; give each value once`);
    }
    typed.set(r.value, token);
    values.push(r.value);
  }
  if (values.length > maxLength) return fail(`${formatLimit(values.length)} values; list at most ${formatLimit(maxLength)}`);
  return { ok: true, value: values };
}
