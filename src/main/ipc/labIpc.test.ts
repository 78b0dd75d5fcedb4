// The IPC manager's checks, over a real lab service (real SQLite file, real worker processes).
// Electron itself cannot launch on machines without its binary, so `ipcMain` is replaced by a
// recorder of the registered handlers; everything behind it is real.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openLabService, type LabService } from '../../lab/labService';
import { tempDir } from '../../lab/testing/labTestSupport';
import { ipcChannel } from '../../contract/labCalls';
import type { Result } from '../../contract/result';

type Handler = (event: unknown, ...args: unknown[]) => Promise<Result<unknown>>;
const handlers = new Map<string, Handler>();
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: Handler) => handlers.set(channel, fn),
    removeHandler: (channel: string) => handlers.delete(channel),
  },
}));

const { registerLabIpc } = await import('./labIpc');

const APP_URL = 'file:///app/out/renderer/index.html';
const mainFrame = { parent: null, processId: 7, routingId: 1, url: APP_URL };
const webContents = { id: 3, isDestroyed: () => false, mainFrame };

/** An invoke event as Electron builds it, from the given frame of the given sender. */
const eventFrom = (frame: object, senderId = 3) => ({ sender: { id: senderId }, senderFrame: frame });

let service: LabService;

beforeAll(async () => {
  service = await openLabService({ dbPath: join(tempDir(), 'lab.sqlite'), workers: 1 });
  registerLabIpc({
    getApi: () => service,
    getWebContents: () => webContents as never,
    isAppUrl: (url) => url.split('#')[0] === APP_URL,
  });
});

afterAll(async () => {
  await service.close();
});

const call = (name: string, event: object, ...args: unknown[]) => handlers.get(ipcChannel(name as never))!(event, ...args);

describe('the IPC manager', () => {
  it('registers one handler per call of the contract', () => {
    expect([...handlers.keys()].sort()).toEqual(
      ['cancelSweep', 'estimateSweep', 'exportCsv', 'getSweep', 'listSweeps', 'loadCurves', 'pauseSweep', 'queueSweep', 'resumeSweep', 'retryFailed'].map((c) => `seqlab:${c}`),
    );
  });

  it("answers the app window's own page", async () => {
    const r = await call('listSweeps', eventFrom(mainFrame));
    expect(r).toEqual({ ok: true, value: [] });
  });

  it.each([
    ['another webContents', eventFrom(mainFrame, 99)],
    ['an iframe of the app page', eventFrom({ ...mainFrame, parent: mainFrame, routingId: 2 })],
    ['a page navigated away from the app', eventFrom({ ...mainFrame, url: 'https://example.com/' })],
    ['no frame at all', eventFrom(null as never)],
  ])('refuses a message from %s', async (_what, event) => {
    const r = await call('listSweeps', event);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('forbidden');
  });

  it('returns validation errors as values, naming the field', async () => {
    const bad = await call('queueSweep', eventFrom(mainFrame), { name: 'x', T: [0], H: -1 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('invalid-argument');
      expect(bad.error.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(['T.0', 'H']));
    }
    const notAnId = await call('getSweep', eventFrom(mainFrame), 'drop table');
    expect(notAnId.ok).toBe(false);
    const extra = await call('getSweep', eventFrom(mainFrame), 1, 2);
    expect(extra.ok).toBe(false);
  });
});
