/**
 * The studio page in a real browser (Debian's Chromium), on the whole stack: Temporal, the worker,
 * the KIE simulator over HTTP. Sign in with an API key by keyboard; an invalid prompt shows the
 * server's error at the prompt field and changes nothing; a video is generated, its stages appear
 * live, the <video> element plays the archived file through its signed link, the job shows in the
 * gallery, and a request beyond the balance shows the 402 by the Generate button. Nothing is loaded
 * from beyond this server. Screenshots: test-output/studio/.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openBrowser, TEST_OUTPUT } from '../support/browser.js';
import { startTestStack } from '../support/stack.js';
import { client, credits, listJobs } from '../support/api-client.js';

const PROMPT = 'A red fox running through fresh snow, golden hour';

describe('studio page', () => {
  it('signs in, shows field errors, generates with live stages, plays, lists, shows 402', async (t) => {
    const stack = await startTestStack(t);
    const { veo3: qualityPrice, veo3_fast: fastPrice, hd: hdPrice } = stack.config.prices;
    // Enough for one Fast video with its 1080p, not for a Veo 3.1 one after it.
    const user = await stack.user(fastPrice + hdPrice + qualityPrice - 1);
    const api = client(stack, user.apiKey);
    const browser = await openBrowser(t, path.join(TEST_OUTPUT, 'studio'));
    const { page } = browser;
    const focused = () => page.evaluate<string | undefined>('document.activeElement?.id');

    await t.test('/ leads to the sign-in form; a wrong key is refused at the key field', async () => {
      await page.goto(`${stack.apiUrl}/`);
      assert.equal(new URL(page.url()).pathname, '/create/video');
      const key = page.getByLabel('API key');
      await key.waitFor();
      assert.equal(await focused(), 'api-key', 'the key field has focus');
      await page.keyboard.type('veo_sk_not-a-real-key');
      await page.keyboard.press('Enter');
      await page
        .locator('#api-key-error')
        .filter({ hasText: /unknown|revoked/i })
        .waitFor();
      assert.equal(await key.getAttribute('aria-invalid'), 'true');
      await browser.screenshot('sign-in-refused');
    });

    await t.test('the right key signs in (keyboard only): balance and prices shown', async () => {
      const key = page.getByLabel('API key');
      await key.fill('');
      await key.focus();
      await page.keyboard.type(user.apiKey);
      await page.keyboard.press('Enter');
      await page.locator('#studio').waitFor();
      const available = fastPrice + hdPrice + qualityPrice - 1;
      await page
        .locator('#balance')
        .filter({ hasText: `${available} credits available` })
        .waitFor();
      const options = await page.locator('#model option').allTextContents();
      assert.deepEqual(options, [
        `Veo 3.1 · ${qualityPrice} credits`,
        `Veo 3.1 Fast · ${fastPrice} credits`,
        `Veo 3.1 Lite · ${stack.config.prices.veo3_lite} credits`,
      ]);
      const cookies = await browser.context.cookies(stack.apiUrl!);
      assert.ok(cookies.length > 0 && cookies.every((c) => c.httpOnly), 'an HttpOnly session cookie');
      assert.equal(await page.evaluate('document.cookie'), '', 'no cookie readable by script');
    });

    await t.test('image-to-video explains KIE limits inline', async () => {
      await page.getByLabel('Image to video').check();
      await page
        .locator('#image-urls-hint')
        .filter({ hasText: /or 2: the first and the last frame/ })
        .waitFor();
      await page.getByLabel('The images are').selectOption('REFERENCE_2_VIDEO');
      await page
        .locator('#image-urls-hint')
        .filter({ hasText: /1 to 3 images.*16:9 only/ })
        .waitFor();
      await page.getByLabel('Aspect ratio').selectOption('Auto');
      assert.ok(await page.getByLabel('Also make the 1080p version').isDisabled(), 'no 1080p with Auto');
      await page.getByLabel('Aspect ratio').selectOption('16:9');
      await page.getByLabel('Text to video').check();
    });

    await t.test('an invalid prompt shows the server error at the prompt; nothing is held', async () => {
      const before = await credits(api);
      await page.getByLabel('Prompt').fill('   ');
      await page.getByRole('button', { name: 'Generate' }).click();
      const error = page.locator('#prompt-error');
      await error.filter({ hasText: /prompt must not be empty/ }).waitFor();
      const prompt = page.getByLabel('Prompt');
      assert.equal(await prompt.getAttribute('aria-invalid'), 'true');
      assert.equal(await focused(), 'prompt', 'focus moved to the prompt');
      await browser.screenshot('invalid-prompt');
      const after = await credits(api);
      assert.deepEqual([after.balance, after.held], [before.balance, 0]);
      assert.deepEqual((await listJobs(api)).data, []);
    });

    let jobId = '';
    await t.test('Generate: live stages, then the video plays from its signed link', async () => {
      // Record what the live region announces, to see the stages as they happen.
      await page.evaluate(`(() => {
        const status = document.getElementById('stage-status');
        window.__announced = [];
        new MutationObserver(() => window.__announced.push(status.textContent)).observe(status, {
          childList: true, characterData: true, subtree: true,
        });
      })()`);
      await page.getByLabel('Prompt').fill(PROMPT);
      await page.getByLabel('Model').selectOption('veo3_fast');
      await page.getByLabel('Also make the 1080p version').check();
      await page
        .locator('#total')
        .filter({ hasText: `costs ${fastPrice + hdPrice} credits` })
        .waitFor();
      await page.getByRole('button', { name: 'Generate' }).click();
      assert.equal(await page.locator('#prompt').getAttribute('aria-invalid'), null, 'error cleared');

      const video = page.locator('#job-result video');
      await video.waitFor({ timeout: 120_000 });
      await browser.waitUntil(`document.querySelector('#job-result video').readyState >= 2`, {
        diagnose: `(({ readyState, networkState, error, currentSrc }) => ({ readyState, networkState, error: error?.code, currentSrc }))(document.querySelector('#job-result video'))`,
      });
      const announced = await page.evaluate<string[]>('window.__announced');
      assert.ok(
        announced.some((a) => a.startsWith('Generating')),
        announced.join(' | '),
      );
      assert.ok(announced.at(-1)?.startsWith('Ready after'), announced.join(' | '));
      for (const stage of ['generating', 'fetching_hd', 'archiving', 'succeeded']) {
        const time = page.locator(`#stages li[data-state="${stage}"] time`);
        assert.match((await time.textContent()) ?? '', /^\+\d/, `${stage} has its time`);
      }
      assert.equal(await page.locator('#stages li.done').count(), await page.locator('#stages li').count());

      const [job] = (await listJobs(api)).data;
      assert.ok(job);
      jobId = job.id;
      assert.equal(job.state, 'succeeded');
      // The page plays and offers exactly the job's files; each link works with no credentials.
      const downloads = page.locator('#job-result .downloads a');
      assert.deepEqual(
        (await downloads.allTextContents()).map((s) => s.split(' ')[1]),
        ['original', '1080p'],
      );
      for (const link of await downloads.all()) {
        const href = (await link.getAttribute('href'))!;
        const variant = href.includes('1080p') ? '1080p' : 'original';
        const res = await fetch(new URL(href, stack.apiUrl!));
        assert.equal(res.status, 200, `${variant}: ${href}`);
        const sha = createHash('sha256')
          .update(Buffer.from(await res.arrayBuffer()))
          .digest('hex');
        assert.equal(sha, stack.simulator!.videoSha256(job.kieTaskId!, variant), variant);
      }
      await page
        .locator('#balance')
        .filter({ hasText: `${qualityPrice - 1} credits available` })
        .waitFor();
      await browser.screenshot('finished');
    });

    await t.test('the job shows in the gallery, and the state filter finds it', async () => {
      const card = page.locator(`#gallery-list li[data-job-id="${jobId}"]`);
      await card.locator('.badge', { hasText: 'Ready' }).waitFor();
      assert.ok(await card.locator('video').isVisible());
      await page.getByLabel('Show').selectOption('failed');
      await page
        .locator('#gallery-status')
        .filter({ hasText: /No videos in state/ })
        .waitFor();
      assert.equal(await card.count(), 0);
      await page.getByLabel('Show').selectOption('succeeded');
      await card.waitFor();
    });

    await t.test('beyond the balance: the 402 is shown by the Generate button, nothing held', async () => {
      await page.getByLabel('Model').selectOption('veo3');
      await page.getByLabel('Also make the 1080p version').uncheck();
      await page.getByRole('button', { name: 'Generate' }).click();
      await page
        .locator('#create-error')
        .filter({ hasText: /credit/i })
        .waitFor();
      await browser.screenshot('payment-required');
      const after = await credits(api);
      assert.deepEqual([after.available, after.held], [qualityPrice - 1, 0]);
      const [rejected] = (await listJobs(api)).data;
      assert.equal(rejected?.state, 'rejected', 'a refused job is recorded as rejected, with nothing held');
    });

    await t.test('phone width: one column, nothing wider than the screen', async () => {
      await page.setViewportSize({ width: 375, height: 812 });
      await page.reload();
      await page.locator(`#gallery-list li[data-job-id="${jobId}"]`).waitFor();
      const width = await page.evaluate<number>('document.documentElement.scrollWidth');
      assert.ok(width <= 375, `page is ${width}px wide`);
      await browser.screenshot('phone');
    });

    await t.test('sign out ends the session', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('API key').waitFor();
      await page.reload();
      await page.getByLabel('API key').waitFor();
      assert.equal(await page.locator('#studio').isVisible(), false);
    });

    assert.deepEqual(browser.offsite, [], 'nothing requested beyond this server');
    assert.deepEqual(browser.pageErrors, []);
    await stack.assertInvariants();
  });
});
