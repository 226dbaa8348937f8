/**
 * The domain's errors as HTTP, in one place (src/api/problem.ts): refusals by reason, missing things,
 * conflicts, bad cursors, and anything else as a 500 that shows no internals. In-process, no Temporal.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Conflict, InvalidCursor, NotFound, Rejected, type RejectionReason } from '../../src/domain/index.js';
import { assertProblem, client, VALID_BODY } from '../support/api-client.js';
import { startFakeApp } from '../support/fake-app.js';

const REFUSALS: Array<[RejectionReason, number]> = [
  ['insufficient_credits', 402],
  ['concurrency_cap', 429],
  ['daily_cap', 429],
  ['breaker_open', 503],
];

void describe('HTTP layer: domain errors → statuses', () => {
  void it('a refused job answers its reason and job id: 402, 429, 429, 503', async (t) => {
    let reason: RejectionReason = 'insufficient_credits';
    const app = await startFakeApp(t, {
      videos: {
        create: async () => {
          throw new Rejected(reason, `refused: ${reason}`, 'job_refused');
        },
      },
    });
    const api = client(app, (await app.user()).apiKey);
    for (const [r, status] of REFUSALS) {
      reason = r;
      const problem = assertProblem(await api('POST', '/v1/videos', { body: VALID_BODY }), status);
      assert.deepEqual(
        { ...problem, type: undefined, title: undefined },
        {
          type: undefined,
          title: undefined,
          status,
          detail: `refused: ${r}`,
          reason: r,
          jobId: 'job_refused',
        },
      );
    }
  });

  void it('NotFound → 404, Conflict → 409, InvalidCursor → 422 on cursor, anything else → 500', async (t) => {
    const app = await startFakeApp(t, {
      videos: {
        get: async () => {
          throw new NotFound('Video');
        },
        cancel: async () => {
          throw new Conflict('The job already ended (succeeded).');
        },
        list: async () => {
          throw new InvalidCursor();
        },
        create: async () => {
          throw new Error('db password=hunter2 at 10.0.0.7');
        },
      },
    });
    const api = client(app, (await app.user()).apiKey);
    assert.equal(assertProblem(await api('GET', '/v1/videos/job_x'), 404).detail, 'Video not found.');
    assertProblem(await api('POST', '/v1/videos/job_x/cancel'), 409);
    assertProblem(await api('GET', '/v1/videos?cursor=abc'), 422, 'cursor');
    const hidden = await api('POST', '/v1/videos', { body: VALID_BODY });
    assertProblem(hidden, 500);
    assert.doesNotMatch(JSON.stringify(hidden.body), /hunter2|10\.0\.0\.7/);
    assertProblem(await api('GET', '/v1/no-such-route'), 404);
  });
});
