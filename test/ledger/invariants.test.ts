/** checkInvariants notices what it promises to notice — on PGlite and Postgres. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Db } from '../../src/db/index.js';
import { checkInvariants } from '../../src/ledger/invariants.js';
import { forEachDatabase, newJob, videoRequest } from './ledger-harness.js';

forEachDatabase('ledger invariants', (t) => {
  /**
   * Entries are append-only, so a broken state is written (by hand, as a bug would) inside a
   * transaction, checked there, and rolled back.
   */
  async function violationsOf(breakIt: (tx: Db) => Promise<void>): Promise<string[]> {
    let violations: string[] = [];
    await assert.rejects(
      t.db.transaction(async (tx) => {
        await breakIt(tx);
        violations = await checkInvariants(tx);
        throw new Error('roll back');
      }),
      /roll back/,
    );
    return violations;
  }
  /** Settles job `jobId` (holding `held` credits) of `userId` with a hand-written entry. */
  const settleByHand = async (
    tx: Db,
    a: { userId: string; jobId: string; held: number; kind: 'capture' | 'release'; amount: number },
  ) => {
    await tx.query(`insert into credit_entries (user_id, kind, amount, job_id) values ($1, $2, $3, $4)`, [
      a.userId,
      a.kind,
      a.amount,
      a.jobId,
    ]);
    await tx.query(
      'update users set balance = balance - $2, held = held - $3, open_holds = open_holds - 1 where id = $1',
      [a.userId, a.kind === 'capture' ? a.amount : 0, a.held],
    );
    await tx.query(`update jobs set state = $2, finished_at = now() where id = $1`, [
      a.jobId,
      a.kind === 'capture' ? 'succeeded' : 'failed',
    ]);
  };

  void it('hold out against a busy mixed history', async () => {
    const user = await t.fundedUser(1000, { concurrencyCap: 5 });
    for (let i = 0; i < 12; i++) {
      const r = await t.ledger.reserveAndRecordJob({ job: newJob(`j${i}`, user.id), amount: 30 + i });
      if (!r.ok) continue;
      if (i % 3 === 0) await t.ledger.finalizeJob({ jobId: `j${i}`, patch: {} });
      if (i % 3 === 1) await t.ledger.compensateJob({ jobId: `j${i}`, patch: { state: 'timed_out' } });
    }
    assert.deepEqual(await t.ledger.checkInvariants(), []);
    for (let i = 0; i < 12; i++)
      await t.ledger.compensateJob({ jobId: `j${i}`, patch: { state: 'canceled' } });
  });

  void it('catch running totals that drifted from the entries', async () => {
    const user = await t.fundedUser(100);
    await t.db.query('update users set balance = balance + 1 where id = $1', [user.id]);
    const violations = await t.ledger.checkInvariants();
    assert.equal(violations.length, 1);
    assert.match(violations[0]!, /balance 101 \(entries say 100\)/);
    await t.db.query('update users set balance = balance - 1 where id = $1', [user.id]);
  });

  void it('catch a job record that disagrees with its credits', async () => {
    const user = await t.fundedUser(100);
    await t.ledger.reserveAndRecordJob({ job: newJob('j', user.id), amount: 40 });
    await t.db.query(`update jobs set state = 'succeeded', finished_at = now() where id = 'j'`);
    const violations = await t.ledger.checkInvariants();
    assert.equal(violations.length, 1);
    assert.match(violations[0]!, /job j is succeeded .* its credits are: hold 40/);
    await t.db.query(`update jobs set state = 'reserving', finished_at = null where id = 'j'`);
    await t.ledger.compensateJob({ jobId: 'j', patch: { state: 'failed' } });
  });

  void it('accept a partial capture for a job that asked for 1080p and did not get it', async () => {
    const user = await t.fundedUser(100);
    const request = { ...videoRequest(), hd: true };
    await t.ledger.reserveAndRecordJob({ job: newJob('j', user.id, { request }), amount: 45 });
    await t.ledger.finalizeJob({ jobId: 'j', patch: { hdState: 'not_supported' }, amount: 40 });
    assert.deepEqual(await t.ledger.checkInvariants(), []);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 60, held: 0, available: 60 });
  });

  void it('catch a capture above the hold, a partial release, and a partial capture nothing explains', async () => {
    const user = await t.fundedUser(100);
    for (const id of ['over', 'short', 'nohd'])
      await t.ledger.reserveAndRecordJob({ job: newJob(id, user.id), amount: 20 });
    const base = { userId: user.id, held: 20 };

    const over = await violationsOf((tx) =>
      settleByHand(tx, { ...base, jobId: 'over', kind: 'capture', amount: 21 }),
    );
    assert.equal(over.length, 1, over.join('\n'));
    assert.match(over[0]!, /capture of at most it: job over: .* amounts hold 20, capture 21/);

    const short = await violationsOf((tx) =>
      settleByHand(tx, { ...base, jobId: 'short', kind: 'release', amount: 15 }),
    );
    assert.equal(short.length, 1, short.join('\n'));
    assert.match(short[0]!, /job short: .* amounts hold 20, release 15/);

    // Less than the hold, but the job did not ask for 1080p: nothing to give back.
    const nohd = await violationsOf((tx) =>
      settleByHand(tx, { ...base, jobId: 'nohd', kind: 'capture', amount: 15 }),
    );
    assert.equal(nohd.length, 1, nohd.join('\n'));
    assert.match(nohd[0]!, /job records agree .* job nohd is succeeded \(price 20, hd false\/-.*capture 15/);

    assert.deepEqual(await t.ledger.checkInvariants(), []);
    for (const id of ['over', 'short', 'nohd'])
      await t.ledger.compensateJob({ jobId: id, patch: { state: 'canceled' } });
  });

  void it('accept a cancel charged after KIE had the task; catch one without a task, and a charged failure', async () => {
    const user = await t.fundedUser(200);
    await t.ledger.reserveAndRecordJob({ job: newJob('ok', user.id), amount: 45 });
    await t.ledger.compensateJob({
      jobId: 'ok',
      patch: { state: 'canceled', kieTaskId: 'veo_task_ok' },
      charge: 40,
    });
    assert.deepEqual(await t.ledger.checkInvariants(), []);

    for (const id of ['notask', 'failed'])
      await t.ledger.reserveAndRecordJob({ job: newJob(id, user.id), amount: 20 });
    const base = { userId: user.id, held: 20, kind: 'capture' as const, amount: 20 };
    const endAs = (tx: Db, id: string, state: string, task: string | null) =>
      tx.query(`update jobs set state = $2, kie_task_id = $3, finished_at = now() where id = $1`, [
        id,
        state,
        task,
      ]);

    const notask = await violationsOf(async (tx) => {
      await settleByHand(tx, { ...base, jobId: 'notask' });
      await endAs(tx, 'notask', 'canceled', null);
    });
    assert.equal(notask.length, 1, notask.join('\n'));
    assert.match(notask[0]!, /job notask is canceled .*capture 20/);

    const failed = await violationsOf(async (tx) => {
      await settleByHand(tx, { ...base, jobId: 'failed' });
      await endAs(tx, 'failed', 'failed', 'veo_task_f');
    });
    assert.equal(failed.length, 1, failed.join('\n'));
    assert.match(failed[0]!, /job failed is failed .*capture 20/);

    for (const id of ['notask', 'failed'])
      await t.ledger.compensateJob({ jobId: id, patch: { state: 'canceled' } });
  });

  void it('are backed by the database: entries cannot be changed, totals cannot go negative', async () => {
    const user = await t.fundedUser(100);
    await assert.rejects(t.db.query('update credit_entries set amount = 1'), /append-only: UPDATE refused/);
    await assert.rejects(t.db.query('delete from credit_entries'), /append-only: DELETE refused/);
    await assert.rejects(t.db.query('truncate credit_entries'), /append-only: TRUNCATE refused/);
    await assert.rejects(
      t.db.query('update users set held = 101 where id = $1', [user.id]),
      /check constraint/,
    );
    await assert.rejects(
      t.db.query(`insert into credit_entries (user_id, kind, amount, job_id) values ($1, 'hold', 0, 'z')`, [
        user.id,
      ]),
      /check constraint/,
    );
    await assert.rejects(
      t.db.query(`insert into credit_entries (user_id, kind, amount) values ($1, 'grant', 5)`, [user.id]),
      /credit_entries_grant_has_key/,
    );
    await t.ledger.reserve({ jobId: 'j', userId: user.id, amount: 10 });
    await t.ledger.capture('j');
    await assert.rejects(
      t.db.query(
        `insert into credit_entries (user_id, kind, amount, job_id) values ($1, 'release', 10, 'j')`,
        [user.id],
      ),
      /duplicate key/,
    );
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 90, held: 0, available: 90 });
  });
});
