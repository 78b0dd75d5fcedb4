// The new-sweep form: its editable state (strings, as typed), the spec it produces, and the
// shared zod schema's issues mapped to the form field they are about.
import { SWEEP_LIMITS, sweepSpecSchema, type SweepSpec, type SweepSpecInput } from '../../../contract/sweepSpec';
import type { FieldIssue } from '../../../contract/result';
import { parseDecimal } from '../../../contract/decimalNumber';

export type ListOrRange = 'list' | 'range';

export interface RangeText {
  from: string;
  to: string;
  count: string;
  scale: 'linear' | 'log';
}

export interface SweepForm {
  name: string;
  rnn: boolean;
  lstm: boolean;
  Tmode: ListOrRange;
  Tlist: string;
  Trange: RangeText;
  bfMode: ListOrRange;
  bfList: string;
  bfRange: RangeText;
  seedsMode: 'list' | 'count';
  seedsList: string;
  seedsCount: string;
  N: string;
  D: string;
  H: string;
  scheme: 'scaled' | 'article';
  whGain: string;
  h0Scale: string;
  bScale: string;
}

/** Form fields that can carry an error message. */
export type FormField =
  | 'name'
  | 'archs'
  | 'T'
  | 'forgetBias'
  | 'seeds'
  | 'N'
  | 'D'
  | 'H'
  | 'init.scheme'
  | 'init.whGain'
  | 'init.h0Scale'
  | 'init.bScale'
  | 'form';

const listText = (xs: readonly number[]): string => xs.join(', ');

export function formFromSpec(spec: SweepSpec): SweepForm {
  const T = spec.T;
  const bf = spec.forgetBias;
  const seeds = spec.seeds;
  const range = (r: { from: number; to: number; count: number; scale: 'linear' | 'log' }): RangeText => ({
    from: String(r.from),
    to: String(r.to),
    count: String(r.count),
    scale: r.scale,
  });
  return {
    name: spec.name,
    rnn: spec.archs.includes('rnn'),
    lstm: spec.archs.includes('lstm'),
    Tmode: Array.isArray(T) ? 'list' : 'range',
    Tlist: Array.isArray(T) ? listText(T) : '16, 64, 256',
    Trange: Array.isArray(T) ? { from: '16', to: '1024', count: '4', scale: 'log' } : range(T),
    bfMode: Array.isArray(bf) ? 'list' : 'range',
    bfList: Array.isArray(bf) ? listText(bf) : '0',
    bfRange: Array.isArray(bf) ? { from: '-2', to: '4', count: '4', scale: 'linear' } : range(bf),
    seedsMode: Array.isArray(seeds) ? 'list' : 'count',
    seedsList: Array.isArray(seeds) ? listText(seeds) : '1',
    seedsCount: Array.isArray(seeds) ? '3' : String(seeds.count),
    N: String(spec.N),
    D: String(spec.D),
    H: String(spec.H),
    scheme: spec.init.scheme,
    whGain: String(spec.init.whGain),
    h0Scale: String(spec.init.h0Scale),
    bScale: String(spec.init.bScale),
  };
}

/** "16, 64 256;1024" -> numbers; an unreadable token becomes NaN so the schema names the field. */
export function parseNumberList(text: string): number[] {
  return text
    .split(/[\s,;]+/)
    .filter((t) => t !== '')
    .map(parseDecimal);
}

/** A number as typed; empty or unreadable -> NaN (the schema then names the field). */
export function parseNumber(text: string): number {
  return parseDecimal(text);
}

function rangeOf(r: RangeText): { from: number; to: number; count: number; scale: 'linear' | 'log' } {
  return { from: parseNumber(r.from), to: parseNumber(r.to), count: parseNumber(r.count), scale: r.scale };
}

export function specFromForm(f: SweepForm): SweepSpecInput {
  const archs: ('rnn' | 'lstm')[] = [];
  if (f.rnn) archs.push('rnn');
  if (f.lstm) archs.push('lstm');
  return {
    name: f.name,
    archs,
    T: f.Tmode === 'list' ? parseNumberList(f.Tlist) : rangeOf(f.Trange),
    forgetBias: f.bfMode === 'list' ? parseNumberList(f.bfList) : rangeOf(f.bfRange),
    seeds: f.seedsMode === 'list' ? parseNumberList(f.seedsList) : { count: parseNumber(f.seedsCount) },
    N: parseNumber(f.N),
    D: parseNumber(f.D),
    H: parseNumber(f.H),
    init: { scheme: f.scheme, whGain: parseNumber(f.whGain), h0Scale: parseNumber(f.h0Scale), bScale: parseNumber(f.bScale) },
  };
}

/** The form field an issue path ("T.2", "init.whGain", "forgetBias.count") belongs to. */
export function fieldOf(path: string): FormField {
  const [head, sub] = path.split('.');
  if (head === 'init') return `init.${sub ?? 'scheme'}` as FormField;
  if (['name', 'archs', 'T', 'forgetBias', 'seeds', 'N', 'D', 'H'].includes(head)) return head as FormField;
  return 'form';
}

export type FormErrors = Partial<Record<FormField, string>>;

/** Groups issues by form field, first message per field wins. */
export function errorsByField(issues: readonly FieldIssue[]): FormErrors {
  const out: FormErrors = {};
  for (const i of issues) {
    const f = fieldOf(i.path);
    if (!out[f]) out[f] = i.message;
  }
  return out;
}

export interface FormCheck {
  spec: SweepSpecInput;
  errors: FormErrors;
  valid: boolean;
}

/** Validates the form with the same schema the CLI, IPC and server use. */
export function checkForm(f: SweepForm): FormCheck {
  const spec = specFromForm(f);
  const parsed = sweepSpecSchema.safeParse(spec);
  if (parsed.success) return { spec, errors: {}, valid: true };
  const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  return { spec, errors: errorsByField(issues), valid: false };
}

/** Allowed ranges, shown as hints beside the inputs. */
export const HINTS = {
  T: `integers in [${SWEEP_LIMITS.T.min}, ${SWEEP_LIMITS.T.max}]`,
  forgetBias: `[${SWEEP_LIMITS.forgetBias.min}, ${SWEEP_LIMITS.forgetBias.max}]`,
  seed: `integers in [${SWEEP_LIMITS.seed.min}, ${SWEEP_LIMITS.seed.max}]`,
  N: `[${SWEEP_LIMITS.N.min}, ${SWEEP_LIMITS.N.max}]`,
  D: `[${SWEEP_LIMITS.D.min}, ${SWEEP_LIMITS.D.max}]`,
  H: `[${SWEEP_LIMITS.H.min}, ${SWEEP_LIMITS.H.max}]`,
  whGain: `[${SWEEP_LIMITS.whGain.min}, ${SWEEP_LIMITS.whGain.max}]`,
  h0Scale: `[${SWEEP_LIMITS.h0Scale.min}, ${SWEEP_LIMITS.h0Scale.max}]`,
  bScale: `[${SWEEP_LIMITS.bScale.min}, ${SWEEP_LIMITS.bScale.max}]`,
} as const;
