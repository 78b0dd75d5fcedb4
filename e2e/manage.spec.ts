// Managing sweeps in a real browser (Debian's chromium) against the real lab server, real SQLite
// file and real worker processes: the Running count and what each worker runs during a sweep,
// the worker setting, cancel (asked when probes have finished) and resume of the cancelled
// sweep, rename, the configuration and its JSON, duplicate and edit, an identical spec resuming
// its sweep, and delete with the space it frees.
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { download, useLabSession } from './labPage';

const SHOTS = join(import.meta.dirname, 'screenshots');

test.describe.configure({ mode: 'serial' });

const lab = useLabSession('seqlab-e2e-manage-', { extra: ['--workers', '1'] });

interface Answer<T> {
  ok: boolean;
  value: T;
}

/** A call of the lab, as the page's client makes it. */
async function call<T>(page: Page, name: string, arg?: unknown): Promise<Answer<T>> {
  const r = await page.request.post(`${lab.server.url}api/${name}`, {
    headers: { 'content-type': 'application/json' },
    data: arg === undefined ? '' : JSON.stringify(arg),
  });
  return (await r.json()) as Answer<T>;
}

// Seconds a probe: long enough that it is still running through the cancel dialog's steps
// (T=12000 at H=32 once finished before the second click, after the engine got faster).
const LONG = {
  name: 'long study',
  archs: ['lstm'],
  T: [40000],
  forgetBias: [0, 1, 2, 3, 4, 5],
  seeds: [1, 2],
  N: 16,
  D: 8,
  H: 64,
};
const SMALL = { name: 'small study', archs: ['rnn', 'lstm'], T: [8, 16], forgetBias: [0, 1], N: 1, D: 1, H: 2 };

const card = (page: Page, id: number) => page.getByTestId(`sweep-${id}`);

test('a running sweep: the Running count, each worker, the worker setting, cancel and resume', async ({ page }) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  // Queued as another client would; the page opens on the lab as it then is.
  const q = await call<{ id: number }>(page, 'queueSweep', LONG);
  expect(q.ok).toBe(true);
  await page.goto(lab.server.url);
  const sweep = card(page, q.value.id);
  await page.getByRole('tab', { name: /Queue/ }).click();

  // One worker: one probe running throughout, and the worker says which.
  await expect(sweep.getByTestId('sweep-status')).toHaveText('running');
  await expect(sweep.getByTestId('sweep-running')).toHaveText('1');
  const rows = page.getByTestId('worker-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-state', 'running');
  await expect(rows.first()).toContainText(`sweep #${q.value.id}: probe`);
  await expect(rows.first()).toContainText('lstm, T 40000');
  await page.screenshot({ path: join(SHOTS, 'queue-one-worker.png'), fullPage: true });

  // Two workers, applied to the running lab: two probes at once.
  await page.getByTestId('workers-input').fill('0');
  await expect(page.locator('#workers-hint')).toHaveText('Workers must be an integer in [1, 256]');
  await expect(page.getByTestId('workers-apply')).toBeDisabled();
  await page.getByTestId('workers-input').fill('2');
  await page.getByTestId('workers-apply').click();
  await expect(page.getByTestId('worker-activity')).toHaveAttribute('data-workers', '2');
  await expect(rows).toHaveCount(2, { timeout: 20_000 });
  await expect(sweep.getByTestId('sweep-running')).toHaveText('2', { timeout: 20_000 });
  await expect(page.locator('[data-testid="worker-row"][data-state="running"]')).toHaveCount(2, { timeout: 20_000 });
  // Throughput in one unit, probes/s, once a probe has finished.
  await expect(sweep.getByTestId('sweep-throughput')).toHaveText(/^[\d.]+ probes\/s$/, { timeout: 30_000 });
  await page.screenshot({ path: join(SHOTS, 'queue-two-workers.png'), fullPage: true });

  // Cancel once some probes have finished: asked first; Esc keeps it running, Enter cancels.
  const bar = sweep.getByRole('progressbar');
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 60_000 }).toBeGreaterThan(0);
  await sweep.getByTestId('cancel').click();
  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('have finished; their results are kept');
  await expect(page.getByTestId('confirm-ok')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('confirm-cancel')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('confirm-ok')).toBeFocused();
  await page.screenshot({ path: join(SHOTS, 'queue-cancel-confirm.png') });
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(sweep.getByTestId('sweep-status')).toHaveText('running');
  await sweep.getByTestId('cancel').click();
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(sweep.getByTestId('sweep-status')).toHaveText('cancelled');
  // Its workers stop the cancelled probes: none is shown running one any more.
  await expect(page.locator('[data-testid="worker-row"][data-state="running"]')).toHaveCount(0);
  const doneAtCancel = Number(await bar.getAttribute('aria-valuenow'));
  expect(doneAtCancel).toBeLessThan(12);
  await page.screenshot({ path: join(SHOTS, 'queue-cancelled.png'), fullPage: true });

  // Resume the cancelled sweep: its cancelled probes run, the finished ones are kept.
  await sweep.getByTestId('resume').click();
  await expect(sweep.getByTestId('sweep-status')).toHaveText('running');
  expect(Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThanOrEqual(doneAtCancel);
  await expect(bar).toHaveAttribute('aria-valuenow', '12', { timeout: 90_000 });
  await expect(sweep.getByTestId('sweep-status')).toHaveText('done');
  await expect(sweep.getByTestId('sweep-count')).toHaveText('12/12 done');
});

