/**
 * Concurrent requests for one user. The one that matters runs on the Postgres server with a pool of
 * 20 connections, so transactions really overlap; PGlite (one connection) runs the same scenarios.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDatabase, newJob } from './ledger-harness.js';

const times = <T>(n: number, fn: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

forEachDatabase('concurrency', (t) => {
  void it('50 concurrent reserves with credits for 10: exactly 10 holds, available never negative', async () => {
    const user = await t.fundedUser(800);
    // Watch `available` from outside while the race runs.
    let racing = true;
    let lowest = Infinity;
    const watcher = (async () => {
      while (racing) {
        const [row] = await t.db.query<{ available: number }>(
          'select balance - held as available from users where id = $1',
          [user.id],
        );
        lowest = Math.min(lowest, row!.available);
      }
    })();
    const results = await times(50, (i) =>
      t.ledger.reserve({ jobId: `race-${i}`, userId: user.id, amount: 80 }),
    );
    racing = false;
    await watcher;

    assert.equal(results.filter((r) => r.ok).length, 10);
    assert.equal(results.filter((r) => !r.ok && r.reason === 'insufficient_credits').length, 40);
    assert.ok(lowest >= 0, `available went down to ${lowest}`);
    const [holds] = await t.db.query<{ n: number }>(
      `select count(*) as n from credit_entries where kind = 'hold' and user_id = $1`,
      [user.id],
    );
    assert.equal(holds?.n, 10);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 800, held: 800, available: 0 });
    for (const [i, r] of results.entries()) if (r.ok) await t.ledger.release(`race-${i}`);
  });

  void it('50 concurrent reserveAndRecordJob: 10 held, 40 recorded as rejected', async () => {
    const user = await t.fundedUser(800);
    const results = await times(50, (i) =>
      t.ledger.reserveAndRecordJob({ job: newJob(`race-${i}`, user.id), amount: 80 }),
    );
    assert.equal(results.filter((r) => r.ok).length, 10);
    assert.equal((await t.ledger.listJobs(user.id, { limit: 100, state: 'rejected' })).jobs.length, 40);
    assert.equal((await t.ledger.listJobs(user.id, { limit: 100, state: 'reserving' })).jobs.length, 10);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 800, held: 800, available: 0 });
    await times(50, (i) =>
      results[i]!.ok ? t.ledger.finalizeJob({ jobId: `race-${i}`, patch: {} }) : Promise.resolve(null),
    );
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 0, held: 0, available: 0 });
  });

  void it('caps hold under concurrency', async () => {
    const capped = await t.fundedUser(10_000, { concurrencyCap: 3 });
    const byCap = await times(20, (i) =>
      t.ledger.reserve({ jobId: `c-${i}`, userId: capped.id, amount: 10 }),
    );
    assert.equal(byCap.filter((r) => r.ok).length, 3);
    assert.equal(byCap.filter((r) => !r.ok && r.reason === 'concurrency_cap').length, 17);

    const daily = await t.fundedUser(10_000, { dailySpendCap: 100 });
    const byDay = await times(20, (i) => t.ledger.reserve({ jobId: `d-${i}`, userId: daily.id, amount: 30 }));
    assert.equal(byDay.filter((r) => r.ok).length, 3);
    assert.equal(byDay.filter((r) => !r.ok && r.reason === 'daily_cap').length, 17);
    await times(20, async (i) => {
      await t.ledger.capture(`c-${i}`);
      await t.ledger.capture(`d-${i}`);
    });
  });

  void it('concurrent replays of one job hold once', async () => {
    const user = await t.fundedUser(1000);
    const results = await times(20, () =>
      t.ledger.reserveAndRecordJob({ job: newJob('same', user.id), amount: 80 }),
    );
    assert.equal(results.filter((r) => r.ok && !r.replay).length, 1);
    assert.equal(results.filter((r) => r.ok && r.replay).length, 19);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 1000, held: 80, available: 920 });
    await t.ledger.finalizeJob({ jobId: 'same', patch: {} });
  });

  void it('concurrent captures and releases settle each job exactly once', async () => {
    const user = await t.fundedUser(1000);
    for (let i = 0; i < 10; i++)
      await t.ledger.reserveAndRecordJob({ job: newJob(`s-${i}`, user.id), amount: 10 });
    // Per job: the workflow's finalize and compensate racing, each replayed twice.
    const outcomes = await times(40, (k) => {
      const jobId = `s-${k % 10}`;
      return k % 2 === 0
        ? t.ledger.finalizeJob({ jobId, patch: {} }).then((s) => ({ jobId, ...s }))
        : t.ledger.compensateJob({ jobId, patch: { state: 'failed' } }).then((s) => ({ jobId, ...s }));
    });
    let captured = 0;
    for (let i = 0; i < 10; i++) {
      const mine = outcomes.filter((o) => o.jobId === `s-${i}`);
      assert.equal(mine.filter((o) => o.applied).length, 1, `job s-${i} settled once`);
      const winner = mine.find((o) => o.applied)!.outcome;
      assert.ok(
        mine.every((o) => o.outcome === winner),
        `every call reports the same outcome for s-${i}`,
      );
      assert.equal((await t.ledger.getJob(`s-${i}`))?.state, winner === 'captured' ? 'succeeded' : 'failed');
      if (winner === 'captured') captured++;
    }
    assert.deepEqual(await t.ledger.balance(user.id), {
      balance: 1000 - 10 * captured,
      held: 0,
      available: 1000 - 10 * captured,
    });
  });

  void it('concurrent grants with one idempotency key grant once', async () => {
    const user = await t.fundedUser(0);
    const results = await times(20, () =>
      t.ledger.grant({ userId: user.id, amount: 25, idempotencyKey: 'once' }),
    );
    assert.equal(results.filter((r) => r.applied).length, 1);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 25, held: 0, available: 25 });
  });
});
