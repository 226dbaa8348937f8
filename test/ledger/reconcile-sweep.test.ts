/**
 * The reconciler's sweep pages through unfinished jobs in creation order and resumes where it stopped,
 * so a fleet larger than one page is looked at in turn — on PGlite and Postgres.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDatabase, newJob, T0 } from './ledger-harness.js';

forEachDatabase('reconciler sweep', (t) => {
  void it('pages of unfinished jobs in creation order, resumed after the last, then from the start', async () => {
    const user = await t.fundedUser(1000);
    // Created in this order (not the ids' alphabetical one), a second apart.
    for (const [i, id] of ['e', 'd', 'c', 'b', 'a'].entries()) {
      t.now = new Date(T0.getTime() + i * 1000);
      const r = await t.ledger.reserveAndRecordJob({ job: newJob(id, user.id), amount: 10 });
      assert.ok(r.ok);
    }
    // A finished job is never a candidate.
    await t.ledger.compensateJob({ jobId: 'd', patch: { state: 'canceled' } });
    const page = async () => {
      const { candidates, next } = await t.ledger.reconcileCandidates(2);
      await t.ledger.recordSweep(next);
      return candidates.map((c) => c.jobId);
    };
    assert.deepEqual(await page(), ['e', 'c']);
    assert.deepEqual(await page(), ['b', 'a']);
    // The page after a full one is empty: the end was reached, and the next sweep starts over.
    assert.deepEqual(await page(), []);
    assert.deepEqual(await page(), ['e', 'c']);
    assert.equal((await t.ledger.reconcilerStats()).sweeps, 4);
  });
});
