/**
 * GET /admin/spend's numbers, per model: credits captured from users beside KIE's credits for the jobs
 * KIE worked on — on PGlite and Postgres. A job KIE never took, or whose generation KIE itself failed,
 * cost no KIE credits; a canceled one KIE had taken did.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDatabase, newJob } from './ledger-harness.js';

forEachDatabase('spend report', (t) => {
  void it('charged vs KIE credits per model', async () => {
    const user = await t.fundedUser(10_000);
    const job = async (id: string, model: 'veo3' | 'veo3_fast', kieTask: boolean) => {
      const r = await t.ledger.reserveAndRecordJob({
        job: { ...newJob(id, user.id), model, kieCredits: 60 },
        amount: 100,
      });
      assert.ok(r.ok);
      if (kieTask) await t.ledger.updateJob(id, { kieTaskId: `task-${id}`, state: 'generating' });
    };
    await job('ok', 'veo3_fast', true);
    await t.ledger.finalizeJob({ jobId: 'ok', patch: { files: [] } });
    await job('kie-failed', 'veo3_fast', true);
    await t.ledger.compensateJob({
      jobId: 'kie-failed',
      patch: { state: 'failed', error: { source: 'kie', code: '501', message: 'generation failed' } },
    });
    await job('archive-failed', 'veo3_fast', true);
    await t.ledger.compensateJob({
      jobId: 'archive-failed',
      patch: { state: 'failed', error: { source: 'archive', code: 'not_mp4', message: 'not an MP4' } },
    });
    await job('canceled', 'veo3_fast', true);
    await t.ledger.compensateJob({
      jobId: 'canceled',
      patch: { state: 'canceled', kieTaskId: 'task-canceled' },
      charge: 100,
    });
    await job('never-submitted', 'veo3_fast', false);
    await t.ledger.compensateJob({ jobId: 'never-submitted', patch: { state: 'canceled' } });
    await job('other-model', 'veo3', true);

    assert.deepEqual(await t.ledger.spendByModel(), [
      { model: 'veo3', jobs: 1, succeeded: 0, charged: 0, kieCredits: 60 },
      // ok (100 charged) + canceled (100 charged); KIE: ok, archive-failed, canceled.
      { model: 'veo3_fast', jobs: 5, succeeded: 1, charged: 200, kieCredits: 180 },
    ]);
  });
});
