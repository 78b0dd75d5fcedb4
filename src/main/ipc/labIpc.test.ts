// The IPC manager's checks, over a real lab service (real SQLite file, real worker processes).
// Electron itself cannot launch on machines without its binary, so `ipcMain` is replaced by a
// recorder of the registered handlers; everything behind it is real.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openLabService, type LabService } from '../../lab/labService';
import { tempDir } from '../../lab/testing/labTestSupport';
import { ipcChannel } from '../../contract/labCalls';
import { fail, type Result } from '../../contract/result';

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
      [
        'cancelSweep',
        'checkSweep',
        'deleteSweep',
        'estimateSweep',
        'exportCsv',
        'getLabInfo',
        'getRunSettings',
        'getSweep',
        'importModel',
        'listModels',
        'listSweeps',
        'loadConnectivity',
        'loadCurves',
        'loadProbeRates',
        'pauseSweep',
        'queueSweep',
        'renameSweep',
        'resolveSweeps',
        'resumeSweep',
        'retryFailed',
        'setRunSettings',
      ].map((c) => `seqlab:${c}`),
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

  it('validates the arguments of checkSweep and resolveSweeps before the lab sees them', async () => {
    const checked = await call('checkSweep', eventFrom(mainFrame), {
      name: 'ipc',
      T: [8, 16],
      archs: ['lstm'],
      forgetBias: [0, 1],
    });
    expect(checked).toMatchObject({ ok: true, value: { probes: 4, spec: { name: 'ipc', N: 16, init: { scheme: 'scaled' } } } });
    const badSpec = await call('checkSweep', eventFrom(mainFrame), { name: 'ipc', T: [8], N: 70_000, extra: 1 });
    expect(badSpec.ok).toBe(false);
    if (!badSpec.ok) {
      expect(badSpec.error.code).toBe('invalid-argument');
      expect(badSpec.error.issues).toEqual(
        expect.arrayContaining([{ path: 'N', message: 'N must be an integer in [1, 65536]' }]),
      );
    }
    for (const bad of [undefined, 'name', [1], [''], ['x'.repeat(201)]]) {
      const r = await call('resolveSweeps', eventFrom(mainFrame), bad);
      expect(r.ok, JSON.stringify(bad)).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('invalid-argument');
    }
    expect(await call('resolveSweeps', eventFrom(mainFrame), [])).toEqual({ ok: true, value: [] });
    const missing = await call('resolveSweeps', eventFrom(mainFrame), ['nothing here']);
    expect(missing.ok || missing.error.code).toBe('not-found');
    const refused = await call('resolveSweeps', eventFrom(mainFrame, 99), []);
    expect(refused.ok || refused.error.code).toBe('forbidden');
  });

  it('answers unavailable while no lab is open, and hands the shell its typed overrides the validated argument', async () => {
    const seen: unknown[] = [];
    const remove = registerLabIpc({
      getApi: () => null,
      getWebContents: () => webContents as never,
      isAppUrl: (url) => url.split('#')[0] === APP_URL,
      overrides: { exportCsv: async (request) => (seen.push(request), fail('cancelled', 'export cancelled')) },
    });
    try {
      const none = await call('listSweeps', eventFrom(mainFrame));
      expect(none.ok || none.error.code).toBe('unavailable');
      const cancelled = await call('exportCsv', eventFrom(mainFrame), { sweepIds: [2, 3] });
      expect(cancelled.ok || cancelled.error.code).toBe('cancelled');
      const bad = await call('exportCsv', eventFrom(mainFrame), { sweepIds: ['2'] });
      expect(bad.ok || bad.error.code).toBe('invalid-argument');
      expect(seen).toEqual([{ sweepIds: [2, 3] }]);
    } finally {
      remove();
      registerLabIpc({
        getApi: () => service,
        getWebContents: () => webContents as never,
        isAppUrl: (url) => url.split('#')[0] === APP_URL,
      });
    }
  });
});
