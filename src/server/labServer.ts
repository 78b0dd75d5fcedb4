// The local lab server: the built renderer and a JSON API behind a random token in the URL
// (as Jupyter does). Plain Node http; listens on 127.0.0.1 unless told otherwise.
//
//   GET  /<token>/                 the renderer (index.html and its assets)
//   POST /<token>/api/<call>       one route per LabApi call; the JSON body is the argument
//   GET  /<token>/api/events       progress as Server-Sent Events
//   GET  /<token>/api/export.csv   the tidy CSV, streamed (?sweepIds=1,2; none = every sweep)
//
// Anything without the token gets 403. Behind it, a second wall (requestGuards.ts): a Host that
// is not this server gets 421, a call not sent as JSON or from another site's page 403. Every
// answer to a call is its Result as JSON, with the HTTP status of its error code (httpStatus.ts):
// a bad argument is a 400 Result naming the field.
//
// What a client can make the server hold is bounded (LabServerLimits): event streams and
// downloads at once, the bytes an event stream may have waiting for a client that does not
// read (past it the client is dropped), and how long a download may stall; a file being served
// is closed when its client goes. stats() counts what is held, for tests and the soak.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { isLabCall } from '../contract/labCalls';
import { invokeLab, validateLabArg } from '../contract/labArgs';
import type { ExportRequest, ProgressEvent } from '../contract/labApi';
import { exportFileName } from '../contract/exportFileName';
import { fail, type Result } from '../contract/result';
import { MODEL_FILE_MAX_BYTES } from '../contract/modelFiles';
import type { LabBackend } from './labBackend';
import { BodyError, contentTypeOf, readJsonBody, securityHeaders, sendResult } from './httpUtil';
import { checkHost, checkJsonBody, checkOrigin, decodePathSegments, servedHosts } from './requestGuards';

export interface LabServerLimits {
  /** Event streams open at once; one more is answered 503. */
  eventStreams: number;
  /** Bytes an event stream may have waiting for its client; past that the client is dropped. */
  eventStreamBufferBytes: number;
  /** CSV downloads at once; one more is answered 503. */
  exports: number;
  /** A download whose client has taken nothing for this long is dropped. */
  stalledDownloadMs: number;
}

export const DEFAULT_LIMITS: LabServerLimits = {
  eventStreams: 32,
  eventStreamBufferBytes: 1 << 20,
  exports: 4,
  stalledDownloadMs: 60_000,
};

export interface LabServerOptions {
  /** The service to serve (the server does not close it unless ownsService). */
  service: LabBackend;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  port?: number;
  host?: string;
  /** Fixed token (tests); default: 32 random bytes as hex. */
  token?: string;
  /** Close the service when the server closes. */
  ownsService?: boolean;
  limits?: Partial<LabServerLimits>;
}

/** What the server holds for its clients right now, and the slow event-stream clients it dropped. */
export interface LabServerStats {
  connections: number;
  eventStreams: number;
  /** Bytes waiting to be sent, over every event stream. */
  eventStreamBufferedBytes: number;
  droppedEventStreams: number;
  exports: number;
  /** Renderer files being sent. */
  files: number;
}

export interface LabServer {
  url: string;
  token: string;
  port: number;
  host: string;
  stats(): LabServerStats;
  close(): Promise<void>;
}

