// Errors cross every adapter (IPC, HTTP, CLI) as values, never as thrown exceptions, so the
// renderer can show them next to the field they are about and branch on the code, never on the
// message text.
export interface FieldIssue {
  /** Dotted path of the offending field, e.g. "T.count" or "init.whGain". */
  path: string;
  message: string;
}

export const ERROR_CODES = [
  /** The argument is malformed or out of range (issues name the fields). */
  'invalid-argument',
  /** The sweep (or call, or file) asked for does not exist. */
  'not-found',
  /** The request is valid but the lab's state forbids it (e.g. pausing a finished sweep). */
  'conflict',
  /** The lab is read-only (on read-only media): it can be read and exported, nothing can change it. */
  'read-only',
  /** The caller may not ask (wrong token, a message from outside the app window). */
  'forbidden',
  /** The user called it off (e.g. closed the save dialog); nothing to report. */
  'cancelled',
  /** No lab to answer: none open yet, or it is closing. Retrying later may work. */
  'unavailable',
  /** The transport refused the request's method (HTTP: the route exists, not for this method). */
  'method-not-allowed',
  /** A fault in the lab itself. */
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

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
