import { defineConfig } from '@playwright/test';

// Browser e2e against Debian's chromium (Playwright's own browser download is
// not available here). Specs start the lab server themselves, so no webServer.
export default defineConfig({
  testDir: 'e2e',
  // Builds out/ and out-test/ when stale (scripts/test/builds.ts).
  globalSetup: './scripts/test/playwright-global-setup.ts',
  testMatch: '*.spec.ts',
  outputDir: 'test-results',
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  fullyParallel: false,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
