// The new-sweep form: its editable state (strings, as typed), the spec it produces, and every
// problem with it as a message that names the field by its label. Each field's text is read
// first (numberInput.ts, rangeInput.ts: what is wrong with the text and what to write); the spec
// that reads cleanly then goes through the shared schema, whose issues are worded by label too.
import type { Arch, ModelFileInfo, NormName } from '../../../contract/labApi';
import { NORM_NAMES } from '../../../contract/labApi';
import { BIAS_OFFSET_LABEL, labelledMessage, sweepFieldOf, type SweepField } from '../../../contract/labelledIssue';
import type { FieldIssue } from '../../../contract/result';
import {
  DEFAULT_SWEEP_SPEC,
  SWEEP_FIELD_LABELS,
  SWEEP_LIMITS,
  sweepSpecSchema,
  type SweepSpec,
  type SweepSpecInput,
  type SweepSpecRequest,
} from '../../../contract/sweepSpec';
import { lossStepText, readLossStep, type LossStepText } from './lossStepInput';
import { allowed, LIST_SEPARATORS, readNumber, readNumberList, type NumberRule, type Read } from './numberInput';
import { rangePreview, readRange, type RangeText } from './rangeInput';

export type { RangeText } from './rangeInput';
export type ListOrRange = 'list' | 'range';

export const ARCHS: readonly Arch[] = ['rnn', 'lstm', 'gru'];

/** The architectures as the form names them. */
export const ARCH_LABELS: Record<Arch, string> = { rnn: 'vanilla RNN', lstm: 'LSTM', gru: 'GRU' };
/** With the article each takes as it is said ("an LSTM": el-es-tee-em). */
export const ARCH_WITH_ARTICLE: Record<Arch, string> = { rnn: 'a vanilla RNN', lstm: 'an LSTM', gru: 'a GRU' };

export interface NumbersText {
  mode: ListOrRange;
  list: string;
  range: RangeText;
}

export interface SweepForm {
  name: string;
  archs: Record<Arch, boolean>;
  T: NumbersText;
  forgetBias: NumbersText;
  seeds: { mode: 'list' | 'count'; list: string; count: string };
  N: string;
  D: string;
  H: string;
  scheme: 'scaled' | 'article';
  whGain: string;
  h0Scale: string;
  bScale: string;
  lossStep: LossStepText;
  norms: Record<NormName, boolean>;
  /** The ref of a trained model's file (spec.weights); null: random init. */
  weights: string | null;
  /**
   * The ref of the user's own input sequences (spec.inputs), kept from a duplicated spec; null:
   * Gaussian inputs. The file fixes T, N and D: the form shows them locked and leaves T out of
   * the spec (the lab refuses a T beside an inputs file).
   */
  inputs: string | null;
}

/** Form fields that can carry an error message ('form': the sweep as a whole). */
export type FormField = SweepField | 'form';
export type FormErrors = Partial<Record<FormField, string>>;

const listText = (xs: readonly number[]): string => xs.join(', ');

type SpecNumbers = number[] | { from: number; to: number; count: number; scale: 'linear' | 'log' };

const numbersText = (v: SpecNumbers, fallback: NumbersText): NumbersText =>
  Array.isArray(v)
    ? { ...fallback, mode: 'list', list: listText(v) }
    : { ...fallback, mode: 'range', range: { from: String(v.from), to: String(v.to), count: String(v.count), scale: v.scale } };

export function formFromSpec(spec: SweepSpec): SweepForm {
  const seeds = spec.seeds;
  const weights = spec.weights ?? null;
  const norms = spec.norms;
  return {
    name: spec.name,
    archs: { rnn: spec.archs.includes('rnn'), lstm: spec.archs.includes('lstm'), gru: spec.archs.includes('gru') },
    T: numbersText(spec.T, { mode: 'list', list: '16, 64, 256', range: { from: '16', to: '1024', count: '4', scale: 'log' } }),
    forgetBias: numbersText(spec.forgetBias, {
      mode: 'list',
      list: '0',
      range: { from: '-2', to: '4', count: '4', scale: 'linear' },
    }),
    seeds: Array.isArray(seeds)
      ? { mode: 'list', list: listText(seeds), count: '3' }
      : { mode: 'count', list: '1', count: String(seeds.count) },
    N: String(spec.N),
    D: String(spec.D),
    H: String(spec.H),
    scheme: spec.init.scheme,
    whGain: String(spec.init.whGain),
    h0Scale: String(spec.init.h0Scale),
    bScale: String(spec.init.bScale),
    lossStep: lossStepText(spec.lossStep),
    norms: Object.fromEntries(NORM_NAMES.map((n) => [n, norms ? norms.includes(n) : true])) as Record<NormName, boolean>,
    weights,
    inputs: spec.inputs ?? null,
  };
}

