/**
 * A flood of valid callbacks (the job's own token, KIE's signature) at one generating job: the API
 * signals the workflow once per task and acknowledges the rest, so the job's history and KIE's
 * record-info calls barely move (issue: webhook floods; src/services/callback-gate.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { jobCallbackToken, signKieCallback } from '../../src/kie/webhook-auth.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

const CALLBACKS = 20_000;
const CONCURRENCY = 64;

const secret = (stack: TestStack, name: string) =>
  readFileSync(path.join(stack.config.dataDir, 'secrets', name), 'utf8').trim();

describe('webhook floods', () => {
  it(`${CALLBACKS} valid callbacks to one generating job: ≤ 5 history events, ≤ 1 extra record-info`, async (t) => {
    // KIE takes hours and no poll is due during the test, however slow the machine (a loaded CI run
    // took 8 minutes): only callbacks could move the job.
    const stack = await startTestStack(t, {
      sim: { durationsMs: { veo3_fast: 4 * 3_600_000 }, faults: { callback: 'drop' } },
      timing: { firstPollAfterMs: 2 * 3_600_000, generationDeadlineMs: 4 * 3_600_000 },
    });
    const user = await stack.user(100);
    const { jobId, handle } = await stack.start(user.id);
    const job = await waitFor(
      'the job to be generating',
      async () => {
        const j = await stack.ledger.getJob(jobId);
        return j?.state === 'generating' && j.kieTaskId ? j : undefined;
      },
      30_000,
    );
    const taskId = job.kieTaskId!;
    // The workflow task that recorded `generating` may still be completing: let the history settle.
    const historyLength = async () => (await handle!.describe()).historyLength;
    await waitFor('the history to settle', async () => {
      const a = await historyLength();
      await new Promise((r) => setTimeout(r, 300));
      return a === (await historyLength()) ? a : undefined;
    });
    const eventsBefore = await historyLength();
    const recordInfoBefore = stack.simulator!.stats().recordInfoCalls;

    const url = `${stack.apiUrl}/webhooks/kie/${jobId}?token=${encodeURIComponent(
      jobCallbackToken(secret(stack, 'webhook-secret'), jobId),
    )}`;
    const hmacKey = secret(stack, 'sim-hmac-key');
    const statuses = new Map<number, number>();
    let next = 0;
    const sender = async () => {
      while (next < CALLBACKS) {
        const i = next++;
        // Mostly the job's own task (KIE's retries, a replay); every 100th names another task.
        const id = i % 100 === 99 ? `veo_task_other_${i}` : taskId;
        const ts = Math.floor(Date.now() / 1000);
        const send = () =>
          fetch(url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-webhook-timestamp': String(ts),
              'x-webhook-signature': signKieCallback(hmacKey, id, ts),
            },
            body: JSON.stringify({
              code: 200,
              msg: 'Veo3.1 video generated successfully.',
              data: { taskId: id },
            }),
          });
        // A reused keep-alive socket the server just closed resets the request: sent again, as KIE would.
        const res = await send().catch(send);
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));
    assert.deepEqual([...statuses], [[200, CALLBACKS]], 'every callback acknowledged');

    // Whatever the one signal set off has run by now (a record-info, in its workflow task).
    await new Promise((r) => setTimeout(r, 2_000));
    const grown = (await historyLength()) - eventsBefore;
    const extraRecordInfo = stack.simulator!.stats().recordInfoCalls - recordInfoBefore;
    assert.ok(grown <= 5, `history grew by ${grown} events`);
    assert.ok(extraRecordInfo <= 1, `KIE saw ${extraRecordInfo} extra record-info calls`);
    assert.equal((await stack.ledger.getJob(jobId))?.state, 'generating');
    const progress = await handle!.query<{ callbacks: { received: number } }>('progress');
    assert.equal(progress.callbacks.received, 1, 'one signal reached the workflow');

    await handle!.cancel();
    await stack.wait(jobId);
    await stack.assertInvariants();
  });
});
