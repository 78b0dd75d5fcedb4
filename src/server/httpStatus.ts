// The lab server's one map from an error code to its HTTP status: every error it answers with
// (a call's Result, a refused token, a bad body) gets its status here.
import type { ErrorCode, Result } from '../contract/result';

export const HTTP_STATUS: Record<ErrorCode, number> = {
  'invalid-argument': 400,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  conflict: 409,
  // 423 Locked (RFC 4918): the lab cannot be changed; one status per code, so not 409 or 403.
  'read-only': 423,
  // As gRPC's HTTP mapping: 499 "client closed request".
  cancelled: 499,
  internal: 500,
  unavailable: 503,
};

/** 200 for a value, the error's status otherwise. */
export const httpStatusOf = (result: Result<unknown>): number => (result.ok ? 200 : HTTP_STATUS[result.error.code]);
