// What the browser specs share: a lab server in a temporary folder for the spec's lifetime, a
// sweep queued through the server's HTTP API and run to the end, what a chart draws (the test
// build publishes it on window.__seqlabCharts), and the text of a download.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { startServeProcess, type RunningServer, type ServeOptions } from './labServerProcess';

/** An RNN of the article's init (H 64): its top Lyapunov exponent is positive, so its probe is flagged chaotic. */
export const CHAOTIC_RNN_SPEC = {
  name: 'article',
  archs: ['rnn'],
  T: [64],
  seeds: [1],
  N: 2,
  D: 2,
  H: 64,
  init: { scheme: 'article' },
  lyapunovVectors: 1,
};

/** A spec's temporary folder and the lab server it serves from it, stopped and removed after the spec. */
export interface LabSession {
  /** The temporary folder (set once beforeAll has run). */
  readonly dir: string;
  /** The running server; throws when none has been started. */
  readonly server: RunningServer;
  /** Whether a server has been started (a later test can skip when the first one did not get that far). */
  readonly started: boolean;
  /** Starts the lab server on `dir/dbName`; the session stops it after the spec. */
  serve(dbName: string, extra?: string[], opts?: ServeOptions): Promise<RunningServer>;
}

export interface ServeAtOnce extends ServeOptions {
  dbName?: string;
  extra?: string[];
}

/**
 * Registers the spec's beforeAll / afterAll: a temporary folder named from `prefix` and, with
 * `atOnce`, a lab server started on it before the first test (otherwise tests call `serve`).
 */
export function useLabSession(prefix: string, atOnce?: ServeAtOnce): LabSession {
  let dir: string | null = null;
  let running: RunningServer | null = null;
  const session: LabSession = {
    get dir() {
      if (dir === null) throw new Error('the lab session has no folder before beforeAll');
      return dir;
    },
    get server() {
      if (running === null) throw new Error('the lab session has no server running');
      return running;
    },
    get started() {
      return running !== null;
    },
    async serve(dbName, extra = [], opts = {}) {
      running = await startServeProcess(join(session.dir, dbName), extra, opts);
      return running;
    },
  };
  test.beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    if (atOnce) {
      const { dbName = 'lab.sqlite', extra = [], ...opts } = atOnce;
      await session.serve(dbName, extra, opts);
    }
  });
  test.afterAll(async () => {
    await running?.stop();
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  });
  return session;
}

/** What the chart `id` draws, as the test build's page publishes it; null until it has drawn. */
export async function chartInfo<Info>(page: Page, id: string): Promise<Info | null> {
  return page.evaluate((name) => {
    const charts = (window as unknown as { __seqlabCharts?: Record<string, unknown> }).__seqlabCharts;
    return (charts?.[name] ?? null) as never;
  }, id);
}

/** Queues a spec through the lab server's HTTP API and waits (up to `timeout` ms) until the sweep is done. */
export async function runSweep(
  request: APIRequestContext,
  server: RunningServer,
  spec: Record<string, unknown>,
  timeout = 120_000,
): Promise<number> {
  const api = `${server.url}api/`;
  const queued = (await (await request.post(`${api}queueSweep`, { data: spec })).json()) as {
    ok: boolean;
    value: { id: number };
  };
  expect(queued.ok).toBe(true);
  const id = queued.value.id;
  await waitForSweepDone(request, server, id, timeout);
  return id;
}

/** Waits (up to `timeout` ms) until the sweep `id` is done, asking the lab server's getSweep twice a second. */
export async function waitForSweepDone(
  request: APIRequestContext,
  server: RunningServer,
  id: number,
  timeout = 120_000,
): Promise<void> {
  await expect
    .poll(
      async () =>
        (
          (await (await request.post(`${server.url}api/getSweep`, { data: id })).json()) as {
            value: { summary: { status: string } };
          }
        ).value.summary.status,
      { timeout, intervals: [500] },
    )
    .toBe('done');
}

/** Clicks what starts a download and reads the downloaded file; its suggested name alongside. */
export async function download(page: Page, start: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), start()]);
  return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
}
