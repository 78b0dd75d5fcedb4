// The sweep spec: what the CLI reads from a JSON file and the app's form produces. One zod schema
// validates it everywhere (CLI, Electron main, lab server, renderer form).
import { z } from 'zod';
import { LIMITS as PROBE_LIMITS } from '../engine/probeLimits';
import { NORM_NAMES, type NormName } from './labApi';

/**
 * One table of limits: the engine's (src/engine/probeLimits.ts), which the CLI's probe, the sweep
 * spec and the app's form all use, with the memory check (the engine's, against each worker's
 * share of the budget) deciding what fits; plus what only a sweep has.
 */
export const SWEEP_LIMITS = {
  T: PROBE_LIMITS.T,
  N: PROBE_LIMITS.N,
  D: PROBE_LIMITS.D,
  H: PROBE_LIMITS.H,
  forgetBias: PROBE_LIMITS.forgetBias,
  seed: PROBE_LIMITS.seed,
  whGain: PROBE_LIMITS.whGain,
  h0Scale: PROBE_LIMITS.h0Scale,
  bScale: PROBE_LIMITS.bScale,
  /** Characters of a sweep's name. */
  name: { max: 200 },
  /** Values one list or range may expand to. */
  listLength: { max: 1000 },
  /** Probes one sweep may expand to. */
  probes: { max: 100_000 },
} as const;

const intIn = (name: string, r: { min: number; max: number }) =>
  z
    .number({ error: `${name} must be a number` })
    .int({ error: `${name} must be an integer in [${r.min}, ${r.max}]` })
    .min(r.min, { error: `${name} must be an integer in [${r.min}, ${r.max}]` })
    .max(r.max, { error: `${name} must be an integer in [${r.min}, ${r.max}]` });

const realIn = (name: string, r: { min: number; max: number }) =>
  z
    .number({ error: `${name} must be a finite number in [${r.min}, ${r.max}]` })
    .min(r.min, { error: `${name} must be a number in [${r.min}, ${r.max}]` })
    .max(r.max, { error: `${name} must be a number in [${r.min}, ${r.max}]` });

const rangeOf = (value: z.ZodNumber, name: string) =>
  z
    .object({
      from: value,
      to: value,
      count: z
        .number()
        .int()
        .min(1, { error: `${name}.count must be an integer in [1, ${SWEEP_LIMITS.listLength.max}]` })
        .max(SWEEP_LIMITS.listLength.max, { error: `${name}.count must be an integer in [1, ${SWEEP_LIMITS.listLength.max}]` }),
      scale: z.enum(['linear', 'log']).default('linear'),
    })
    .strict()
    .refine((r) => r.scale === 'linear' || (r.from > 0 && r.to > 0), {
      error: `${name}: a log range needs from > 0 and to > 0`,
    });

/**
 * The spec's fields as the app's form labels them, by issue path ("init.whGain"): a message
 * about a field names it by its label (see labelledIssue.ts), in the form and the CLI alike.
 */
export const SWEEP_FIELD_LABELS = {
  name: 'Name',
  N: 'Batch N',
  D: 'Input D',
  H: 'Hidden H',
  'init.scheme': 'Init scheme',
  'init.whGain': 'Wh gain g',
  'init.h0Scale': 'h0 scale',
  'init.bScale': 'b scale',
  lossStep: 'Loss step',
  weights: 'Model',
  inputs: 'Input sequences',
  lyapunovVectors: 'Lyapunov vectors',
  archs: 'Architectures',
  T: 'Sequence lengths T',
  forgetBias: 'Forget-gate biases',
  seeds: 'Seeds',
  norms: 'Norms',
} as const;

/**
 * A value listed twice is refused rather than dropped: it would stand for no probe of its own,
 * yet count against the probe limit and in the sweep's total.
 */
const eachOnce =
  (field: keyof typeof SWEEP_FIELD_LABELS) =>
  <V>(values: readonly V[], ctx: z.RefinementCtx): void => {
    const seen = new Set<V>();
    for (const v of values) {
      if (seen.has(v)) {
        ctx.addIssue({
          code: 'custom',
          message: `${SWEEP_FIELD_LABELS[field]} list ${JSON.stringify(v)} more than once; give each value once`,
        });
        return;
      }
      seen.add(v);
    }
  };