/** The architectures the form asks for: the model file's, else those ticked. */
export function chosenArchs(f: SweepForm, model: ModelFileInfo | null): Arch[] {
  return model ? [model.arch] : ARCHS.filter((a) => f.archs[a]);
}

/** The norms that mean something for these architectures: dc, the cell state's, only with an LSTM. */
export function applicableNorms(archs: readonly Arch[]): NormName[] {
  return NORM_NAMES.filter((n) => n !== 'dc' || archs.includes('lstm'));
}

/** The labels the form shows: a trained model's bias axis is an offset to its trained bias. */
export function formLabels(model: ModelFileInfo | null): Record<SweepField, string> {
  return { ...SWEEP_FIELD_LABELS, forgetBias: model ? BIAS_OFFSET_LABEL : SWEEP_FIELD_LABELS.forgetBias };
}

export const RULES = {
  T: { kind: 'integer', ...SWEEP_LIMITS.T },
  forgetBias: { kind: 'real', ...SWEEP_LIMITS.forgetBias },
  seed: { kind: 'integer', ...SWEEP_LIMITS.seed },
  seedCount: { kind: 'integer', min: 1, max: SWEEP_LIMITS.listLength.max },
  N: { kind: 'integer', ...SWEEP_LIMITS.N },
  D: { kind: 'integer', ...SWEEP_LIMITS.D },
  H: { kind: 'integer', ...SWEEP_LIMITS.H },
  whGain: { kind: 'real', ...SWEEP_LIMITS.whGain },
  h0Scale: { kind: 'real', ...SWEEP_LIMITS.h0Scale },
  bScale: { kind: 'real', ...SWEEP_LIMITS.bScale },
} as const satisfies Record<string, NumberRule>;

export const EXAMPLES = { T: '16, 64, 256', forgetBias: '-2, 0, 1, 2', seeds: '1, 2, 3' } as const;

/** Placeholders: an example of what each field takes. */
export const PLACEHOLDERS = {
  T: `e.g. ${EXAMPLES.T}`,
  forgetBias: `e.g. ${EXAMPLES.forgetBias}`,
  seeds: `e.g. ${EXAMPLES.seeds}`,
} as const;

/** Allowed ranges and how to write them, shown as hints beside the inputs. */
export const HINTS = {
  T: `${allowed(RULES.T, true)}; ${LIST_SEPARATORS}`,
  forgetBias: `${allowed(RULES.forgetBias, true)}; ${LIST_SEPARATORS}`,
  seeds: `${allowed(RULES.seed, true)}; ${LIST_SEPARATORS}`,
  seedCount: `seeds 1..count; ${allowed(RULES.seedCount, false)}`,
  N: allowed(RULES.N, false),
  D: allowed(RULES.D, false),
  H: allowed(RULES.H, false),
  whGain: allowed(RULES.whGain, false),
  h0Scale: allowed(RULES.h0Scale, false),
  bScale: allowed(RULES.bScale, false),
} as const;

export interface FormCheck {
  /** The spec the form stands for (meaningful when valid); without T when it names an inputs file. */
  spec: SweepSpecRequest;
  errors: FormErrors;
  valid: boolean;
  /** The values a range stands for, shown under it ("= 16, 64, 256"). */
  previews: { T?: string; forgetBias?: string };
}

/** Groups issues by form field, first message per field wins, each naming its field by label. */
export function errorsByField(
  issues: readonly FieldIssue[],
  labels: Record<SweepField, string> = SWEEP_FIELD_LABELS,
): FormErrors {
  const out: FormErrors = {};
  for (const issue of issues) {
    const field: FormField = sweepFieldOf(issue.path) ?? 'form';
    out[field] ??= labelledMessage(issue, labels);
  }
  return out;
}

/** The model file the form names, among the lab's (null: random init, or not found). */
export function chosenModel(f: SweepForm, models: readonly ModelFileInfo[] | null): ModelFileInfo | null {
  return f.weights === null ? null : (models?.find((m) => m.ref === f.weights) ?? null);
}

/**
 * Checks the form: each field's text, then the spec against the schema the CLI and the lab use.
 * `models`: the lab's model files (null while they load).
 */
