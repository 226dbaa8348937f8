/**
 * Market jobs on the real stack (Temporal, worker, simulator over HTTP, ledger): an image task with
 * several results archives each, a failed video task and a canceled one release their hold. Their
 * histories are recorded (RECORD_HISTORIES=1) for the replay test, like every other path.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { priceOf } from '../../src/services/pricing.js';
import { jobHandle, startVideoJob } from '../../src/services/video-jobs.js';
import type { MarketRequest } from '../../src/domain/index.js';
import { marketRequest } from '../support/requests.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

async function start(stack: TestStack, userId: string, request: MarketRequest) {
  const started = await startVideoJob(stack.temporal.client, stack.taskQueue, stack.ledger, {
    userId,
    request,
    ...priceOf(stack.config.prices, request),
    timing: stack.timing,
  });
  assert.ok(started.reservation.ok);
  return started.jobId;
}

describe('Market jobs', () => {
  it('several images archived; a KIE failure and a cancel release the hold', async (t) => {
    const stack = await startTestStack(t, {
      sim: { marketImageCount: 2, durationsMs: { market: 300, 'kling-2.6/text-to-video': 60_000 } },
    });
    const user = await stack.user(10_000);

    const imageJob = await start(stack, user.id, marketRequest({ options: { outputFormat: 'jpeg' } }));
    const image = await stack.wait(imageJob);
    assert.equal(image.state, 'succeeded');
    assert.deepEqual(
      image.files.map((f) => [f.variant, f.contentType]),
      [
        ['original', 'image/jpeg'],
        ['original-2', 'image/jpeg'],
      ],
    );
    assert.equal(image.hd, 'not_requested');

    stack.simulator!.setFaults({
      outcome: { successFlag: 3, errorCode: 501, errorMessage: 'Generation failed' },
    });
    const failedJob = await start(
      stack,
      user.id,
      marketRequest({
        model: 'sora-2',
        mode: 'image-to-video',
        imageUrls: ['https://example.com/a.png'],
        options: {},
      }),
    );
    const failed = await stack.wait(failedJob);
    stack.simulator!.setFaults({});
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error?.source, 'kie');

    const slowJob = await start(
      stack,
      user.id,
      marketRequest({
        model: 'kling-2.6',
        mode: 'text-to-video',
        options: { duration: '5', sound: false, aspectRatio: '16:9' },
      }),
    );
    await waitFor('the Kling task to be at KIE', async () =>
      (await stack.ledger.getJob(slowJob))?.state === 'generating' ? true : undefined,
    );
    await jobHandle(stack.temporal.client, slowJob).cancel();
    const canceled = await stack.wait(slowJob);
    assert.equal(canceled.state, 'canceled');

    const balance = await stack.ledger.balance(user.id);
    const price = (r: MarketRequest) => priceOf(stack.config.prices, r).price;
    const kept =
      price(marketRequest()) +
      // CANCEL_AFTER_SUBMIT=charge-model: the canceled Kling job pays its model's price.
      price(
        marketRequest({
          model: 'kling-2.6',
          mode: 'text-to-video',
          options: { duration: '5', sound: false },
        }),
      );
    assert.deepEqual(balance, { balance: 10_000 - kept, held: 0, available: 10_000 - kept });
    await stack.assertInvariants();
  });
});
