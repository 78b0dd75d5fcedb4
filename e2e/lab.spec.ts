// The lab in a real browser: Debian's chromium against the real lab server (real service,
// SQLite file and worker processes) on a temporary database.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { chartInfo } from './labPage';
import { startServeProcess, type RunningServer } from './labServerProcess';

const SHOTS = join(import.meta.dirname, 'screenshots');

interface ChartInfo {
  labels: string[];
  points: number[];
  norm: string;
  xScale: string;
  T: number | string;
  series: { label: string; role: string; points: number }[];
}

const chart = (page: Page, id: string) => chartInfo<ChartInfo>(page, id);

test.describe.configure({ mode: 'serial' });

let dir: string;
let server: RunningServer | null = null;

test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'seqlab-e2e-'));
});

test.afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('queue a sweep, watch it run, read its curves, export, and find it again after a restart', async ({ page, request }) => {
  test.setTimeout(120_000);
  const dbPath = join(dir, 'lab.sqlite');
  server = await startServeProcess(dbPath, [], { testHooks: true });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  await page.setViewportSize({ width: 1280, height: 800 });

  // Without the token: 403, for the page and for the API.
  expect((await request.get(`${server.origin}/`)).status()).toBe(403);
  expect((await request.post(`${server.origin}/api/listSweeps`)).status()).toBe(403);

  await page.goto(server.url);
  await expect(page.getByRole('tab', { name: 'New sweep' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('estimate-probes')).toHaveText('24');
  await page.screenshot({ path: join(SHOTS, 'new-sweep.png') });

  // Fill in a small sweep.
  await page.getByLabel('Name').fill('e2e sweep');
  await page.getByTestId('T-list').fill('16, 64');
  await page.getByTestId('bf-list').fill('0, 2');
  await page.getByLabel('Hidden H').fill('0');
  // Inline validation names the field and its range; Queue is disabled.
  await expect(page.getByText('Hidden H: 0 is out of range; use an integer in [1, 65,536]')).toBeVisible();
  await expect(page.getByTestId('queue-button')).toBeDisabled();
  await page.screenshot({ path: join(SHOTS, 'new-sweep-invalid.png') });
  await page.getByLabel('Hidden H').fill('8');
  await page.getByLabel('Batch N').fill('4');
  await expect(page.getByTestId('estimate-probes')).toHaveText('6');
  await page.getByTestId('queue-button').click();

  // Queue: the progress bar reaches done.
  await expect(page.getByRole('tab', { name: /Queue/ })).toHaveAttribute('aria-selected', 'true');
  const card = page.locator('[data-testid^="sweep-"]').filter({ hasText: 'e2e sweep' });
  const bar = card.getByRole('progressbar');
  await expect(bar).toHaveAttribute('aria-valuemax', '6');
  await expect(bar).toHaveAttribute('aria-valuenow', '6', { timeout: 60_000 });
  await expect(card.getByTestId('sweep-status')).toHaveText('done');
  await expect(card.getByTestId('sweep-count')).toHaveText('6/6 done');
  await page.screenshot({ path: join(SHOTS, 'queue.png') });

  // Decay curves: RNN and LSTM series drawn with every distance of the longest T.
  await card.getByRole('button', { name: /Decay curves/ }).click();
  await expect
    .poll(async () => (await chart(page, 'decay'))?.series.map((s) => s.label))
    .toEqual(['RNN', 'LSTM bf=0', 'LSTM bf=2']);
  let info = (await chart(page, 'decay'))!;
  expect(info.norm).toBe('dh');
  expect(info.T).toBe(64);
  expect(info.series.map((s) => s.points)).toEqual([64, 64, 64]);
  expect(info.series.map((s) => s.role)).toEqual(['rnn', 'lstm', 'lstm']);
  // Theory lines (e2e/theory.spec.ts checks their slopes): the PMB bound and the LSTM's cell path.
  expect(info.labels.some((l) => l.startsWith('RNN — PMB upper bound σmax(Wh)'))).toBe(true);
  expect(info.labels.some((l) => l.startsWith('LSTM bf=2 — cell path only'))).toBe(true);
  await expect(page.getByTestId('chart-decay').locator('canvas')).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'curves.png') });

  // Change the norm and the distance axis.
  await page.getByTestId('norm-select').selectOption('dWh');
  await expect.poll(async () => (await chart(page, 'decay'))?.norm).toBe('dWh');
  await page.getByTestId('x-log').check();
  await expect.poll(async () => (await chart(page, 'decay'))?.xScale).toBe('log');
  info = (await chart(page, 'decay'))!;
  expect(info.series.map((s) => s.label)).toEqual(['RNN', 'LSTM bf=0', 'LSTM bf=2']);
  // The log axis cannot show distance 0 (and dWh is exactly 0 at the first step).
  for (const s of info.series) expect(s.points).toBeGreaterThanOrEqual(60);
  await page.screenshot({ path: join(SHOTS, 'curves-log-dWh.png') });
  await page.getByTestId('t-filter').selectOption('16');
  await expect.poll(async () => (await chart(page, 'decay'))?.T).toBe(16);

  // A chart as PNG.
  const pngDownload = page.waitForEvent('download');
  await page.getByTestId('png-decay').click();
  expect((await pngDownload).suggestedFilename()).toBe('decay.png');

  // Summary: rate and horizon for each of the 6 configurations.
  await page.getByRole('tab', { name: 'Summary' }).click();
  await expect(page.getByTestId('summary-table').locator('tbody tr')).toHaveCount(6);
  await expect
    .poll(async () => (await chart(page, 'summary'))?.labels)
    .toEqual(['LSTM T=16', 'RNN T=16', 'LSTM T=64', 'RNN T=64']);
  await page.screenshot({ path: join(SHOTS, 'summary.png') });

  // Export: the server's streamed CSV as a download.
  await page.getByRole('tab', { name: 'Export' }).click();
  await page.getByTestId('export-pick-1').check();
  const csvDownload = page.waitForEvent('download');
  await page.getByTestId('export-selected').click();
  const download = await csvDownload;
  expect(download.suggestedFilename()).toBe('seqlab-sweep-1.csv');
  const csv = readFileSync(await download.path(), 'utf8')
    .trim()
    .split('\n');
  expect(csv[0]).toBe(
    'sweep,sweep_id,probe_id,arch,T,forget_bias,seed,N,D,H,init,wh_gain,h0_scale,b_scale,loss_step,k,distance,dh,log10_dh,dc,log10_dc,dWx,log10_dWx,dWh,log10_dWh,db,log10_db',
  );
  // One row per probe and step: (RNN + 2 LSTM biases) x (16 + 64 steps).
  expect(csv.length - 1).toBe(3 * (16 + 64));
  await expect(page.getByTestId('export-done')).toHaveText('Exported 240 rows to seqlab-sweep-1.csv');
  await page.screenshot({ path: join(SHOTS, 'export.png') });

  // A bad argument gets a validation error (HTTP 400), and the server lives on. Sent beside the
  // page, not from it: the browser logs every 4xx answer to the page's console, counted below.
  const bad = await request.post(`${server.url}api/getSweep`, { data: { drop: 'table' } });
  expect(bad.status()).toBe(400);
  expect(await bad.json()).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });

  // Restart on the same database: the sweep is still there.
  await server.stop();
  server = await startServeProcess(dbPath, [], { testHooks: true });
  await page.goto(server.url);
  await page.getByRole('tab', { name: /Queue/ }).click();
  const again = page.locator('[data-testid^="sweep-"]').filter({ hasText: 'e2e sweep' });
  await expect(again.getByTestId('sweep-status')).toHaveText('done');
  await expect(again.getByTestId('sweep-count')).toHaveText('6/6 done');
  await page.getByRole('tab', { name: 'Decay curves' }).click();
  await expect.poll(async () => (await chart(page, 'decay'))?.series.length).toBe(3);

  expect(pageErrors).toEqual([]);
});

