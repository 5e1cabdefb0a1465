/**
 * Playwright configuration for seg-widget's browser tests.
 *
 * Based on Galata's base config, adapted to machines that cannot download browsers:
 * Debian's chromium (/usr/bin/chromium), no video (needs a downloaded ffmpeg), no HTML report
 * server, one worker (2-core machines: JupyterLab + kernel + chromium already fill them).
 *
 * Run through `make test-browser` (it sets TMPDIR/HOME/XDG_* to js/.tmp), or by hand:
 *   cd js && npx playwright test [tests/smoke.spec.ts] [-g 'name']
 *
 * Environment:
 *   SEG_WIDGET_TEST_PORT  server port (default 8888); lets two checkouts test side by side
 *   CHROMIUM_PATH         browser binary (default /usr/bin/chromium)
 *   SEG_WIDGET_SERVER_LOG file for the jupyter server's log (default: printed with the report)
 *   PW_TRACE=1            keep a Playwright trace of failed tests in test-results/
 *   PW_REUSE_SERVER=1     reuse a test server already running on the port (never when CI is set)
 *   CI                    never reuse an already running server
 */
import { defineConfig } from '@playwright/test';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const port = Number(process.env.SEG_WIDGET_TEST_PORT ?? '8888');
const baseURL = `http://localhost:${port}`;

export default defineConfig({
  ...baseConfig,
  testDir: './tests',
  outputDir: './test-results',
  // Galata's base config adds an 'html' reporter that serves the report on failure: list only.
  reporter: 'list',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // Generous: a 2-core machine running JupyterLab, a kernel and chromium at once.
  timeout: 180_000,
  expect: { timeout: 30_000 },
  use: {
    ...baseConfig.use,
    baseURL,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        // This machine's network is closed: no QUIC/background look-ups.
        '--disable-quic'
      ]
    },
    actionTimeout: 30_000,
    navigationTimeout: 60_000,
    // Video needs a downloaded ffmpeg: off. Screenshots and traces need no download.
    video: 'off',
    screenshot: 'only-on-failure',
    trace: process.env.PW_TRACE ? 'retain-on-failure' : 'off'
  },
  webServer: {
    // With SEG_WIDGET_SERVER_LOG set (scripts/run-browser-tests does), the server's log goes to
    // that file instead of cluttering the test report.
    command:
      'jupyter lab --config jupyter_server_test_config.py' +
      (process.env.SEG_WIDGET_SERVER_LOG ? ' >>"$SEG_WIDGET_SERVER_LOG" 2>&1' : ''),
    url: `${baseURL}/lab`,
    timeout: 180_000,
    // Reusing whatever listens on the port (e.g. a `make demo` server, which lacks Galata's
    // helper extension) gives confusing failures: opt in with PW_REUSE_SERVER=1, never on CI.
    reuseExistingServer: !process.env.CI && !!process.env.PW_REUSE_SERVER,
    // SIGTERM lets jupyter shut its kernels down (the default SIGKILL could orphan them).
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
    stdout: 'ignore',
    stderr: 'pipe',
    env: { ...(process.env as Record<string, string>), SEG_WIDGET_TEST_PORT: String(port) }
  }
});
