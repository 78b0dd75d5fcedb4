// One zod schema per call argument, shared by every adapter (Electron IPC, lab server) so a bad
// argument becomes an `invalid-argument` Result naming the field, never an exception.
import { z } from 'zod';
import { NORM_NAMES, type LabApi, type LabCall } from './labApi';
import { fail, ok, type FieldIssue, type Result } from './result';
import { sweepSpecSchema } from './sweepSpec';

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

export const exportRequestSchema = z
  .object({ sweepIds: z.array(sweepIdSchema, { error: 'sweepIds must be a list of sweep ids' }).max(10_000).optional() })
  .strict();

export const LAB_ARG_SCHEMAS: Record<LabCall, z.ZodType | null> = {
  estimateSweep: sweepSpecSchema,
  queueSweep: sweepSpecSchema,
  listSweeps: null,
  getSweep: sweepIdSchema,
  cancelSweep: sweepIdSchema,
  pauseSweep: sweepIdSchema,
  resumeSweep: sweepIdSchema,
  retryFailed: sweepIdSchema,
  loadCurves: curveQuerySchema,
  exportCsv: exportRequestSchema,
};

/** The argument type of a call (undefined for calls without one). */
export type LabArg<C extends LabCall> = Parameters<LabApi[C]> extends [infer A] ? A : undefined;

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
export function invokeLab<C extends LabCall>(api: LabApi, call: C, arg: LabArg<C>): Promise<Result<unknown>> {
  const fn = api[call] as (a?: unknown) => Promise<Result<unknown>>;
  return call === 'listSweeps' ? fn.call(api) : fn.call(api, arg);
}
