/**
 * /docs in a real browser: Swagger UI loads from this server alone (any request beyond loopback is
 * blocked and fails the test) and renders every operation of /openapi.json.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openBrowser, TEST_OUTPUT } from '../support/browser.js';
import { startTestStack } from '../support/stack.js';

describe('API reference page', () => {
  it('renders every operation of /openapi.json offline', async (t) => {
    const stack = await startTestStack(t);
    const doc = (await (await fetch(`${stack.apiUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { summary: string }>>;
    };
    const operations = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ method, path: p, summary: op.summary })),
    );

    const browser = await openBrowser(t, path.join(TEST_OUTPUT, 'api-reference'));
    const { page } = browser;
    await page.goto(`${stack.apiUrl}/docs`);
    await page.locator('.information-container .title').filter({ hasText: 'Veo pipeline API' }).waitFor();
    // Page-side code as strings: the tests compile without the DOM library.
    await browser.waitUntil(`document.querySelectorAll('.opblock').length >= ${operations.length}`);
    const rendered: Array<{ method: string; path: string }> = [];
    for (const block of await page.locator('.opblock').all()) {
      rendered.push({
        method: ((await block.locator('.opblock-summary-method').textContent()) ?? '').trim().toLowerCase(),
        path: (await block.locator('.opblock-summary-path').getAttribute('data-path')) ?? '',
      });
    }
    assert.deepEqual(
      rendered.map((o) => `${o.method} ${o.path}`).sort(),
      operations.map((o) => `${o.method} ${o.path}`).sort(),
    );
    for (const summary of ['Create a video job', 'Create an image job', 'Every model with its kind']) {
      assert.ok(await page.getByText(summary).first().isVisible(), summary);
    }

    // One operation opened: its parameters and responses render from the schemas.
    await page.locator('#operations-videos-post_v1_videos .opblock-summary').click();
    await page.locator('#operations-videos-post_v1_videos .responses-table').waitFor();
    await browser.screenshot('docs');
    assert.deepEqual(browser.offsite, [], 'nothing requested beyond this server');
    assert.deepEqual(browser.pageErrors, []);
  });
});
