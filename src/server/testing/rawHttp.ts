// HTTP as a hostile or careless client sends it, for the lab server's tests over real loopback:
// any Host, Origin or Content-Type (fetch will not send some of them), a socket that never reads,
// and an event-stream reader.
import { spawn } from 'node:child_process';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { ProgressEvent } from '../../contract/labApi';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  method?: string;
  /** The path as sent, percent-encoding and all. */
  path: string;
  /** Sent as given; `host: null` sends no Host header at all. */
  headers?: Record<string, string | null>;
  body?: string | Buffer;
}

export function rawRequest(port: number, req: RawRequest): Promise<RawResponse> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) if (v !== null) headers[k] = v;
  if (req.headers?.host === undefined) headers.host = `127.0.0.1:${port}`;
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      { host: '127.0.0.1', port, method: req.method ?? 'GET', path: req.path, headers, agent: false, setHost: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/** A client that sends a GET and then never reads a byte of the answer. */
export function neverReadingClient(port: number, path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.pause();
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`, () => resolve(socket));
    });
    socket.on('error', reject);
  });
}

/**
 * A client in its own process that sends a GET and never reads, with a receive buffer as small
 * as the kernel allows: then the kernel holds only a few KiB of what the server sends (a Node
 * socket's autotuned buffers would take megabytes first), and the rest piles up in the server
 * (where its bound must catch it). Null, with the reason, where there is no python3.
 */
export async function neverReadingProcess(port: number, path: string): Promise<{ stop(): void } | { skip: string }> {
  const script = [
    'import socket, sys, time',
    's = socket.socket()',
    's.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)',
    `s.connect(('127.0.0.1', ${port}))`,
    `s.sendall(b'GET ' + sys.argv[1].encode() + b' HTTP/1.1\\r\\nHost: 127.0.0.1:${port}\\r\\n\\r\\n')`,
    'print("sent", flush=True)',
    'time.sleep(600)',
  ].join('\n');
  const child = spawn('python3', ['-c', script, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  const started = await new Promise<string | null>((resolve) => {
    child.once('error', (err) => resolve(err.message));
    child.once('exit', (code) => resolve(`python3 exited with ${code}`));
    child.stdout.once('data', () => resolve(null));
  });
  if (started !== null) return { skip: `no python3 for a client with a small receive buffer (${started})` };
  return { stop: () => child.kill('SIGKILL') };
}

/** Reads an event stream as the app does, collecting its progress events until closed. */
export async function readEvents(url: string): Promise<{ events: ProgressEvent[]; close(): Promise<void> }> {
  const ac = new AbortController();
  const res = await fetch(url, { signal: ac.signal });
  if (res.status !== 200) throw new Error(`event stream answered ${res.status}`);
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('text/event-stream')) throw new Error(`event stream answered as ${type || 'no content type'}`);
  const events: ProgressEvent[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let i;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const data = buffer
            .slice(0, i)
            .split('\n')
            .find((l) => l.startsWith('data: '));
          buffer = buffer.slice(i + 2);
          if (data) events.push(JSON.parse(data.slice(6)) as ProgressEvent);
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    events,
    async close() {
      ac.abort();
      await pump;
    },
  };
}
