/** checkInvariants notices what it promises to notice — on PGlite and Postgres. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDatabase, newJob } from './ledger-harness.js';

forEachDatabase('ledger invariants', (t) => {
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