test('rename, configuration and its JSON, duplicate and edit, an identical spec, delete', async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  const q = await call<{ id: number }>(page, 'queueSweep', SMALL);
  expect(q.ok).toBe(true);
  await page.goto(lab.server.url);
  const id = q.value.id;
  const sweep = card(page, id);
  await page.getByRole('tab', { name: /Queue/ }).click();
  await expect(sweep.getByTestId('sweep-status')).toHaveText('done', { timeout: 30_000 });

  // Rename inline: Esc leaves it as it was, Enter saves; a bad name is refused naming the field.
  await sweep.getByTestId('rename').click();
  await sweep.getByTestId('rename-input').fill('throwaway');
  await sweep.getByTestId('rename-input').press('Escape');
  await expect(sweep.getByTestId('sweep-name')).toHaveText(`#${id} small study`);
  await sweep.getByTestId('rename').click();
  await sweep.getByTestId('rename-input').fill('   ');
  await sweep.getByTestId('rename-input').press('Enter');
  await expect(sweep.getByTestId('sweep-error')).toHaveText('Name must not be empty');
  await sweep.getByTestId('rename-input').fill('bias study, H=2');
  await page.screenshot({ path: join(SHOTS, 'queue-rename.png') });
  await sweep.getByTestId('rename-input').press('Enter');
  await expect(sweep.getByTestId('sweep-name')).toHaveText(`#${id} bias study, H=2`);
  await page.reload();
  await page.getByRole('tab', { name: /Queue/ }).click();
  await expect(sweep.getByTestId('sweep-name')).toHaveText(`#${id} bias study, H=2`);

  // The full configuration, and the JSON `seqlab sweep` takes.
  await sweep.getByTestId('toggle-spec').click();
  const panel = sweep.getByTestId('spec-panel');
  await expect(panel).toContainText('Sequence lengths T');
  await expect(panel).toContainText('8, 16');
  await expect(panel).toContainText('last step (T)');
  await sweep.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'queue-spec.png') });
  const specFile = await download(page, () => panel.getByTestId('download-spec').click());
  expect(specFile.name).toBe(`sweep-${id}-bias-study-H-2.spec.json`);
  const spec = JSON.parse(specFile.bytes.toString('utf8')) as Record<string, unknown>;
  expect(spec).toMatchObject({
    name: 'bias study, H=2',
    archs: ['rnn', 'lstm'],
    T: [8, 16],
    forgetBias: [0, 1],
    N: 1,
    D: 1,
    H: 2,
    lossStep: 'last',
  });

  // The same spec queued again resumes this sweep, and says so.
  const again = await call<{ id: number; resumed: boolean }>(page, 'queueSweep', spec);
  expect(again.value).toMatchObject({ id, resumed: true });

  // Duplicate and edit: the New sweep form opens filled in with this sweep's spec.
  await sweep.getByTestId('duplicate').click();
  await expect(page.getByRole('tab', { name: 'New sweep' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('#name')).toHaveValue('bias study, H=2');
  await expect(page.getByTestId('T-list')).toHaveValue('8, 16');
  await expect(page.getByTestId('draft-note')).toContainText(`sweep #${id}`);
  await page.screenshot({ path: join(SHOTS, 'queue-duplicate-form.png') });

  // Delete, with the space it frees.
  await page.getByRole('tab', { name: /Queue/ }).click();
  await sweep.getByTestId('delete').click();
  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog).toContainText(`Delete sweep #${id}`);
  await expect(page.getByTestId('delete-size')).toHaveText(/^\d[\d.]* (B|kB|MB)$/);
  await page.screenshot({ path: join(SHOTS, 'queue-delete-confirm.png') });
  await page.getByTestId('confirm-ok').click();
  await expect(sweep).toHaveCount(0);
  await expect(page.getByTestId('queue-notice')).toContainText(`Deleted sweep #${id} “bias study, H=2”: freed `);
  await page.screenshot({ path: join(SHOTS, 'queue-deleted.png'), fullPage: true });
  const gone = await call<unknown>(page, 'getSweep', id);
  expect(gone.ok).toBe(false);
});

test('a sweep queued and finished by another client before the page’s event stream connects is shown, no reload', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  // The page's event stream cannot connect yet (its EventSource retries); its first list is read.
  const events = `${lab.server.url}api/events`;
  await page.route(events, (route) => route.abort());
  const firstList = page.waitForResponse((r) => r.url().endsWith('/api/listSweeps'));
  await page.goto(lab.server.url);
  await firstList;
  await page.getByRole('tab', { name: /Queue/ }).click();

  // Another client queues a sweep, and it finishes, while the page hears nothing.
  const q = await call<{ id: number }>(page, 'queueSweep', { ...SMALL, name: 'queued elsewhere', H: 3 });
  expect(q.ok).toBe(true);
  await expect
    .poll(async () => (await call<{ summary: { status: string } }>(page, 'getSweep', q.value.id)).value.summary.status, {
      timeout: 60_000,
    })
    .toBe('done');
  await expect(card(page, q.value.id)).toHaveCount(0);

  // The stream connects: the page reads the list again and shows the sweep as it is.
  await page.unroute(events);
  await expect(card(page, q.value.id).getByTestId('sweep-status')).toHaveText('done', { timeout: 20_000 });
  await expect(card(page, q.value.id).getByTestId('sweep-name')).toHaveText(`#${q.value.id} queued elsewhere`);
});
