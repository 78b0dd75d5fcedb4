// Errors cross every adapter (IPC, HTTP, CLI) as values, never as thrown exceptions, so the
// renderer can show them next to the field they are about.
export interface FieldIssue {
  /** Dotted path of the offending field, e.g. "T.count" or "init.whGain". */
  path: string;
  message: string;
}

export type ErrorCode = 'invalid-argument' | 'not-found' | 'conflict' | 'forbidden' | 'internal';

export interface LabError {
  code: ErrorCode;
  message: string;
  issues?: FieldIssue[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: LabError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string, issues?: FieldIssue[]): Result<never> => ({
  ok: false,
  error: issues ? { code, message, issues } : { code, message },
});