export function checkForm(f: SweepForm, models: readonly ModelFileInfo[] | null = []): FormCheck {
  const model = chosenModel(f, models);
  const labels = formLabels(model);
  const errors: FormErrors = {};
  if (f.weights !== null && !model) {
    errors.weights =
      models === null
        ? `${labels.weights}: reading this lab's model files…`
        : `${labels.weights}: ${f.weights} is not among this lab's model files; choose another, or import the file again`;
  }
  const previews: FormCheck['previews'] = {};
  function take<V>(field: SweepField, r: Read<V>): V | undefined {
    if (r.ok) return r.value;
    errors[field] ??= `${labels[field]}: ${r.problem}`;
    return undefined;
  }

  function numbers(field: 'T' | 'forgetBias', text: NumbersText): SweepSpecInput['T'] | undefined {
    if (text.mode === 'list')
      return take(field, readNumberList(text.list, RULES[field], SWEEP_LIMITS.listLength.max, EXAMPLES[field]));
    const r = take(field, readRange(text.range, RULES[field], field === 'T'));
    if (r) previews[field] = rangePreview(r.values);
    return r?.range;
  }

  const archs = chosenArchs(f, model);
  const T = numbers('T', f.T);
  const forgetBias = numbers('forgetBias', f.forgetBias);
  const seeds =
    f.seeds.mode === 'list'
      ? take('seeds', readNumberList(f.seeds.list, RULES.seed, SWEEP_LIMITS.listLength.max, EXAMPLES.seeds))
      : take('seeds', readSeedCount(f.seeds.count));
  const N = take('N', readNumber(f.N, RULES.N));
  const D = model ? model.D : take('D', readNumber(f.D, RULES.D));
  const H = model ? model.H : take('H', readNumber(f.H, RULES.H));
  // A model file gives the weights: the init scheme, Wh gain and b scale do not apply (the form
  // hides them) and the spec takes the defaults, so one trained sweep always hashes the same.
  const init = DEFAULT_SWEEP_SPEC.init;
  const scheme = model ? init.scheme : f.scheme;
  const whGain = model ? init.whGain : take('init.whGain', readNumber(f.whGain, RULES.whGain));
  const h0Scale = take('init.h0Scale', readNumber(f.h0Scale, RULES.h0Scale));
  const bScale = model ? init.bScale : take('init.bScale', readNumber(f.bScale, RULES.bScale));
  // Without an LSTM, dc is computed for no probe: its box is off and out of the spec, and when
  // every other norm is ticked the spec leaves norms out (all five), as a spec written without them.
  const applicable = applicableNorms(archs);
  const norms = applicable.filter((n) => f.norms[n]);
  if (norms.length === 0) errors.norms = `${labels.norms}: tick at least one norm to compute`;
  if (archs.length === 0) errors.archs = `${labels.archs}: tick at least one architecture`;
  const shortestT = T === undefined ? null : Math.min(...(Array.isArray(T) ? T : [Math.round(T.from)]));
  const lossStep = take('lossStep', readLossStep(f.lossStep, shortestT));

  const checked = {
    name: f.name,
    archs,
    T,
    forgetBias,
    seeds: f.seeds.mode === 'list' ? seeds : seeds === undefined ? undefined : { count: seeds },
    N,
    D,
    H,
    init: { scheme, whGain, h0Scale, bScale },
    ...(lossStep === undefined || lossStep === 'last' ? {} : { lossStep }),
    ...(norms.length === applicable.length ? {} : { norms }),
    ...(model ? { weights: model.ref, ...(model.layer > 0 ? { layer: model.layer } : {}) } : {}),
    ...(f.inputs !== null ? { inputs: f.inputs } : {}),
  } as SweepSpecInput;
  // An inputs file fixes T: the T shown (the file's, from the spec duplicated) is checked here
  // with the rest, and left out of what goes to the lab.
  const { T: _fixedT, ...withoutT } = checked;
  const spec: SweepSpecRequest = f.inputs !== null ? withoutT : checked;

  if (Object.keys(errors).length === 0) {
    const parsed = sweepSpecSchema.safeParse(checked);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
      Object.assign(errors, errorsByField(issues, labels));
    }
  }
  return { spec, errors, valid: Object.keys(errors).length === 0, previews };
}

/** A seed count that does not read, said as a count (its own allowed range). */
function readSeedCount(text: string): Read<number> {
  const r = readNumber(text, RULES.seedCount);
  return r.ok ? r : { ok: false, problem: `count ${r.problem}` };
}