test('empty states on a fresh database', async ({ page }) => {
  const s = await startServeProcess(join(dir, 'empty.sqlite'));
  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(s.url);
    await page.getByRole('tab', { name: /Queue/ }).click();
    await expect(page.getByText('No sweeps yet')).toBeVisible();
    await page.screenshot({ path: join(SHOTS, 'queue-empty.png') });
    await page.getByRole('tab', { name: 'Decay curves' }).click();
    await expect(page.getByText('No sweeps to plot')).toBeVisible();
  } finally {
    await s.stop();
  }
});

test('pause, restart mid-sweep, resume: state survives and the sweep finishes', async ({ page }) => {
  test.setTimeout(180_000);
  const dbPath = join(dir, 'resume.sqlite');
  let s = await startServeProcess(dbPath, ['--workers', '1']);
  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(s.url);
    await page.getByLabel('Name').fill('long sweep');
    await page.getByTestId('T-list').fill('1024, 2048');
    await page.getByTestId('bf-list').fill('0, 2, 4');
    await page.locator('select[aria-label="Seeds as list or count"]').selectOption('count');
    await page.getByTestId('seeds-count').fill('3');
    await expect(page.getByTestId('estimate-probes')).toHaveText('24');
    await page.getByTestId('queue-button').click();
    const card = page.locator('[data-testid^="sweep-"]').filter({ hasText: 'long sweep' });
    const bar = card.getByRole('progressbar');
    const done = async (): Promise<number> => Number(await bar.getAttribute('aria-valuenow'));
    // Pause right away: it stops taking new probes and says so. A probe already running finishes
    // and is stored; the progress read once none runs is what a restart must show.
    await card.getByRole('button', { name: 'Pause' }).click();
    await expect(card.getByTestId('sweep-status')).toHaveText('paused');
    await expect(card.getByTestId('sweep-running')).toHaveText('0', { timeout: 30_000 });
    const pausedAt = await done();
    expect(pausedAt).toBeLessThan(24);

    // Restart the server: still paused, same progress.
    await s.stop();
    s = await startServeProcess(dbPath, ['--workers', '1']);
    await page.goto(s.url);
    await page.getByRole('tab', { name: /Queue/ }).click();
    await expect(card.getByTestId('sweep-status')).toHaveText('paused');
    await expect(bar).toHaveAttribute('aria-valuenow', String(pausedAt));

    // Resume, then kill the server while it runs: after a restart it carries on by itself.
    await card.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(done, { timeout: 60_000 }).toBeGreaterThan(pausedAt);
    await page.screenshot({ path: join(SHOTS, 'queue-running.png') });
    const before = await done();
    await s.stop();
    s = await startServeProcess(dbPath, ['--workers', '2']);
    await page.goto(s.url);
    await page.getByRole('tab', { name: /Queue/ }).click();
    expect(await done()).toBeGreaterThanOrEqual(before);
    await expect(bar).toHaveAttribute('aria-valuenow', '24', { timeout: 150_000 });
    await expect(card.getByTestId('sweep-status')).toHaveText('done');
  } finally {
    await s.stop();
  }
});

