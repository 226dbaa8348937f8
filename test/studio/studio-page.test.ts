/**
 * The studio page in a real browser (Debian's Chromium), on the whole stack: Temporal, the worker,
 * the KIE simulator over HTTP. Sign in with an API key by keyboard; an invalid prompt shows the
 * server's error at the prompt field and changes nothing; a video is generated, its stages appear
 * live, the <video> element plays the archived file through its signed link, the job shows in the
 * gallery, and a request beyond the balance shows the 402 by the Generate button. Then the Market
 * models: Nano Banana's modes and options replace Veo's fields, its images (several per task) appear
 * and download; Kling's price follows its options; a 422 lands at the image URLs box or at the option
 * it names. Nothing is loaded from beyond this server. Screenshots: test-output/studio/.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openBrowser, TEST_OUTPUT } from '../support/browser.js';
import { startTestStack } from '../support/stack.js';
import { client, credits, listJobs } from '../support/api-client.js';

const PROMPT = 'A red fox running through fresh snow, golden hour';
const IMAGE_PROMPT = 'A lighthouse on a cliff at dawn, watercolour';
/** Each image task of this stack returns this many images. */
const IMAGES_PER_TASK = 3;

interface ImageJob {
  id: string;
  kind: string;
  state: string;
  price: number;
  files: Array<{ variant: string; sha256: string; contentType: string }>;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('studio page', () => {
  it('signs in, shows field errors, generates with live stages, plays, lists, shows 402', async (t) => {
    const stack = await startTestStack(t, { sim: { marketImageCount: IMAGES_PER_TASK } });
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
      const { prices } = stack.config;
      const groups = await page.locator('#model optgroup').all();
      assert.deepEqual(await Promise.all(groups.map((g) => g.getAttribute('label'))), ['Videos', 'Images']);
      const group = (label: string) =>
        page.locator(`#model optgroup[label="${label}"] option`).allTextContents();
      assert.deepEqual(await group('Videos'), [
        `Veo 3.1 · ${qualityPrice} credits per 8 s video`,
        `Veo 3.1 Fast · ${fastPrice} credits per 8 s video`,
        `Veo 3.1 Lite · ${prices.veo3_lite} credits per 8 s video`,
        `Kling 2.6 · ${prices['kling-2.6']} credits per 5 s of video without sound`,
        `Sora 2 · ${prices['sora-2']} credits per 10 s of video`,
      ]);
      assert.deepEqual(await group('Images'), [
        `Nano Banana · ${prices['nano-banana']} credits per image`,
        `Imagen 4 · ${prices.imagen4} credits per image`,
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
        .filter({ hasText: /Nothing in state/ })
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

    let imageJobId = '';
    await t.test("Nano Banana: its modes and options replace Veo's fields", async () => {
      await page.getByLabel('Model').selectOption('nano-banana');
      await page.locator('#create-title').filter({ hasText: 'Create an image' }).waitFor();
      for (const veoOnly of ['#veo-options', '#hd-field'])
        assert.equal(await page.locator(veoOnly).isVisible(), false, `${veoOnly} hidden`);
      assert.deepEqual(await page.locator('#modes label').allTextContents(), [
        ' Text to image',
        ' Image to image',
      ]);
      assert.ok(await page.getByLabel('Text to image').isChecked(), 'the text mode, as before');
      assert.equal(await page.locator('#images').isVisible(), false, 'no image URLs from text');
      const format = page.getByLabel('Output format');
      assert.equal(await format.inputValue(), 'png', 'the default preselected');
      assert.deepEqual(await format.locator('option').allTextContents(), ['png', 'jpeg']);
      assert.equal(
        await page.getByLabel('Aspect ratio', { exact: true }).count(),
        2,
        "Veo's (hidden) and its own",
      );
      assert.equal(await page.locator('#option-aspectRatio').inputValue(), '1:1');
      assert.match(
        (await page.locator('#option-outputFormat-hint').textContent()) ?? '',
        /Image file format/,
      );
      await page.getByLabel('Image to image').check();
      await page
        .locator('#image-urls-hint')
        .filter({ hasText: /^1 to 10 images to edit or combine/ })
        .waitFor();
      assert.equal(await page.locator('#generation-type-field').isVisible(), false);
      await page.getByLabel('Text to image').check();
      await page
        .locator('#total')
        .filter({ hasText: `This image costs ${stack.config.prices['nano-banana']} credits` })
        .waitFor();
      await page.getByRole('button', { name: 'Generate image' }).waitFor();
    });

    await t.test('Nano Banana: Generate → every image shows, each downloads', async () => {
      const before = await credits(api);
      await page.locator('#prompt').fill(IMAGE_PROMPT);
      await page.getByLabel('Output format').selectOption('jpeg');
      await page.getByRole('button', { name: 'Generate image' }).click();
      const images = page.locator('#job-result .shots img');
      await page.locator('#job-title').filter({ hasText: 'Your images' }).waitFor({ timeout: 120_000 });
      assert.equal(await images.count(), IMAGES_PER_TASK);
      await browser.waitUntil(
        `[...document.querySelectorAll('#job-result .shots img')].every((i) => i.complete && i.naturalWidth > 0)`,
      );
      const alts = await Promise.all((await images.all()).map((img) => img.getAttribute('alt')));
      assert.deepEqual(
        alts,
        [1, 2, 3].map((n) => `${IMAGE_PROMPT} (image ${n} of ${IMAGES_PER_TASK})`),
      );

      const [job] = (await listJobs(api)).data as unknown as ImageJob[];
      assert.ok(job);
      imageJobId = job.id;
      assert.deepEqual([job.kind, job.state], ['image', 'succeeded']);
      assert.deepEqual(
        job.files.map((f) => [f.variant, f.contentType]),
        ['original', 'original-2', 'original-3'].map((v) => [v, 'image/jpeg']),
        'the option chosen on the form reached KIE',
      );
      const links = page.locator('#job-result .shots a[download]');
      const texts = await links.allTextContents();
      assert.equal(texts.length, IMAGES_PER_TASK);
      texts.forEach((text, i) =>
        assert.match(text, new RegExp(`^Download image ${i + 1} \\(JPEG, \\d+ (B|KB)\\)$`)),
      );
      for (const [i, file] of job.files.entries()) {
        const link = links.nth(i);
        assert.equal(await link.getAttribute('download'), `${job.id}-${file.variant}.jpg`);
        const res = await fetch(new URL((await link.getAttribute('href'))!, stack.apiUrl!));
        assert.equal(res.status, 200, file.variant);
        assert.equal(res.headers.get('content-type'), 'image/jpeg');
        assert.equal(sha256(Buffer.from(await res.arrayBuffer())), file.sha256, file.variant);
      }
      // And as the browser saves it, by the link.
      const [saved] = await Promise.all([page.waitForEvent('download'), links.nth(1).click()]);
      assert.equal(saved.suggestedFilename(), `${job.id}-original-2.jpg`);
      assert.equal(sha256(await readFile(await saved.path())), job.files[1]!.sha256);

      const after = await credits(api);
      assert.deepEqual([after.balance, after.held], [before.balance - job.price, 0]);
      const card = page.locator(`#gallery-list li[data-job-id="${job.id}"]`);
      await card.locator('.badge', { hasText: 'Ready' }).waitFor();
      assert.equal(await card.locator('img').count(), IMAGES_PER_TASK, 'every image in its card');
      assert.equal(await card.locator('video').count(), 0);
      await browser.screenshot('images');
    });

    await t.test(
      'Kling 2.6: the price follows its options; the text-only option hides from image',
      async () => {
        const klingPrice = stack.config.prices['kling-2.6'];
        await page.getByLabel('Model').selectOption('kling-2.6');
        await page.getByRole('button', { name: 'Generate video' }).waitFor();
        await page
          .locator('#total')
          .filter({ hasText: `This video costs ${klingPrice} credits` })
          .waitFor();
        await page.locator('#model-hint').filter({ hasText: '(10 s: ×2, sound: ×2)' }).waitFor();
        await page.getByLabel('Duration').selectOption('10');
        await page.getByLabel('Sound').check();
        await page
          .locator('#total')
          .filter({ hasText: `costs ${4 * klingPrice} credits` })
          .waitFor();
        assert.ok(await page.locator('#option-aspectRatio').isVisible());
        await page.getByLabel('Image to video').check();
        assert.equal(await page.locator('#option-aspectRatio').isVisible(), false, 'text-to-video only');
        await page
          .locator('#image-urls-hint')
          .filter({ hasText: /^1 image: the video starts from it/ })
          .waitFor();
      },
    );

    await t.test(
      '422s land at the field they name: Sora without an image, Imagen with a bad seed',
      async () => {
        const before = await credits(api);
        await page.getByLabel('Model').selectOption('sora-2');
        assert.deepEqual(await page.locator('#modes label').allTextContents(), [' Image to video']);
        assert.ok(await page.getByLabel('Image to video').isChecked());
        await page.locator('#image-urls').fill('');
        await page.getByRole('button', { name: 'Generate video' }).click();
        await page
          .locator('#image-urls-error')
          .filter({ hasText: /takes 1 image URLs, got 0/ })
          .waitFor();
        assert.equal(await page.locator('#image-urls').getAttribute('aria-invalid'), 'true');
        assert.equal(await focused(), 'image-urls');
        await browser.screenshot('sora-needs-an-image');

        await page.getByLabel('Model').selectOption('imagen4');
        assert.deepEqual(await page.locator('#modes label').allTextContents(), [' Text to image']);
        const seed = page.locator('#option-seed');
        assert.equal(await seed.getAttribute('type'), 'number');
        assert.deepEqual(
          [await seed.getAttribute('min'), await seed.getAttribute('max')],
          ['0', '2147483647'],
        );
        await seed.fill('-1');
        await page.getByRole('button', { name: 'Generate image' }).click();
        await page.locator('#option-seed-error').filter({ hasText: /\S/ }).waitFor();
        assert.equal(await seed.getAttribute('aria-invalid'), 'true');
        assert.equal(await page.locator('#create-error').textContent(), '', 'nothing left unplaced');
        assert.equal(await focused(), 'option-seed');
        const after = await credits(api);
        assert.deepEqual([after.balance, after.held], [before.balance, 0]);
        assert.equal((await listJobs(api)).data[0]?.id, imageJobId, 'no job created');
        await page.getByLabel('Model').selectOption('veo3_fast');
      },
    );

    await t.test('phone width: one column, nothing wider than the screen', async () => {
      await page.setViewportSize({ width: 375, height: 812 });
      await page.reload();
      await page.locator(`#gallery-list li[data-job-id="${jobId}"]`).waitFor();
      const width = () => page.evaluate<number>('document.documentElement.scrollWidth');
      assert.ok((await width()) <= 375, `page is ${await width()}px wide`);
      await browser.screenshot('phone');
      // The images and a Market model's form, too.
      await page.locator(`#gallery-list li[data-job-id="${imageJobId}"] button`).click();
      await page.locator('#job-result .shots img').first().waitFor();
      await page.getByLabel('Model').selectOption('kling-2.6');
      await page.locator('#option-duration').waitFor();
      assert.ok((await width()) <= 375, `page is ${await width()}px wide with images and Kling's form`);
      await browser.screenshot('phone-images');
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
