/**
 * The reconciler: an operator terminates a generating job with the real Temporal CLI → within two
 * sweeps the job is failed (source operator) and its credits released; a hold whose workflow never
 * started is released once the grace period is over, not before; a running job is never touched.
 * Sweeps are counted (reconciler_sweeps), not timed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SweepSummary } from '../../src/activities/reconcile-activity.js';
import { reserveIn } from '../../src/ledger/credit-operations.js';
import { videoWorkflowId } from '../../src/workflows/job-types.js';
import { startTestStack, videoRequest, type TestStack } from '../support/stack.js';
import { temporalCli } from '../support/temporal.js';
import { waitFor } from '../support/wait-for.js';

const SWEEP_MS = 1_000;

/** Resolves once `n` more sweeps have finished: the first of them may have begun before the call. */
async function sweeps(stack: TestStack, n: number): Promise<void> {
  const from = (await stack.ledger.reconcilerStats()).sweeps;
  await waitFor(
    `${n} reconciler sweeps`,
    async () => ((await stack.ledger.reconcilerStats()).sweeps >= from + n ? true : undefined),
    30_000,
  );
}

describe('reconciler', () => {
  it('a generating job terminated with the CLI is failed and released within two sweeps; a running one is untouched', async (t) => {
    const stack = await startTestStack(t, {
      env: { RECONCILE_EVERY_MS: String(SWEEP_MS) },
      sim: { durationsMs: { veo3_fast: 8_000 } },
    });
    const user = await stack.user(500);
    const doomed = await stack.start(user.id);
    const running = await stack.start(user.id);
    for (const { jobId } of [doomed, running]) {
      await waitFor(
        `${jobId} generating`,
        async () => ((await stack.ledger.getJob(jobId))?.state === 'generating' ? true : undefined),
        20_000,
      );
    }
    const price = stack.config.prices.veo3_fast;
    assert.equal((await stack.ledger.balance(user.id)).held, 2 * price);

    await temporalCli([
      'workflow',
      'terminate',
      '--workflow-id',
      videoWorkflowId(doomed.jobId),
      '--reason',
      'operator test',
    ]);
    await sweeps(stack, 2);

    const job = await stack.ledger.getJob(doomed.jobId);
    assert.equal(job?.state, 'failed');
    assert.equal(job?.error?.source, 'operator');
    assert.equal(job?.error?.code, 'workflow_terminated');
    assert.equal(job?.progress?.error?.code, 'workflow_terminated', 'the job view reads the progress');
    assert.ok(job?.finishedAt);
    // The other job still runs and still holds its credits.
    assert.deepEqual(await stack.ledger.balance(user.id), {
      balance: 500,
      held: price,
      available: 500 - price,
    });
    assert.equal((await stack.ledger.getJob(running.jobId))?.finishedAt, null);

    const result = await stack.wait(running.jobId);
    assert.equal(result.state, 'succeeded', JSON.stringify(result.error));
    assert.deepEqual(await stack.ledger.balance(user.id), {
      balance: 500 - price,
      held: 0,
      available: 500 - price,
    });
    await stack.assertInvariants();

    // Visible where /metrics is scraped (the API), although the sweep ran in the worker.
    const metrics = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    assert.match(metrics, /veo_reconciled_total\{kind="job",reason="workflow_terminated"\} 1\b/);
    assert.match(metrics, new RegExp(`veo_reconciled_credits_total\\{kind="job"\\} ${price}\\b`));
    const last = /^veo_reconcile_last_sweep_timestamp_seconds (\S+)$/m.exec(metrics)?.[1];
    assert.ok(Number(last) > 0, `last sweep time: ${last}`);
  });

  it('a sweep asks one by one only about the workflows visibility does not list as running', async (t) => {
    const stack = await startTestStack(t, {
      env: { RECONCILE_EVERY_MS: String(SWEEP_MS) },
      sim: { durationsMs: { veo3_fast: 60_000 } },
    });
    const user = await stack.user(500);
    const jobs = [await stack.start(user.id), await stack.start(user.id), await stack.start(user.id)];
    for (const { jobId } of jobs) {
      await waitFor(
        `${jobId} generating`,
        async () => ((await stack.ledger.getJob(jobId))?.state === 'generating' ? true : undefined),
        20_000,
      );
    }
    const doomed = jobs[0]!.jobId;
    await temporalCli([
      'workflow',
      'terminate',
      '--workflow-id',
      videoWorkflowId(doomed),
      '--reason',
      'test',
    ]);
    await waitFor(
      'the terminated job settled',
      async () => ((await stack.ledger.getJob(doomed))?.state === 'failed' ? true : undefined),
      30_000,
    );
    await sweeps(stack, 2);
    // Every sweep's own result: how many jobs it looked at, and how many of them it described.
    const summaries: SweepSummary[] = [];
    for await (const wf of stack.temporal.client.workflow.list({
      query: `WorkflowType = "reconcileJobs" AND TaskQueue = "${stack.taskQueue}" AND ExecutionStatus = "Completed"`,
    })) {
      summaries.push(
        (await stack.temporal.client.workflow.getHandle(wf.workflowId, wf.runId).result()) as SweepSummary,
      );
    }
    const settledBy = summaries.filter((s) => s.reconciled > 0);
    assert.equal(settledBy.length, 1, JSON.stringify(summaries));
    assert.ok(settledBy[0]!.described! >= 1, 'the closed workflow was described before it was settled');
    // Once only the two running jobs are left, a sweep looks at both and describes neither.
    const later = summaries.filter((s) => s.reconciled === 0 && s.checked === 2);
    assert.ok(later.length > 0, JSON.stringify(summaries));
    for (const s of later) assert.equal(s.described, 0, JSON.stringify(s));
    for (const { jobId } of jobs.slice(1)) assert.equal((await stack.ledger.getJob(jobId))?.finishedAt, null);
  });

  it('a hold whose workflow never started is released after the grace period, not before', async (t) => {
    const graceMs = 4_000;
    const stack = await startTestStack(t, {
      env: { RECONCILE_EVERY_MS: String(SWEEP_MS), RECONCILE_GRACE_MS: String(graceMs) },
    });
    const user = await stack.user(500);
    // What an API that died between reserving and starting the workflow leaves behind: a job record
    // with its hold, and (another caller's way) a bare hold with no record at all.
    const placed = Date.now(); // before the holds: the grace period runs from their creation
    const recorded = 'job_reconcile_no_workflow_1';
    const reserved = await stack.ledger.reserveAndRecordJob({
      job: { id: recorded, userId: user.id, model: 'veo3_fast', request: videoRequest() },
      amount: 80,
    });
    assert.equal(reserved.ok, true);
    const bare = 'job_reconcile_bare_hold_1';
    await stack.ledger.db.transaction((tx) =>
      reserveIn(tx, { jobId: bare, userId: user.id, amount: 30, now: new Date() }),
    );
    assert.equal((await stack.ledger.balance(user.id)).held, 110);

    // A sweep that finished before the grace period ended left both alone.
    await sweeps(stack, 2);
    const early = await stack.ledger.reconcilerStats();
    if (early.lastSweepAt!.getTime() < placed + graceMs) {
      assert.equal((await stack.ledger.balance(user.id)).held, 110, 'released during the grace period');
    }

    await waitFor(
      'the holds released',
      async () => ((await stack.ledger.balance(user.id)).held === 0 ? true : undefined),
      graceMs + 20_000,
    );
    assert.ok(Date.now() - placed >= graceMs, 'not before the grace period');
    const job = await stack.ledger.getJob(recorded);
    assert.equal(job?.state, 'failed');
    assert.deepEqual(
      { source: job?.error?.source, code: job?.error?.code },
      { source: 'operator', code: 'workflow_not_found' },
    );
    const entries = await stack.ledger.entries(user.id, 100);
    assert.deepEqual(
      entries
        .filter((e) => e.kind === 'release')
        .map((e) => [e.jobId, e.amount])
        .sort(),
      [
        [bare, 30],
        [recorded, 80],
      ],
    );
    const stats = await stack.ledger.reconcilerStats();
    assert.deepEqual(
      stats.reconciled.map((r) => [r.kind, r.reason, r.count, r.released]),
      [
        ['hold', 'hold_without_job', 1, 30],
        ['hold', 'workflow_not_found', 1, 80],
      ],
    );
    // Further sweeps change nothing: each hold was released once.
    await sweeps(stack, 2);
    assert.equal((await stack.ledger.entries(user.id, 100)).filter((e) => e.kind === 'release').length, 2);
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: 500, held: 0, available: 500 });
    await stack.assertInvariants();
  });
});