const SSE_HEARTBEAT_MS = 15_000;
/** importModel's body: a model file of at most MODEL_FILE_MAX_BYTES in base64, its name and the JSON around them. */
const IMPORT_BODY_BYTES = Math.ceil(MODEL_FILE_MAX_BYTES / 3) * 4 + 4096;
const IMPORT_TOO_LARGE = `importModel: the model file must be at most ${MODEL_FILE_MAX_BYTES / 1024 / 1024} MiB`;
/** How long a client may take to send its request headers, and its whole request. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

export async function createLabServer(opts: LabServerOptions): Promise<LabServer> {
  const token = opts.token ?? randomBytes(32).toString('hex');
  const tokenBuf = Buffer.from(token);
  const host = opts.host ?? '127.0.0.1';
  const limits: LabServerLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const rendererDir = resolve(opts.rendererDir);
  const service = opts.service;
  const sockets = new Set<Socket>();
  const eventStreams = new Set<ServerResponse>();
  let droppedEventStreams = 0;
  let exports = 0;
  let files = 0;
  /** Set once listening (the port is known then); no request is answered before. */
  let served: ReadonlySet<string> = new Set();

  /** Queues a frame for an event stream; a client that lets too much pile up is dropped. */
  function sendFrame(res: ServerResponse, frame: string): void {
    if (res.destroyed) return;
    res.write(frame);
    if (res.writableLength > limits.eventStreamBufferBytes) {
      droppedEventStreams++;
      eventStreams.delete(res);
      res.destroy();
    }
  }

  const unsubscribe = service.onProgress((event: ProgressEvent) => {
    const frame = `event: progress\ndata: ${JSON.stringify(event)}\n\n`;
    for (const res of eventStreams) sendFrame(res, frame);
  });
  const heartbeat = setInterval(() => {
    for (const res of eventStreams) sendFrame(res, ': keep-alive\n\n');
  }, SSE_HEARTBEAT_MS);
  heartbeat.unref();

  const hasToken = (segment: string | undefined): boolean => {
    if (!segment) return false;
    const buf = Buffer.from(segment);
    return buf.length === tokenBuf.length && timingSafeEqual(buf, tokenBuf);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    securityHeaders(res);
    const misdirected = checkHost(req, served);
    if (misdirected) return sendResult(res, misdirected, 421);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return sendResult(res, fail('invalid-argument', 'bad request URL'));
    }
    const parts = url.pathname.split('/');
    // parts[0] is '' (leading slash), parts[1] the token.
    if (!hasToken(parts[1])) return sendResult(res, fail('forbidden', 'missing or wrong token in the URL'));
    const rest = parts.slice(2);
    if (rest.length === 0) {
      // /<token> without trailing slash: relative asset URLs need the slash.
      res.writeHead(301, { Location: `/${token}/` });
      return void res.end();
    }
    if (rest[0] === 'api') return handleApi(req, res, rest.slice(1), url);
    return serveStatic(req, res, rest);
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, path: string[], url: URL): Promise<void> {
    const name = path.join('/');
    const foreign = checkOrigin(req, served);
    if (foreign) return sendResult(res, foreign);
    if (name === 'events' || name === 'export.csv') {
      if (req.method !== 'GET') return methodNotAllowed(res, name, 'GET');
      return name === 'events' ? openEvents(res) : streamExport(res, url);
    }
    if (!isLabCall(name)) return sendResult(res, fail('not-found', `no such call: ${name.slice(0, 100)}`));
    if (req.method !== 'POST') return methodNotAllowed(res, name, 'POST');
    const notJson = checkJsonBody(req, name);
    if (notJson) return sendResult(res, notJson);
    let raw: unknown;
    try {
      raw = name === 'importModel' ? await readJsonBody(req, IMPORT_BODY_BYTES, IMPORT_TOO_LARGE) : await readJsonBody(req);
    } catch (err) {
      // An oversized body is an invalid argument too, with HTTP's own status for it (413).
      const status = err instanceof BodyError ? err.status : undefined;
      return sendResult(res, fail('invalid-argument', err instanceof Error ? err.message : 'bad body'), status);
    }
    const arg = validateLabArg(name, raw);
    if (!arg.ok) return sendResult(res, arg);
    let result: Result<unknown>;
    try {
      result = await invokeLab(service, name, arg.value);
    } catch (err) {
      result = fail('internal', `${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    sendResult(res, result);
  }

  /** The route exists, not for this method: 405 with the methods it takes. */
  function methodNotAllowed(res: ServerResponse, what: string, allow: string): void {
    res.setHeader('Allow', allow);
    sendResult(res, fail('method-not-allowed', `${what} takes ${allow.split(', ').join(' or ')} only`));
  }

  function openEvents(res: ServerResponse): void {
    if (eventStreams.size >= limits.eventStreams) {
      return sendResult(
        res,
        fail(
          'unavailable',
          `${limits.eventStreams} event streams are open, the most this server keeps; close a tab of the lab and retry`,
        ),
      );
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    eventStreams.add(res);
    res.on('close', () => eventStreams.delete(res));
    sendFrame(res, 'retry: 2000\n: connected\n\n');
  }

  async function streamExport(res: ServerResponse, url: URL): Promise<void> {
    const idsParam = url.searchParams.get('sweepIds');
    const raw: ExportRequest = {};
    if (idsParam !== null && idsParam.trim() !== '') {
      raw.sweepIds = idsParam.split(',').map((s) => (/^\s*\d+\s*$/.test(s) ? Number(s) : NaN));
    }
    const arg = validateLabArg('exportCsv', raw);
    if (!arg.ok) return sendResult(res, arg);
    if (exports >= limits.exports) {
      return sendResult(
        res,
        fail(
          'unavailable',
          `${limits.exports} CSV downloads are running, the most this server runs at once; retry when one has finished`,
        ),
      );
    }
    exports++;
    // A client that stops taking the CSV would hold its read connection (and the WAL) forever.
    res.setTimeout(limits.stalledDownloadMs, () => res.destroy());
    res.writeHead(200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${exportFileName(arg.value.sweepIds ?? [])}"`,
    });
    try {
      const out = await service.exportCsvToStream(arg.value, res);
      // Headers are gone: the best we can do is end the stream with an error line.
      if (!out.ok && !res.writableEnded) res.end(`\n# export failed: ${out.error.message}\n`);
      else if (!res.writableEnded) res.end();
    } catch (err) {
      if (!res.writableEnded) res.end(`\n# export failed: ${err instanceof Error ? err.message : String(err)}\n`);
    } finally {
      exports--;
    }
  }

  function serveStatic(req: IncomingMessage, res: ServerResponse, rest: string[]): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'the app', 'GET, HEAD');
    const segments = decodePathSegments(rest);
    // Never a file-system path in the answer: the request's own path is all it names.
    if (!segments)
      return sendResult(res, fail('invalid-argument', 'bad path in the URL (malformed percent-encoding or a control character)'));
    const rel = segments.join('/') || 'index.html';
    const file = normalize(join(rendererDir, rel));
    if (file !== rendererDir && !file.startsWith(rendererDir + sep)) return sendResult(res, fail('not-found', 'not found'));
    const st = statSync(file, { throwIfNoEntry: false });
    if (!st?.isFile()) return sendResult(res, fail('not-found', `not found: ${rel.slice(0, 200)}`));
    res.writeHead(200, { 'Content-Type': contentTypeOf(file), 'Content-Length': st.size });
    if (req.method === 'HEAD') return void res.end();
    files++;
    // pipeline closes the file when the client goes away mid-download (pipe() would leave it open).
    pipeline(createReadStream(file), res)
      .catch(() => undefined)
      .finally(() => files--);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Logged here; the client learns only that it failed (the message may hold paths).
      console.error(`seqlab: lab server: ${req.method} request failed: ${err instanceof Error ? err.stack : String(err)}`);
      if (!res.headersSent) sendResult(res, fail('internal', 'the lab server failed to answer this request'));
      else res.destroy();
    });
  });
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  served = servedHosts(host, port);
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closed = false;
  return {
    url: `http://${urlHost === '0.0.0.0' || urlHost === '[::]' ? '127.0.0.1' : urlHost}:${port}/${token}/`,
    token,
    port,
    host,
    stats: () => ({
      connections: sockets.size,
      eventStreams: eventStreams.size,
      eventStreamBufferedBytes: [...eventStreams].reduce((n, res) => n + res.writableLength, 0),
      droppedEventStreams,
      exports,
      files,
    }),
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      clearInterval(heartbeat);
      for (const res of eventStreams) res.end();
      eventStreams.clear();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      if (opts.ownsService) await service.close();
    },
  };
}
