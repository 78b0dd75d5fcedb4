// Files dropped onto the window, in the browser lab: a sweep spec .json opens in the New sweep
// form, filled in; a bad one, a lab file and any other file say what is wrong, by name.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startServeProcess, type RunningServer } from './labServerProcess';

test.describe.configure({ mode: 'serial' });

let dir: string;
let server: RunningServer | null = null;

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seqlab-drop-'));
  server = await startServeProcess(join(dir, 'lab.sqlite'));
});

test.afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Drags a file over the page and drops it, as the browser does for a file from the desktop. */
async function dropFile(page: Page, name: string, text: string, type: string): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ([n, t, ty]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([t], n, { type: ty }));
      return dt;
    },
    [name, text, type] as const,
  );
  await page.dispatchEvent('main', 'dragover', { dataTransfer });
  await page.dispatchEvent('main', 'drop', { dataTransfer });
}

test('a dropped spec .json opens in the New sweep form, filled in', async ({ page }) => {
  await page.goto(server!.url);
  await page.getByRole('tab', { name: /Queue/ }).click();
  const spec = { name: 'dropped spec', archs: ['lstm'], T: [32, 128], forgetBias: [1, 3], N: 2, D: 3, H: 5 };
  await dropFile(page, 'my-spec.json', JSON.stringify(spec), 'application/json');
  await expect(page.getByRole('tab', { name: 'New sweep' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('draft-note')).toHaveText('Opened from my-spec.json');
  await expect(page.getByLabel('Name')).toHaveValue('dropped spec');
  await expect(page.getByLabel('Hidden H')).toHaveValue('5');
  await expect(page.getByTestId('T-list')).toHaveValue(/32.*128/);

  // Dropped again while the form is showing: it fills in afresh.
  await dropFile(page, 'second.json', JSON.stringify({ ...spec, name: 'second drop', H: 7 }), 'application/json');
  await expect(page.getByLabel('Name')).toHaveValue('second drop');
  await expect(page.getByLabel('Hidden H')).toHaveValue('7');
});

test('a bad spec, a lab file and any other file are refused by name', async ({ page }) => {
  await page.goto(server!.url);
  await dropFile(page, 'bad.json', JSON.stringify({ name: 'x', T: [16], H: 0 }), 'application/json');
  await expect(page.getByTestId('drop-message')).toContainText('bad.json is not a sweep spec: Hidden H');
  await dropFile(page, 'other.sqlite', 'SQLite format 3', 'application/octet-stream');
  await expect(page.getByTestId('drop-message')).toContainText('other.sqlite is a lab file');
  await expect(page.getByTestId('drop-message')).toContainText('seqlab serve --db');
  await dropFile(page, 'notes.txt', 'hello', 'text/plain');
  await expect(page.getByTestId('drop-message')).toContainText(
    'notes.txt is neither a lab file (.sqlite, .db) nor a sweep spec (.json)',
  );
  await expect(page.getByRole('tab', { name: 'New sweep' })).toHaveAttribute('aria-selected', 'true');
});