const listOf = (value: z.ZodNumber, name: keyof typeof SWEEP_FIELD_LABELS) =>
  z
    .array(value)
    .min(1, { error: `${name} must list at least one value` })
    .max(SWEEP_LIMITS.listLength.max, { error: `${name} may list at most ${SWEEP_LIMITS.listLength.max} values` })
    .superRefine(eachOnce(name));

const modelRef = (name: string) =>
  z
    .string({ error: `${name} must be a file's path or ref` })
    .min(1, { error: `${name} must not be empty` })
    .max(4096, { error: `${name} must be at most 4096 characters` })
    .refine((ref) => !ref.includes('\u0000'), { error: `${name} must not contain NUL` });

/**
 * Control characters (C0, DEL, C1), line and paragraph separators, and the bidirectional
 * overrides that make text display in another order than it is stored: none belongs in a name
 * that is shown in the app and written into CSV files.
 */
const CONTROL_CHARACTERS = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** A sweep's name, in a spec and when a sweep is renamed. */
export const sweepNameSchema = z
  .string({ error: 'name must be text' })
  .trim()
  .min(1, { error: 'name must not be empty' })
  .max(SWEEP_LIMITS.name.max, { error: `name must be at most ${SWEEP_LIMITS.name.max} characters` })
  .refine((name) => !CONTROL_CHARACTERS.test(name), {
    error: 'name must not contain control characters (tabs, line breaks, NUL, text-direction overrides)',
  });

/**
 * The step whose loss is differentiated, as the user counts steps (t = 1..T): the last (the
 * default), a fixed step (at most the shortest T of the sweep, checked with the spec), or a
 * fraction of each probe's T (rounded, at least step 1). lossStepOf turns it into a probe's.
 */
export const lossStepSchema = z.union(
  [
    z.literal('last'),
    z
      .number({ error: 'lossStep must be "last", a step in [1, T] or { "fraction": f }' })
      .int({ error: `lossStep must be an integer step in [1, ${SWEEP_LIMITS.T.max}]` })
      .min(1, { error: `lossStep must be an integer step in [1, ${SWEEP_LIMITS.T.max}]` })
      .max(SWEEP_LIMITS.T.max, { error: `lossStep must be an integer step in [1, ${SWEEP_LIMITS.T.max}]` }),
    z
      .object({
        fraction: z
          .number({ error: 'lossStep.fraction must be a number in [0, 1]' })
          .min(0, { error: 'lossStep.fraction must be a number in [0, 1]' })
          .max(1, { error: 'lossStep.fraction must be a number in [0, 1]' }),
      })
      .strict(),
  ],
  { error: 'lossStep must be "last", a step in [1, T] or { "fraction": f }' },
);
export type LossStep = z.output<typeof lossStepSchema>;

/** The engine's 0-based loss step of a probe of length T (ProbeConfig.lossStep: t - 1). */
export function lossStepOf(lossStep: LossStep, T: number): number {
  if (lossStep === 'last') return T - 1;
  const step = typeof lossStep === 'number' ? lossStep : Math.round(lossStep.fraction * T);
  return Math.min(T, Math.max(1, step)) - 1;
}

