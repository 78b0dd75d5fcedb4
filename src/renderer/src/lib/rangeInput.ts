// A range of values as typed into the form (from, to, count, linear or log spacing), read with a
// message that says what to change: from above to, from equal to to with more than one value,
// a log range through 0, and (for lengths, rounded to whole steps) a count that repeats values.
import { rangeLengths, rangeValues, type SweepRange } from '../../../contract/sweepRange';
import { SWEEP_LIMITS } from '../../../contract/sweepSpec';
import { formatLimit, readNumber, type NumberRule, type Read } from './numberInput';

export interface RangeText {
  from: string;
  to: string;
  count: string;
  scale: 'linear' | 'log';
}

export interface ReadRange {
  range: Required<SweepRange>;
  /** The values the range stands for, as the sweep will run them. */
  values: number[];
}

const COUNT_RULE: NumberRule = { kind: 'integer', min: 1, max: SWEEP_LIMITS.listLength.max };

const fail = (problem: string): { ok: false; problem: string } => ({ ok: false, problem });

const distinct = (xs: number[]): boolean => new Set(xs).size === xs.length;

/** The largest count up to `count` whose rounded values do not repeat. */
function largestDistinctCount(r: Required<SweepRange>): number {
  let c = r.count;
  while (c > 1 && !distinct(rangeLengths({ ...r, count: c }))) c--;
  return c;
}

/** `wholeSteps`: the values are rounded to integers (sequence lengths), so a dense range repeats. */
export function readRange(text: RangeText, rule: NumberRule, wholeSteps: boolean): Read<ReadRange> {
  const from = readNumber(text.from, { ...rule, kind: 'real' });
  if (!from.ok) return fail(`from ${from.problem}`);
  const to = readNumber(text.to, { ...rule, kind: 'real' });
  if (!to.ok) return fail(`to ${to.problem}`);
  const count = readNumber(text.count, COUNT_RULE);
  if (!count.ok) return fail(`count ${count.problem}`);
  const range = { from: from.value, to: to.value, count: count.value, scale: text.scale };
  if (range.from > range.to) return fail(`from ${range.from} is greater than to ${range.to}; swap them`);
  if (range.from === range.to && range.count > 1) {
    return fail(`from and to are both ${range.from}, which is one value; set count to 1 or widen the range`);
  }
  if (range.scale === 'log' && range.from <= 0) return fail(`a log-spaced range needs from > 0; got from ${range.from}`);
  const values = wholeSteps ? rangeLengths(range) : rangeValues(range);
  if (!distinct(values)) {
    const most = largestDistinctCount(range);
    return fail(
      `${formatLimit(range.count)} values from ${range.from} to ${range.to} repeat lengths once rounded to whole steps; use a count of at most ${formatLimit(most)}`,
    );
  }
  return { ok: true, value: { range, values } };
}

/** "= 16, 64, 256, 1024" under a range; a long one shows its ends and how many. */
export function rangePreview(values: readonly number[]): string {
  const show = (v: number): string => String(Number(v.toPrecision(4)));
  if (values.length <= 8) return `= ${values.map(show).join(', ')}`;
  return `= ${values.slice(0, 3).map(show).join(', ')}, …, ${show(values[values.length - 1])} (${formatLimit(values.length)} values)`;
}
