// The sweep spec: what the CLI reads from a JSON file and the app's form produces. One zod schema
// validates it everywhere (CLI, Electron main, lab server, renderer form).
import { z } from 'zod';

export const SWEEP_LIMITS = {
  T: { min: 1, max: 100_000 },
  N: { min: 1, max: 4096 },
  D: { min: 1, max: 4096 },
  H: { min: 1, max: 4096 },
  forgetBias: { min: -50, max: 50 },
  seed: { min: 0, max: 4_294_967_295 },
  whGain: { min: 0, max: 100 },
  h0Scale: { min: 0, max: 100 },
  bScale: { min: 0, max: 100 },
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

const listOf = (value: z.ZodNumber, name: string) =>
  z
    .array(value)
    .min(1, { error: `${name} must list at least one value` })
    .max(SWEEP_LIMITS.listLength.max, { error: `${name} may list at most ${SWEEP_LIMITS.listLength.max} values` });

export const sweepSpecSchema = z
  .object({
    name: z.string().trim().min(1, { error: 'name must not be empty' }).max(200, { error: 'name must be at most 200 characters' }),
    archs: z
      .array(z.enum(['rnn', 'lstm'], { error: 'archs may contain only "rnn" and "lstm"' }))
      .min(1, { error: 'archs must list at least one of "rnn", "lstm"' })
      .default(['rnn', 'lstm']),
    T: z.union([listOf(intIn('T', SWEEP_LIMITS.T), 'T'), rangeOf(realIn('T', SWEEP_LIMITS.T), 'T')]),
    forgetBias: z
      .union([listOf(realIn('forgetBias', SWEEP_LIMITS.forgetBias), 'forgetBias'), rangeOf(realIn('forgetBias', SWEEP_LIMITS.forgetBias), 'forgetBias')])
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
