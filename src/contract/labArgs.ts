// One zod schema per call argument, shared by every adapter (Electron IPC, lab server) so a bad
// argument becomes an `invalid-argument` Result naming the field, never an exception.
import { z } from 'zod';
import { NORM_NAMES, type LabApi, type LabCall } from './labApi';
import { NO_ARG_CALLS } from './labCalls';
import { fail, ok, type FieldIssue, type Result } from './result';
import { SWEEP_LIMITS, sweepNameSchema, sweepSpecSchema, type SweepSpecRequest } from './sweepSpec';
import { MODEL_FILE_MAX_BYTES, namesModelFiles } from './modelFiles';
import { connectivityRequestSchema } from './connectivity';

export const sweepIdSchema = z
  .number({ error: 'sweepId must be a number' })
  .int({ error: 'sweepId must be a positive integer' })
  .min(1, { error: 'sweepId must be a positive integer' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'sweepId must be a positive integer' });

export const curveQuerySchema = z
  .object({
    sweepId: sweepIdSchema,
    norm: z.enum(NORM_NAMES as [string, ...string[]], { error: `norm must be one of ${NORM_NAMES.join(', ')}` }),
    T: z.number().int({ error: 'T must be a positive integer' }).min(1, { error: 'T must be a positive integer' }).optional(),
  })
  .strict();

/** At most this many sweeps in one export or lookup. */
const MAX_SWEEPS_PER_CALL = 10_000;

export const exportRequestSchema = z
  .object({
    sweepIds: z.array(sweepIdSchema, { error: 'sweepIds must be a list of sweep ids' }).max(MAX_SWEEPS_PER_CALL).optional(),
  })
  .strict();

const sweepRefSchema = z
  .string({ error: 'a sweep is given by its name or id' })
  .trim()
  .min(1, { error: 'a sweep name or id must not be empty' })
  .max(SWEEP_LIMITS.name.max, { error: `a sweep name is at most ${SWEEP_LIMITS.name.max} characters` });

export const sweepRefsSchema = z
  .array(sweepRefSchema, { error: 'refs must be a list of sweep names or ids' })
  .max(MAX_SWEEPS_PER_CALL, { error: `at most ${MAX_SWEEPS_PER_CALL} sweeps at once` });

/**
 * A sweep spec as an adapter checks it. One that names a weights or inputs file goes to the
 * service as written: the files fix T, N, D, H and the arch, so the defaults the schema would fill
 * in could disagree with them; the service reads the files and then checks every field.
 */
export const sweepSpecArgSchema = z.unknown().transform((spec, ctx) => {
  if (namesModelFiles(spec)) return spec as SweepSpecRequest;
  const parsed = sweepSpecSchema.safeParse(spec);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ ...issue });
  return z.NEVER;
});

export const importModelRequestSchema = z
  .object({
    fileName: z
      .string({ error: "fileName must be the chosen file's name" })
      .min(1, { error: 'fileName must not be empty' })
      .max(255, { error: 'fileName must be at most 255 characters' }),
    bytesBase64: z
      .string({ error: "bytesBase64 must be the file's bytes in base64" })
      .max(Math.ceil(MODEL_FILE_MAX_BYTES / 3) * 4, {
        error: `the model file must be at most ${MODEL_FILE_MAX_BYTES / 1024 / 1024} MiB`,
      }),
  })
  .strict();

export const renameRequestSchema = z.object({ sweepId: sweepIdSchema, name: sweepNameSchema }).strict();

/** The run settings a user may choose. */
export const RUN_LIMITS = { workers: { min: 1, max: 256 } } as const;

const workersMessage = `Workers must be an integer in [${RUN_LIMITS.workers.min}, ${RUN_LIMITS.workers.max}]`;
export const runSettingsChangeSchema = z
  .object({
    workers: z
      .number({ error: workersMessage })
      .int({ error: workersMessage })
      .min(RUN_LIMITS.workers.min, { error: workersMessage })
      .max(RUN_LIMITS.workers.max, { error: workersMessage }),
  })
  .strict();

export const LAB_ARG_SCHEMAS: Record<LabCall, z.ZodType | null> = {
  getLabInfo: null,
  checkSweep: sweepSpecArgSchema,
  estimateSweep: sweepSpecArgSchema,
  queueSweep: sweepSpecArgSchema,
  listModels: null,
  importModel: importModelRequestSchema,
  listSweeps: null,
  getSweep: sweepIdSchema,
  resolveSweeps: sweepRefsSchema,
  cancelSweep: sweepIdSchema,
  pauseSweep: sweepIdSchema,
  resumeSweep: sweepIdSchema,
  retryFailed: sweepIdSchema,
  renameSweep: renameRequestSchema,
  deleteSweep: sweepIdSchema,
  getRunSettings: null,
  setRunSettings: runSettingsChangeSchema,
  loadCurves: curveQuerySchema,
  exportCsv: exportRequestSchema,
  loadProbeRates: exportRequestSchema,
  loadConnectivity: connectivityRequestSchema,
};

/** The argument type of a call (undefined for calls without one). */
export type LabArg<C extends LabCall> = Parameters<LabApi[C]> extends [infer A] ? A : undefined;

/** What a call resolves to: its Result, typed from the contract. */
export type LabReturn<C extends LabCall> = ReturnType<LabApi[C]>;

/** A handler for each call, typed from the contract (what an adapter may put in place of the lab's own). */
export type LabCallHandlers = { [C in LabCall]: (arg: LabArg<C>) => LabReturn<C> };

export function zodIssues(error: z.ZodError): FieldIssue[] {
  // An issue about the argument as a whole has an empty path.
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(argument)', message: i.message }));
}

/**
 * Validates the raw argument of `call`. Returns the parsed value (defaults filled in) or an
 * invalid-argument error listing each offending field.
 */
export function validateLabArg<C extends LabCall>(call: C, raw: unknown): Result<LabArg<C>> {
  const schema = LAB_ARG_SCHEMAS[call];
  if (!schema) {
    if (raw === undefined || raw === null) return ok(undefined as LabArg<C>);
    return fail('invalid-argument', `${call} takes no argument`);
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return ok(parsed.data as LabArg<C>);
  const issues = zodIssues(parsed.error);
  const first = issues[0];
  const where = first?.path ? `${first.path}: ` : '';
  return fail('invalid-argument', `${call}: ${where}${first?.message ?? 'invalid argument'}`, issues);
}

/** Calls a LabApi method with an already-validated argument. */
export function invokeLab<C extends LabCall>(api: LabApi, call: C, arg: LabArg<C>): LabReturn<C> {
  // TypeScript cannot correlate api[call] with LabArg<call> for a generic C; the schema map above
  // (checked against LabCall) is what ties them together.
  const fn = api[call] as (a?: unknown) => LabReturn<C>;
  return NO_ARG_CALLS.has(call) ? fn.call(api) : fn.call(api, arg);
}
