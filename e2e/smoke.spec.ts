// Proves the Playwright config can drive the system chromium.
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

test('chromium launches and renders a page', async ({ page }) => {
  await page.goto('data:text/html,<h1>ok</h1>');
  await expect(page.locator('h1')).toHaveText('ok');
  await page.screenshot({ path: join(import.meta.dirname, 'screenshots', 'smoke.png') });
});
