/**
 * The API holds a job's credits, then starts its workflow: two steps, so a crash between them must
 * not leave a hold nobody settles. A real API process (src/api-main.ts) takes a job while its path to
 * Temporal is cut, so the start hangs after the hold is written; the process is SIGKILLed there.
 * The workers' reconciler finds a hold whose workflow never started, and after the grace period
 * releases it and ends the job `failed` (error source `operator`). Nothing reached KIE.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { freePort } from '../../src/temporal/dev-server.js';
import { videoWorkflowId } from '../../src/workflows/job-types.js';
import { scratchPostgresUrl } from '../support/databases.js';
import { startTestStack } from '../support/stack.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait-for.js';

const root = path.resolve(import.meta.dirname, '../..');
const GRACE_MS = 3_000;

describe('API killed between the hold and the workflow start', () => {
  it('the hold is released by the reconciler and the job ends failed', async (t) => {
    const databaseUrl = await scratchPostgresUrl(t, 'apicrash');
    const stack = await startTestStack(t, {
      env: { DATABASE_URL: databaseUrl, RECONCILE_EVERY_MS: '1000', RECONCILE_GRACE_MS: String(GRACE_MS) },
    });
    const proxy = await startTcpProxy(stack.temporal.address);
    t.after(() => proxy.close());

    const port = await freePort();
    const api = spawn(process.execPath, ['--import', 'tsx', 'src/api-main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: proxy.address,
        TEMPORAL_TASK_QUEUE: stack.taskQueue,
        DATABASE_URL: databaseUrl,
        KIE_API_KEY: 'sim-key',
        KIE_BASE_URL: stack.simulator!.url,
        WEBHOOK_SECRET: 'api-crash-test-webhook-secret-0123456789ab',
        PORT: String(port),
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });
    t.after(() => api.kill('SIGKILL'));
    const apiUrl = `http://127.0.0.1:${port}`;
    await waitFor(
      'the API process to be ready',
      () =>
        fetch(`${apiUrl}/readyz`).then(
          (r) => (r.ok ? true : undefined),
          () => undefined,
        ),
      60_000,
      200,
    );

    const price = stack.config.prices.veo3_fast;
    const user = await stack.user(price);
    proxy.blackhole(); // from here on, the API's calls to Temporal never arrive
    const post = fetch(`${apiUrl}/v1/videos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'A job whose API dies before its workflow starts' }),
    }).catch(() => 'connection lost');
    const jobId = await waitFor(
      'the hold to be written',
      async () =>
        (await stack.db.query<{ id: string }>('select id from jobs where user_id = $1', [user.id]))[0]?.id,
      15_000,
    );
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: price, held: price, available: 0 });
    const exited = new Promise((r) => api.once('exit', r));
    api.kill('SIGKILL');
    await exited;
    assert.equal(await post, 'connection lost');

    const job = await waitFor(
      'the reconciler to settle the job',
      async () => {
        const j = await stack.ledger.getJob(jobId);
        return j?.state === 'failed' ? j : undefined;
      },
      30_000,
      200,
    );
    assert.equal(job.error?.source, 'operator');
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: price, held: 0, available: price });
    await assert.rejects(
      stack.temporal.client.workflow.getHandle(videoWorkflowId(jobId)).describe(),
      WorkflowNotFoundError,
    );
    assert.equal(stack.simulator!.stats().generateCalls, 0, 'nothing reached KIE');
    await stack.assertInvariants();
  });
});
