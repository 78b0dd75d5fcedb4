// The lab server's second wall, behind the token: checks on a request before it reaches a call.
// The token in the URL is the first wall; URLs leak (history, screen shares, logs), so a request
// must also name this server in its Host (a DNS-rebinding page names its own), and a call that
// can change the lab must come as JSON (a cross-site form or `text/plain` fetch cannot send that
// without a CORS preflight this server never grants) and, when the browser says where it comes
// from (Origin), from this server's own page.
import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import { fail, type Result } from '../contract/result';

/** Hosts that listen on every interface: the machine's own addresses and name are served. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'];

const hostWithPort = (host: string, port: number): string =>
  `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`.toLowerCase();

/** Every `host:port` a request to this server may name in its Host header. */
export function servedHosts(listenHost: string, port: number): Set<string> {
  const hosts = new Set(LOOPBACK_HOSTS);
  hosts.add(listenHost);
  if (WILDCARD_HOSTS.has(listenHost)) {
    hosts.add(hostname());
    for (const addrs of Object.values(networkInterfaces())) for (const a of addrs ?? []) hosts.add(a.address);
  }
  return new Set([...hosts].map((h) => hostWithPort(h, port)));
}

/** Refuses a request whose Host is not this server (421 Misdirected Request), or null to go on. */
export function checkHost(req: IncomingMessage, served: ReadonlySet<string>): Result<never> | null {
  const host = req.headers.host?.toLowerCase();
  if (host !== undefined && served.has(host)) return null;
  return fail(
    'forbidden',
    `this lab server answers only requests addressed to ${[...served].slice(0, 4).join(', ')}${served.size > 4 ? ', …' : ''}; refused Host ${JSON.stringify(req.headers.host ?? '')}`,
  );
}

/** Refuses an API request from another site's page (its Origin is not this server), or null. */
export function checkOrigin(req: IncomingMessage, served: ReadonlySet<string>): Result<never> | null {
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  const host = /^http:\/\/(.+)$/i.exec(origin)?.[1]?.toLowerCase();
  if (host !== undefined && served.has(host)) return null;
  return fail('forbidden', `refused a request from another site's page (Origin ${JSON.stringify(origin)})`);
}

/** Refuses a call whose body is not declared JSON, or null. */
export function checkJsonBody(req: IncomingMessage, call: string): Result<never> | null {
  if (/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) return null;
  return fail('forbidden', `${call}: a call must be sent with Content-Type: application/json`);
}

/**
 * The path below the token as plain text segments, or null when it is not one a file can have:
 * bad percent-encoding, or a NUL or other control character once decoded.
 */
export function decodePathSegments(segments: readonly string[]): string[] | null {
  const out: string[] = [];
  for (const segment of segments) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return null;
    }
    if (/[\p{Cc}]/u.test(decoded)) return null;
    out.push(decoded);
  }
  return out;
}
