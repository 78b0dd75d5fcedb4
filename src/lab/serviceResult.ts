// How the service turns what goes wrong into Result values: nothing it offers throws to a caller.
import type { z } from 'zod';
import { zodIssues } from '../contract/labArgs';
import { fail, type FieldIssue, type Result } from '../contract/result';

/** An invalid-argument Result listing every issue, each as "path: message". */
export function invalidArgument(what: string, issues: FieldIssue[]): Result<never> {
  return fail('invalid-argument', `${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
}

export function invalid(what: string, err: z.ZodError): Result<never> {
  return invalidArgument(what, zodIssues(err));
}

export function internal(err: unknown): Result<never> {
  return fail('internal', err instanceof Error ? err.message : String(err));
}

/** Wraps a method body: thrown errors become Result values. */
export async function guard<T>(body: () => Promise<Result<T>> | Result<T>): Promise<Result<T>> {
  try {
    return await body();
  } catch (err) {
    return internal(err);
  }
}
