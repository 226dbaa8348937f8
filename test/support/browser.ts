/**
 * A real browser for the page tests: Debian's Chromium driven by playwright-core (no browser download),
 * headless, with a fresh profile, and a guard that fails the test if the page reaches beyond loopback
 * (the studio and /docs must work offline). Screenshots go to test-output/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const TEST_OUTPUT = path.resolve(import.meta.dirname, '../../test-output');

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Requests the page tried to send off the machine (aborted); uncaught errors and console errors. */
  offsite: string[];
  pageErrors: string[];
  screenshot(name: string): Promise<string>;
  /**
   * Polls a page-side expression until it is truthy. (page.waitForFunction evaluates strings with
   * `new Function`, which the studio's Content-Security-Policy rightly refuses.)
   */
  waitUntil(expression: string, opts?: { timeoutMs?: number; diagnose?: string }): Promise<void>;
}

export async function openBrowser(t: TestContext, outputDir: string): Promise<TestBrowser> {
  assert.ok(
    existsSync(CHROMIUM_PATH),
    `no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`,
  );
  const profile = await mkdtemp(path.join(tmpdir(), 'veo-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  t.after(async () => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  });
  const offsite: string[] = [];
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
      return route.continue();
    }
    offsite.push(url.href);
    return route.abort('blockedbyclient');
  });
  const page = context.pages()[0] ?? (await context.newPage());
  // Generous: the box running the tests may be busy; nothing here asserts a duration.
  page.setDefaultTimeout(60_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  // Console errors include Content-Security-Policy violations and failed loads; the API's own 4xx
  // answers (which the tests provoke) are logged by Chromium too, and are not the page's errors.
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const api = /^\/(v1|api)\//.test(new URL(msg.location().url || 'about:blank').pathname);
    if (api && msg.text().startsWith('Failed to load resource')) return;
    pageErrors.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  await mkdir(outputDir, { recursive: true });
  return {
    context,
    page,
    offsite,
    pageErrors,
    async screenshot(name) {
      const file = path.join(outputDir, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async waitUntil(expression, { timeoutMs = 60_000, diagnose } = {}) {
      const deadline = Date.now() + timeoutMs;
      while (!(await page.evaluate<boolean>(`Boolean(${expression})`))) {
        if (Date.now() > deadline) {
          const state = diagnose ? `: ${JSON.stringify(await page.evaluate<unknown>(diagnose))}` : '';
          assert.fail(`timed out waiting for ${expression}${state}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
