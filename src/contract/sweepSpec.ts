// The sweep spec: what the CLI reads from a JSON file and the app's form produces. One zod schema
// validates it everywhere (CLI, Electron main, lab server, renderer form).
import { z } from 'zod';
import { LIMITS as PROBE_LIMITS } from '../engine/probeLimits';

type Limit = { readonly min: number; readonly max: number };

/** The engine's range, with a lower ceiling: a sweep runs many probes, each must stay modest. */
const capped = (limit: Limit, max: number): Limit => ({ min: limit.min, max: Math.min(limit.max, max) });

export const SWEEP_LIMITS = {
  T: capped(PROBE_LIMITS.T, 100_000),
  N: capped(PROBE_LIMITS.N, 4096),
  D: capped(PROBE_LIMITS.D, 4096),
  H: capped(PROBE_LIMITS.H, 4096),
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

/** The list fields as the app's form labels them: a repeated value is named by its label. */
export const SWEEP_FIELD_LABELS = {
  archs: 'Architectures',
  T: 'Sequence lengths T',
  forgetBias: 'Forget-gate biases',
  seeds: 'Seeds',
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

/**
 * Control characters (C0, DEL, C1), line and paragraph separators, and the bidirectional
 * overrides that make text display in another order than it is stored: none belongs in a name
 * that is shown in the app and written into CSV files.
 */
const CONTROL_CHARACTERS = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

export const sweepSpecSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, { error: 'name must not be empty' })
      .max(SWEEP_LIMITS.name.max, { error: `name must be at most ${SWEEP_LIMITS.name.max} characters` })
      .refine((name) => !CONTROL_CHARACTERS.test(name), {
        error: 'name must not contain control characters (tabs, line breaks, NUL, text-direction overrides)',
      }),
    archs: z
      .array(z.enum(['rnn', 'lstm'], { error: 'archs may contain only "rnn" and "lstm"' }))
      .min(1, { error: 'archs must list at least one of "rnn", "lstm"' })
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
    lossStep: z.literal('last', { error: 'lossStep must be "last"' }).default('last'),
    // Lyapunov vectors per sequence (the top-k finite-time exponents). Optional, with no default
    // filled in, so that a spec written before it existed keeps its hash (and resumes); left out
    // or 0, no exponents are computed: k vectors cost about k times the backward state update.
    lyapunovVectors: intIn('lyapunovVectors', { min: 0, max: 16 }).optional(),
  })
  .strict();

/** What a user writes (defaults may be left out). */
export type SweepSpecInput = z.input<typeof sweepSpecSchema>;
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
