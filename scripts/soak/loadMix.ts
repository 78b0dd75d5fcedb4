// The soak's clients: a mix of calls, event streams, CSV downloads and hostile requests against
// whichever lab server is up (the target moves to the new URL when the server is restarted).
// Each request is counted and each call timed; requests that fail because the server was just
// killed are counted apart.
import { request } from 'node:http';

export interface Target {
  url: string;
  port: number;
  base: string;
}

export interface LoadStats {
  served: number;
  calls: number;
  callLatenciesMs: number[];
  downloads: number;
  abandonedDownloads: number;
  eventStreams: number;
  events: number;
  hostile: number;
  hostileRefused: number;
  /** Connection refused or reset: the server was down (killed, restarting). */
  failed: number;
  /** An answer that was neither the call's value nor an expected refusal. */
  unexpected: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LoadMix {
  readonly stats: LoadStats = {
    served: 0,
    calls: 0,
    callLatenciesMs: [],
    downloads: 0,
    abandonedDownloads: 0,
    eventStreams: 0,
    events: 0,
    hostile: 0,
    hostileRefused: 0,
    failed: 0,
    unexpected: [],
  };
  private target: Target | null = null;
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  private readonly aborts = new Set<AbortController>();

  constructor(private readonly sweepId: () => number | null) {}

  /** The server to load now (null while it is down). Open event streams of the old one end by themselves. */
  retarget(url: string | null): void {
    this.target = url ? { url, port: Number(new URL(url).port), base: new URL(url).pathname } : null;
  }

  start(clients: { calls: number; eventStreams: number; downloads: number; hostile: number }): void {
    for (let i = 0; i < clients.calls; i++) this.loops.push(this.loop(() => this.oneCall()));
    for (let i = 0; i < clients.eventStreams; i++) this.loops.push(this.loop(() => this.oneEventStream()));
    for (let i = 0; i < clients.downloads; i++) this.loops.push(this.loop(() => this.oneDownload()));
    for (let i = 0; i < clients.hostile; i++) this.loops.push(this.loop(() => this.oneHostile()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const ac of this.aborts) ac.abort();
    await Promise.all(this.loops);
  }

  private async loop(body: () => Promise<void>): Promise<void> {
    while (!this.stopped) {
      if (!this.target) {
        await sleep(20);
        continue;
      }
      try {
        await body();
      } catch {
        if (!this.stopped) this.stats.failed++;
        await sleep(20);
      }
    }
  }

  private async post(
    t: Target,
    name: string,
    arg?: unknown,
  ): Promise<{ status: number; body: { ok: boolean; error?: { code: string } } }> {
    const ac = new AbortController();
    this.aborts.add(ac);
    try {
      const res = await fetch(`${t.url}api/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: arg === undefined ? '' : JSON.stringify(arg),
        signal: ac.signal,
      });
      const body = (await res.json()) as { ok: boolean; error?: { code: string } };
      this.stats.served++;
      return { status: res.status, body };
    } finally {
      this.aborts.delete(ac);
    }
  }

  private async oneCall(): Promise<void> {
    const t = this.target!;
    const id = this.sweepId();
    const norms = ['dh', 'dc', 'dWx', 'dWh', 'db'];
    const choices: [string, unknown][] = [
      ['listSweeps', undefined],
      ['getLabInfo', undefined],
      ['checkSweep', { name: 'checked only', archs: ['rnn', 'lstm'], T: [16, 64], forgetBias: [0, 1] }],
      ...(id === null
        ? []
        : ([
            ['getSweep', id],
            ['loadCurves', { sweepId: id, norm: norms[Math.floor(Math.random() * 5)], T: 64 }],
          ] as [string, unknown][])),
    ];
    const [name, arg] = choices[Math.floor(Math.random() * choices.length)];
    const t0 = performance.now();
    const r = await this.post(t, name, arg);
    this.stats.callLatenciesMs.push(performance.now() - t0);
    this.stats.calls++;
    if (!r.body.ok && r.body.error?.code !== 'unavailable')
      this.stats.unexpected.push(`${name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  }

  private async oneEventStream(): Promise<void> {
    const t = this.target!;
    const ac = new AbortController();
    this.aborts.add(ac);
    try {
      const res = await fetch(`${t.url}api/events`, { signal: ac.signal });
      this.stats.served++;
      if (res.status !== 200) {
        this.stats.unexpected.push(`events: HTTP ${res.status}`);
        await sleep(200);
        return;
      }
      this.stats.eventStreams++;
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      // Read for a while, then reconnect (as a tab that is closed and opened again).
      const until = Date.now() + 2000 + Math.random() * 3000;
      while (Date.now() < until && !this.stopped) {
        const { value, done } = await reader.read();
        if (done) return;
        this.stats.events += (decoder.decode(value, { stream: true }).match(/^event: progress$/gm) ?? []).length;
      }
      ac.abort();
    } catch (err) {
      if (!ac.signal.aborted) throw err;
    } finally {
      this.aborts.delete(ac);
    }
  }

  private async oneDownload(): Promise<void> {
    const t = this.target!;
    const id = this.sweepId();
    const ac = new AbortController();
    this.aborts.add(ac);
    try {
      const res = await fetch(`${t.url}api/export.csv${id === null ? '' : `?sweepIds=${id}`}`, { signal: ac.signal });
      this.stats.served++;
      if (res.status === 503) return void (await res.arrayBuffer(), await sleep(100));
      if (res.status !== 200) return void this.stats.unexpected.push(`export.csv: HTTP ${res.status}`);
      // One download in four is abandoned after its first chunk (a closed tab).
      if (Math.random() < 0.25) {
        await res.body!.getReader().read();
        ac.abort();
        this.stats.abandonedDownloads++;
      } else {
        await res.arrayBuffer();
      }
      this.stats.downloads++;
    } catch (err) {
      if (!ac.signal.aborted) throw err;
    } finally {
      this.aborts.delete(ac);
    }
  }

  /** A rebinding Host, a cross-site text/plain POST, or a NUL in the path: each must be refused. */
  private async oneHostile(): Promise<void> {
    const t = this.target!;
    const kinds = [
      { method: 'GET', path: t.base, headers: { host: `evil.example:${t.port}` }, want: 421 },
      {
        method: 'POST',
        path: `${t.base}api/queueSweep`,
        headers: { host: `127.0.0.1:${t.port}`, 'content-type': 'text/plain', origin: 'http://evil.example' },
        body: '{"name":"csrf","T":[2]}',
        want: 403,
      },
      { method: 'GET', path: `${t.base}index.html%00`, headers: { host: `127.0.0.1:${t.port}` }, want: 400 },
    ];
    const k = kinds[Math.floor(Math.random() * kinds.length)];
    const t0 = performance.now();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: t.port, method: k.method, path: k.path, headers: k.headers, agent: false },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(k.body);
    });
    this.stats.callLatenciesMs.push(performance.now() - t0);
    this.stats.served++;
    this.stats.hostile++;
    if (status === k.want) this.stats.hostileRefused++;
    else this.stats.unexpected.push(`hostile ${k.method} ${k.path}: HTTP ${status}, expected ${k.want}`);
    await sleep(5);
  }
}
