// Small helpers for the lab server's plain-Node HTTP handling.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { parseJsonDocument } from '../contract/jsonDocument';
import type { Result } from '../contract/result';
import { httpStatusOf } from './httpStatus';

export const MAX_BODY_BYTES = 1 << 20;

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

export const contentTypeOf = (path: string): string => CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';

/** Same policy as the meta tag in index.html, sent as a header too. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function securityHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('Cache-Control', 'no-store');
}

/**
 * A Result as JSON, with the status of its error code (200 for a value). `status` only where HTTP
 * has a more precise status for the same error (413 for an oversized body).
 */
export function sendResult(res: ServerResponse, result: Result<unknown>, status = httpStatusOf(result)): void {
  const text = JSON.stringify(result);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A request body we cannot read: not JSON (400) or too large (413). */
export class BodyError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413,
  ) {
    super(message);
  }
}

/**
 * Reads a JSON body (empty body = undefined). Throws BodyError on oversize or bad JSON. A call
 * that takes a bigger body (importModel: a model file) gives its own limit and says what it is.
 */
export async function readJsonBody(
  req: IncomingMessage,
  maxBytes = MAX_BODY_BYTES,
  tooLarge = `request body exceeds ${maxBytes} bytes`,
): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    // Over the limit: keep draining (so the client can read our 413) but keep nothing, up to a
    // hard cap beyond which the connection is dropped.
    if (size > maxBytes + 15 * MAX_BODY_BYTES) throw new BodyError(tooLarge, 413);
    if (size <= maxBytes) chunks.push(buf);
  }
  if (size > maxBytes) throw new BodyError(tooLarge, 413);
  try {
    // Read as the CLI reads a spec file: UTF-8, a leading BOM dropped.
    return parseJsonDocument(Buffer.concat(chunks));
  } catch (err) {
    throw new BodyError(`request body ${(err as Error).message}`, 400);
  }
}