test('failed probes are listed with their error and can be retried', async ({ page }) => {
  test.setTimeout(120_000);
  const failFile = join(dir, 'fail.json');
  // The worker's test hook makes every LSTM probe of T = 32 throw, for real, until the file goes.
  writeFileSync(failFile, JSON.stringify({ match: { arch: 'lstm', T: 32 }, mode: 'throw' }));
  const s = await startServeProcess(join(dir, 'retry.sqlite'), [], { env: { SEQLAB_TEST_FAIL_FILE: failFile }, testHooks: true });
  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(s.url);
    await page.getByLabel('Name').fill('flaky sweep');
    await page.getByTestId('T-list').fill('16, 32');
    await page.getByTestId('bf-list').fill('0');
    await page.getByLabel('Hidden H').fill('4');
    await page.getByLabel('Batch N').fill('2');
    await page.getByTestId('queue-button').click();
    const card = page.locator('[data-testid^="sweep-"]').filter({ hasText: 'flaky sweep' });
    await expect(card.getByTestId('sweep-status')).toHaveText('failed', { timeout: 60_000 });
    await expect(card.getByTestId('sweep-count')).toHaveText('3/4 done');
    await card.getByRole('button', { name: 'Show failed probes' }).click();
    const row = card.locator('table tbody tr');
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('lstm');
    await expect(row).toContainText('32');
    await page.screenshot({ path: join(SHOTS, 'queue-failed.png') });

    rmSync(failFile);
    await card.getByRole('button', { name: 'Retry failed' }).click();
    await expect(card.getByTestId('sweep-status')).toHaveText('done', { timeout: 60_000 });
    await expect(card.getByTestId('sweep-count')).toHaveText('4/4 done');
  } finally {
    await s.stop();
  }
});
