// The local lab server: the built renderer and a JSON API behind a random token in the URL
// (as Jupyter does). Plain Node http; listens on 127.0.0.1 unless told otherwise.
//
//   GET  /<token>/                 the renderer (index.html and its assets)
//   POST /<token>/api/<call>       one route per LabApi call; the JSON body is the argument
//   GET  /<token>/api/events       progress as Server-Sent Events
//   GET  /<token>/api/export.csv   the tidy CSV, streamed (?sweepIds=1,2; none = every sweep)
//
// Anything without the token gets 403. Bad arguments get an invalid-argument Result.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, resolve, sep } from 'node:path';
import { isLabCall } from '../contract/labCalls';
import { invokeLab, validateLabArg } from '../contract/labArgs';
import type { ExportRequest, ProgressEvent } from '../contract/labApi';
import { fail, type Result } from '../contract/result';
import type { LabBackend } from './labBackend';
import { BodyError, contentTypeOf, readJsonBody, securityHeaders, sendJson } from './httpUtil';

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
}

export interface LabServer {
  url: string;
  token: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

const SSE_HEARTBEAT_MS = 15_000;

export async function createLabServer(opts: LabServerOptions): Promise<LabServer> {
  const token = opts.token ?? randomBytes(32).toString('hex');
  const tokenBuf = Buffer.from(token);
  const host = opts.host ?? '127.0.0.1';
  const rendererDir = resolve(opts.rendererDir);
  const service = opts.service;
  const sseClients = new Set<ServerResponse>();

  const unsubscribe = service.onProgress((event: ProgressEvent) => {
    const frame = `event: progress\ndata: ${JSON.stringify(event)}\n\n`;
    for (const res of sseClients) res.write(frame);
  });
  const heartbeat = setInterval(() => {
    for (const res of sseClients) res.write(': keep-alive\n\n');
  }, SSE_HEARTBEAT_MS);
  heartbeat.unref();

  const hasToken = (segment: string | undefined): boolean => {
    if (!segment) return false;
    const buf = Buffer.from(segment);
    return buf.length === tokenBuf.length && timingSafeEqual(buf, tokenBuf);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    securityHeaders(res);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return sendJson(res, 400, fail('invalid-argument', 'bad request URL'));
    }
    const parts = url.pathname.split('/');
    // parts[0] is '' (leading slash), parts[1] the token.
    if (!hasToken(parts[1])) return sendJson(res, 403, fail('forbidden', 'missing or wrong token in the URL'));
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
    if (name === 'events' && req.method === 'GET') return openEvents(req, res);
    if (name === 'export.csv' && req.method === 'GET') return streamExport(res, url);
    if (!isLabCall(name)) return sendJson(res, 404, fail('not-found', `no such call: ${name}`));
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendJson(res, 405, fail('invalid-argument', `${name} must be called with POST`));
    }
    let raw: unknown;
    try {
      raw = await readJsonBody(req);
    } catch (err) {
      const status = err instanceof BodyError ? err.status : 400;
      return sendJson(res, status, fail('invalid-argument', err instanceof Error ? err.message : 'bad body'));
    }
    const arg = validateLabArg(name, raw);
    if (!arg.ok) return sendJson(res, 200, arg);
    let result: Result<unknown>;
    try {
      result = await invokeLab(service, name, arg.value);
    } catch (err) {
      result = fail('internal', `${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    sendJson(res, 200, result);
  }

  function openEvents(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n: connected\n\n');
    sseClients.add(res);
    req.on('close', () => sseClients.delete(res));
  }

  async function streamExport(res: ServerResponse, url: URL): Promise<void> {
    const idsParam = url.searchParams.get('sweepIds');
    const raw: ExportRequest = {};
    if (idsParam !== null && idsParam.trim() !== '') {
      raw.sweepIds = idsParam.split(',').map((s) => (/^\s*\d+\s*$/.test(s) ? Number(s) : NaN));
    }
    const arg = validateLabArg('exportCsv', raw);
    if (!arg.ok) return sendJson(res, 400, arg);
    const ids = arg.value.sweepIds ?? [];
    const fileName = ids.length === 0 ? 'seqlab-all.csv' : `seqlab-sweep-${ids.join('-')}.csv`;
    res.writeHead(200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${fileName}"`,
    });
    try {
      const out = await service.exportCsvToStream(arg.value, res);
      if (!out.ok) {
        // Headers are gone: the best we can do is end the stream with an error line.
        if (!res.writableEnded) res.end(`\n# export failed: ${out.error.message}\n`);
        return;
      }
      if (!res.writableEnded) res.end();
    } catch (err) {
      if (!res.writableEnded) res.end(`\n# export failed: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }

  function serveStatic(req: IncomingMessage, res: ServerResponse, rest: string[]): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, fail('invalid-argument', 'GET only'));
    let rel: string;
    try {
      rel = rest.map((s) => decodeURIComponent(s)).join('/');
    } catch {
      return sendJson(res, 400, fail('invalid-argument', 'bad path'));
    }
    if (rel === '') rel = 'index.html';
    const file = normalize(join(rendererDir, rel));
    if (file !== rendererDir && !file.startsWith(rendererDir + sep)) return sendJson(res, 404, fail('not-found', 'not found'));
    const st = statSync(file, { throwIfNoEntry: false });
    if (!st?.isFile()) return sendJson(res, 404, fail('not-found', `not found: ${rel}`));
    res.writeHead(200, { 'Content-Type': contentTypeOf(file), 'Content-Length': st.size });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, fail('internal', err instanceof Error ? err.message : String(err)));
      else res.destroy();
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closed = false;
  return {
    url: `http://${urlHost === '0.0.0.0' ? '127.0.0.1' : urlHost}:${port}/${token}/`,
    token,
    port,
    host,
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      clearInterval(heartbeat);
      for (const res of sseClients) res.end();
      sseClients.clear();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      if (opts.ownsService) await service.close();
    },
  };
}