export const sweepSpecSchema = z
  .object({
    name: sweepNameSchema,
    archs: z
      .array(z.enum(['rnn', 'lstm', 'gru'], { error: 'archs may contain only "rnn", "lstm" and "gru"' }))
      .min(1, { error: 'archs must list at least one of "rnn", "lstm", "gru"' })
      .superRefine(eachOnce('archs'))
      .default(['rnn', 'lstm']),
    T: z.union([listOf(intIn('T', SWEEP_LIMITS.T), 'T'), rangeOf(realIn('T', SWEEP_LIMITS.T), 'T')]),
    forgetBias: z
      .union([
        listOf(realIn('forgetBias', SWEEP_LIMITS.forgetBias), 'forgetBias'),
        rangeOf(realIn('forgetBias', SWEEP_LIMITS.forgetBias), 'forgetBias'),
      ])
      .default([0]),
    seeds: z
      .union([
        listOf(intIn('seed', SWEEP_LIMITS.seed), 'seeds'),
        z.object({ count: intIn('seeds.count', { min: 1, max: SWEEP_LIMITS.listLength.max }) }).strict(),
      ])
      .default([1]),
    N: intIn('N', SWEEP_LIMITS.N).default(16),
    D: intIn('D', SWEEP_LIMITS.D).default(16),
    H: intIn('H', SWEEP_LIMITS.H).default(64),
    init: z
      .object({
        scheme: z.enum(['scaled', 'article'], { error: 'init.scheme must be "scaled" or "article"' }).default('scaled'),
        whGain: realIn('init.whGain', SWEEP_LIMITS.whGain).default(1),
        h0Scale: realIn('init.h0Scale', SWEEP_LIMITS.h0Scale).default(0),
        bScale: realIn('init.bScale', SWEEP_LIMITS.bScale).default(0),
      })
      .strict()
      .default({ scheme: 'scaled', whGain: 1, h0Scale: 0, bScale: 0 }),
    rng: z.literal('numpy', { error: 'rng must be "numpy"' }).default('numpy'),
    lossStep: lossStepSchema.default('last'),
    // Lyapunov vectors per sequence (the top-k finite-time exponents). Optional, with no default
    // filled in, so that a spec written before it existed keeps its hash (and resumes); left out
    // or 0, no exponents are computed: k vectors cost about k times the backward state update.
    lyapunovVectors: intIn('lyapunovVectors', { min: 0, max: 16 }).optional(),
    // A trained layer and/or the user's own sequences (issue 14), as refs (see ModelFileInfo.ref):
    // the service reads the files, which fix the arch, D and H (weights) and T, N and D (inputs),
    // and stores the spec with those filled in. With weights, forgetBias is an offset added to the
    // trained forget (LSTM) or update (GRU) gate bias. Optional, no default: old specs keep their hash.
    weights: modelRef('weights').optional(),
    layer: intIn('layer', { min: 0, max: 1000 }).optional(),
    inputs: modelRef('inputs').optional(),
    // The norms each probe computes (see computedNorms). Optional with no default, like
    // lyapunovVectors, so a spec written without it keeps its hash; kept in one canonical order,
    // and left out when it lists all five, so the same choice always hashes the same.
    norms: z
      .array(z.enum(NORM_NAMES, { error: `norms may contain only ${NORM_NAMES.map((n) => `"${n}"`).join(', ')}` }))
      .min(1, { error: `norms must list at least one of ${NORM_NAMES.join(', ')}` })
      .superRefine(eachOnce('norms'))
      .transform((names) => (names.length === NORM_NAMES.length ? undefined : canonicalNorms(names)))
      .optional(),
  })
  .strict();

/** The names in NORM_NAMES' order. */
export function canonicalNorms(names: readonly NormName[]): NormName[] {
  return NORM_NAMES.filter((n) => names.includes(n));
}

/**
 * The norms a sweep's probes compute: the spec's `norms`, or all five when it does not say. (dc
 * exists only for the LSTM; an RNN probe of a sweep asking for it has no dc curve.)
 */
export function computedNorms(spec: Pick<SweepSpec, 'norms'>): NormName[] {
  return spec.norms ? canonicalNorms(spec.norms) : [...NORM_NAMES];
}

/** What a user writes (defaults may be left out). */
export type SweepSpecInput = z.input<typeof sweepSpecSchema>;
/**
 * What the lab's calls take: a spec whose T may be left out, for a spec with an `inputs` file
 * (which fixes T; the service refuses T there, and requires it everywhere else).
 */
export type SweepSpecRequest = Omit<SweepSpecInput, 'T'> & Partial<Pick<SweepSpecInput, 'T'>>;
/** A validated spec with every default filled in. */
export type SweepSpec = z.output<typeof sweepSpecSchema>;

/** The spec the app's form starts from: 24 probes that finish in well under a minute. */
export const DEFAULT_SWEEP_SPEC: SweepSpec = {
  name: 'forget bias vs length',
  archs: ['rnn', 'lstm'],
  T: [16, 64, 256, 1024],
  forgetBias: [-2, 0, 1, 2, 4],
  seeds: [1],
  N: 16,
  D: 16,
  H: 64,
  init: { scheme: 'scaled', whGain: 1, h0Scale: 0, bScale: 0 },
  rng: 'numpy',
  lossStep: 'last',
};
