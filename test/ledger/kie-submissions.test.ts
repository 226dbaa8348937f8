/** KIE's window kept in the database, and what a retried generate call may do — on PGlite and Postgres. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDatabase, newJob } from './ledger-harness.js';

const PACE = { max: 2, windowMs: 60_000 };

forEachDatabase('KIE submissions', (t) => {
  const job = async (id: string) => {
    const user = await t.fundedUser(1000);
    await t.ledger.reserveAndRecordJob({ job: { ...newJob(id, user.id), state: 'queued' }, amount: 80 });
    return id;
  };
  const granted = async (jobId: string) => {
    const slot = await t.ledger.acquireKieSlot(jobId, PACE);
    assert.equal(slot.kind, 'granted', JSON.stringify(slot));
    return (slot as { slotId: number }).slotId;
  };
  const settle = (id: string) => t.ledger.compensateJob({ jobId: id, patch: { state: 'failed' } });

  void it('grants up to the window, then says how long to wait; the job shows submitting', async () => {
    const [a, b, c] = [await job('a'), await job('b'), await job('c')];
    await granted(a);
    assert.equal((await t.ledger.getJob(a))?.state, 'submitting');
    await granted(b);
    const slot = await t.ledger.acquireKieSlot(c, PACE);
    assert.equal(slot.kind, 'wait');
    assert.ok(slot.kind === 'wait' && slot.waitMs > 0 && slot.waitMs <= PACE.windowMs, JSON.stringify(slot));
    for (const id of [a, b, c]) await settle(id);
  });

  void it('a retry after a refused call may send again', async () => {
    const id = await job('refused');
    await t.ledger.recordKieSubmission(await granted(id), 'refused');
    await granted(id);
    await settle(id);
  });

  void it('a retry after an accepted call adopts its task instead of sending again', async () => {
    const id = await job('accepted');
    await t.ledger.recordKieSubmission(await granted(id), 'accepted', 'veo_task_first');
    for (let i = 0; i < 2; i++)
      assert.deepEqual(await t.ledger.acquireKieSlot(id, PACE), {
        kind: 'accepted',
        taskId: 'veo_task_first',
      });
    await settle(id);
  });

  void it('a retry after a call that never reported back, or an ambiguous one, never sends again', async () => {
    const cut = await job('cut');
    await granted(cut); // the worker died in the call: no outcome
    assert.deepEqual(await t.ledger.acquireKieSlot(cut, PACE), { kind: 'ambiguous' });
    // A late report of the cut-off call changes nothing: the first outcome stands.
    const amb = await job('amb');
    const slot = await granted(amb);
    await t.ledger.recordKieSubmission(slot, 'ambiguous');
    await t.ledger.recordKieSubmission(slot, 'accepted', 'veo_task_late');
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(await t.ledger.acquireKieSlot(cut, PACE), { kind: 'ambiguous' });
      assert.deepEqual(await t.ledger.acquireKieSlot(amb, PACE), { kind: 'ambiguous' });
    }
    for (const id of [cut, amb]) await settle(id);
  });

  void it('a job that ended while it waited gets no slot', async () => {
    const id = await job('ended');
    await settle(id);
    assert.deepEqual(await t.ledger.acquireKieSlot(id, PACE), { kind: 'ended' });
  });
});
