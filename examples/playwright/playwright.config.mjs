import { defineConfig } from '@playwright/test';

// Debian's Chromium here; a CI runner that ran `npx playwright install chromium` sets CHROMIUM_PATH=''.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.mjs',
  fullyParallel: true,
  workers: 4,
  reporter: [['list'], ['json', { outputFile: 'test-results/report.json' }]],
  use: {
    // Set by global-setup.mjs (workers start after it).
    baseURL: process.env.APP_URL,
    launchOptions: {
      executablePath: chromium || undefined,
      args: [
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
