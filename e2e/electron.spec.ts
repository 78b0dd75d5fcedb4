// The Electron app end to end: launches the built app, queues a small sweep, sees it finish and
// the decay chart draw. It runs the test build (out-test/main/index.js), whose pages publish what
// their charts draw (see src/lab/testing/appBuilds.ts). Runs wherever the Electron binary is
// installed; elsewhere it is skipped and says why. It never triggers Electron's lazy download (it
// does not call require('electron'), and passes the executable path to Playwright explicitly).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { electronInfo, findElectronBinary, hasAbi, sqliteBindingPath } from '../scripts/launch/electronNative.mjs';
import { LAB_CALLS } from '../src/contract/labCalls';
import { testBuild } from '../src/lab/testing/appBuilds';
import { ROOT } from './labServerProcess';

const binary = findElectronBinary();
const binding = sqliteBindingPath();
const abi = (electronInfo() as { abi: string }).abi;
const built = testBuild(ROOT);

test('Electron app: queue a small sweep, see it finish and the chart draw', async () => {
  const why = !binary
    ? 'Electron binary not installed (node_modules/electron/dist is missing; this test does not download it). ' +
      'Install it with network access (`npm install`, or `npm start` once) to run this test.'
    : !hasAbi(binding, abi)
      ? `better-sqlite3 for Electron's ABI ${abi} is not built at ${binding}; run \`npm start\` once to build it.`
      : !existsSync(built.main)
        ? `the test build is missing (${built.main}); Playwright's global setup builds it`
        : null;
  if (why) console.warn(`[electron.spec] skipped: ${why}`);
  test.skip(why !== null, why ?? '');
  test.setTimeout(120_000);

  const dir = mkdtempSync(join(tmpdir(), 'seqlab-electron-'));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'ELECTRON_RUN_AS_NODE') env[k] = v;
  const app = await electron.launch({
    executablePath: binary!,
    args: [built.main, `--user-data-dir=${join(dir, 'userData')}`],
    env: { ...env, SEQLAB_SQLITE_BINDING: binding, SEQLAB_DB: join(dir, 'lab.sqlite') },
  });
  try {
    const page = await app.firstWindow();
    // The window is locked down: no Node in the page, only the contract on window.seqlab.
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => Object.keys((window as unknown as { seqlab: object }).seqlab).sort())).toEqual(
      // One function per call of the contract, and the progress subscription: nothing else.
      [...LAB_CALLS, 'onProgress'].sort(),
    );
    // A bad argument comes back as a validation error, not a crash.
    const bad = await page.evaluate(() =>
      (window as unknown as { seqlab: { getSweep(x: unknown): Promise<unknown> } }).seqlab.getSweep('x'),
    );
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });

    await page.getByLabel('Name').fill('electron sweep');
    await page.getByTestId('T-list').fill('16, 32');
    await page.getByTestId('bf-list').fill('0, 2');
    await page.getByLabel('Hidden H').fill('8');
    await page.getByLabel('Batch N').fill('4');
    await expect(page.getByTestId('estimate-probes')).toHaveText('6');
    await page.getByTestId('queue-button').click();
    const card = page.locator('[data-testid^="sweep-"]').filter({ hasText: 'electron sweep' });
    await expect(card.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '6', { timeout: 60_000 });
    await expect(card.getByTestId('sweep-status')).toHaveText('done');
    await card.getByRole('button', { name: /Decay curves/ }).click();
    await expect
      .poll(() =>
        page.evaluate(() =>
          (
            window as unknown as { __seqlabCharts?: Record<string, { series: { label: string }[] }> }
          ).__seqlabCharts?.decay?.series.map((s) => s.label),
        ),
      )
      .toEqual(['RNN', 'LSTM bf=0', 'LSTM bf=2']);
    await page.screenshot({ path: join(import.meta.dirname, 'screenshots', 'electron-curves.png') });

    // The native menu: File with the usual items and shortcuts, the open lab in Open Recent.
    const file = await app.evaluate(({ Menu }) => {
      const menu = Menu.getApplicationMenu()!.items.find((i) => i.label === 'File')!.submenu!;
      return menu.items.map((i) => ({
        label: i.label,
        accelerator: i.accelerator ?? null,
        sub: i.submenu?.items.map((s) => s.label) ?? null,
      }));
    });
    expect(file.find((i) => i.label === 'Open Lab…')?.accelerator).toBe('CmdOrCtrl+O');
    expect(file.find((i) => i.label === 'Export CSV…')?.accelerator).toBe('CmdOrCtrl+E');
    expect(file.find((i) => i.label === 'Open Recent')?.sub?.[0]).toBe('lab.sqlite');
    expect(file.some((i) => i.label === 'Close Window')).toBe(true);
  } finally {
    await app.close();
  }
  try {
    // Closing the window saved where it was, and the lab is in the recent list.
    const userData = join(dir, 'userData');
    const state = JSON.parse(readFileSync(join(userData, 'window-state.json'), 'utf8')) as { bounds: { width: number } };
    expect(state.bounds.width).toBeGreaterThanOrEqual(1024);
    expect(JSON.parse(readFileSync(join(userData, 'recent-labs.json'), 'utf8'))).toEqual([join(dir, 'lab.sqlite')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
