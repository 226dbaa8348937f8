/** Grants, holds, captures, releases and the balance they add up to — on PGlite and Postgres. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { JobConflictError, UnknownUserError } from '../../src/ledger/index.js';
import { forEachDatabase } from './ledger-harness.js';

forEachDatabase('credits', (t) => {
  void it('grants are idempotent by key', async () => {
    const user = await t.fundedUser(100);
    assert.deepEqual(await t.ledger.grant({ userId: user.id, amount: 100, idempotencyKey: 'initial' }), {
      applied: false,
    });
    assert.deepEqual(
      await t.ledger.grant({ userId: user.id, amount: 50, idempotencyKey: 'second', note: 'promo' }),
      { applied: true },
    );
    assert.deepEqual(await t.ledger.grant({ userId: user.id, amount: 50, idempotencyKey: 'second' }), {
      applied: false,
    });
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 150, held: 0, available: 150 });
    const entries = await t.ledger.entries(user.id, 10);
    assert.deepEqual(
      entries.map((e) => [e.kind, e.amount, e.idempotencyKey, e.note]),
      [
        ['grant', 50, 'second', 'promo'],
        ['grant', 100, 'initial', null],
      ],
    );
    // The same key for another user is another grant.
    const other = await t.fundedUser(100);
    assert.deepEqual(await t.ledger.balance(other.id), { balance: 100, held: 0, available: 100 });
  });

  void it('refuses bad amounts and unknown users without writing anything', async () => {
    const user = await t.fundedUser(100);
    for (const amount of [0, -5, 1.5, Number.NaN]) {
      await assert.rejects(
        t.ledger.grant({ userId: user.id, amount, idempotencyKey: `bad-${amount}` }),
        RangeError,
      );
      await assert.rejects(t.ledger.reserve({ jobId: `bad-${amount}`, userId: user.id, amount }), RangeError);
    }
    await assert.rejects(
      t.ledger.grant({ userId: 'usr_nobody', amount: 5, idempotencyKey: 'k' }),
      UnknownUserError,
    );
    await assert.rejects(t.ledger.reserve({ jobId: 'j', userId: 'usr_nobody', amount: 5 }), UnknownUserError);
    await assert.rejects(t.ledger.balance('usr_nobody'), UnknownUserError);
    assert.equal((await t.ledger.entries(user.id, 10)).length, 1);
  });

  void it('reserve holds credits; a replay returns the first answer without a second hold', async () => {
    const user = await t.fundedUser(100);
    assert.deepEqual(await t.ledger.reserve({ jobId: 'j1', userId: user.id, amount: 80 }), {
      ok: true,
      replay: false,
    });
    assert.deepEqual(await t.ledger.reserve({ jobId: 'j1', userId: user.id, amount: 80 }), {
      ok: true,
      replay: true,
    });
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 100, held: 80, available: 20 });
    assert.equal((await t.ledger.entries(user.id, 10)).filter((e) => e.kind === 'hold').length, 1);
    // Once the hold is settled, reserving the job id again is refused: reporting it as held (a
    // replay) would let a job run on credits nobody holds, and a new hold would pay twice.
    await t.ledger.release('j1');
    await assert.rejects(t.ledger.reserve({ jobId: 'j1', userId: user.id, amount: 80 }), JobConflictError);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 100, held: 0, available: 100 });
    // The same job id with other facts is a bug, not a replay.
    await assert.rejects(t.ledger.reserve({ jobId: 'j1', userId: user.id, amount: 10 }), JobConflictError);
  });

  void it('refuses a hold larger than what is available', async () => {
    const user = await t.fundedUser(100);
    assert.equal((await t.ledger.reserve({ jobId: 'a', userId: user.id, amount: 60 })).ok, true);
    const b = await t.ledger.reserve({ jobId: 'b', userId: user.id, amount: 60 });
    assert.equal(b.ok, false);
    assert.equal(!b.ok && b.reason, 'insufficient_credits');
    assert.match(!b.ok ? b.message : '', /costs 60 credits; 40 available/);
    // Exactly what is available is fine.
    assert.equal((await t.ledger.reserve({ jobId: 'c', userId: user.id, amount: 40 })).ok, true);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 100, held: 100, available: 0 });
    const none = await t.fundedUser(0);
    const n = await t.ledger.reserve({ jobId: 'd', userId: none.id, amount: 1 });
    assert.equal(!n.ok && n.reason, 'insufficient_credits');
  });

  void it('the concurrency cap counts open holds only', async () => {
    const user = await t.fundedUser(1000, { concurrencyCap: 2 });
    assert.equal((await t.ledger.reserve({ jobId: 'a', userId: user.id, amount: 10 })).ok, true);
    assert.equal((await t.ledger.reserve({ jobId: 'b', userId: user.id, amount: 10 })).ok, true);
    const c = await t.ledger.reserve({ jobId: 'c', userId: user.id, amount: 10 });
    assert.equal(!c.ok && c.reason, 'concurrency_cap');
    await t.ledger.capture('a');
    assert.equal((await t.ledger.reserve({ jobId: 'c', userId: user.id, amount: 10 })).ok, true);
    const d = await t.ledger.reserve({ jobId: 'd', userId: user.id, amount: 10 });
    assert.equal(!d.ok && d.reason, 'concurrency_cap');
    await t.ledger.release('b');
    assert.equal((await t.ledger.reserve({ jobId: 'd', userId: user.id, amount: 10 })).ok, true);
    // A cap of 0 refuses everything.
    const frozen = await t.fundedUser(100, { concurrencyCap: 0 });
    const f = await t.ledger.reserve({ jobId: 'f', userId: frozen.id, amount: 1 });
    assert.equal(!f.ok && f.reason, 'concurrency_cap');
  });

  void it('the daily cap counts today’s (UTC) captured and open holds, not released ones', async () => {
    const user = await t.fundedUser(1000, { dailySpendCap: 100 });
    t.now = new Date('2026-11-24T23:00:00Z');
    assert.equal((await t.ledger.reserve({ jobId: 'a', userId: user.id, amount: 60 })).ok, true);
    const b = await t.ledger.reserve({ jobId: 'b', userId: user.id, amount: 60 });
    assert.equal(!b.ok && b.reason, 'daily_cap');
    await t.ledger.release('a'); // released: not spent
    assert.equal((await t.ledger.reserve({ jobId: 'b', userId: user.id, amount: 60 })).ok, true);
    await t.ledger.capture('b'); // captured: spent
    assert.equal((await t.ledger.reserve({ jobId: 'c', userId: user.id, amount: 40 })).ok, true); // exactly the cap
    const d = await t.ledger.reserve({ jobId: 'd', userId: user.id, amount: 1 });
    assert.equal(!d.ok && d.reason, 'daily_cap');
    // Past UTC midnight a new day starts, whatever is still open from yesterday.
    t.now = new Date('2026-11-25T00:00:01Z');
    assert.equal((await t.ledger.reserve({ jobId: 'd', userId: user.id, amount: 100 })).ok, true);
    const e = await t.ledger.reserve({ jobId: 'e', userId: user.id, amount: 1 });
    assert.equal(!e.ok && e.reason, 'daily_cap');
  });

  void it('the spend breaker refuses every new hold until closed; open holds still settle', async () => {
    const user = await t.fundedUser(1000);
    await t.ledger.reserve({ jobId: 'before', userId: user.id, amount: 10 });
    const opened = await t.ledger.openBreaker('KIE answered 402', 'kie_402');
    assert.deepEqual(opened, {
      open: true,
      reason: 'KIE answered 402',
      openedAt: t.now,
      openedBy: 'kie_402',
    });
    // Opening again keeps the first reason, time and opener.
    t.now = new Date(t.now.getTime() + 60_000);
    assert.deepEqual(await t.ledger.openBreaker('again'), opened);
    assert.deepEqual(await t.ledger.openBreaker('again', 'kie_balance'), opened);
    const r = await t.ledger.reserve({ jobId: 'a', userId: user.id, amount: 10 });
    assert.equal(!r.ok && r.reason, 'breaker_open');
    assert.match(!r.ok ? r.message : '', /KIE answered 402/);
    assert.deepEqual(await t.ledger.capture('before'), { applied: true, outcome: 'captured' });
    const closed = { open: false, reason: null, openedAt: null, openedBy: null };
    assert.deepEqual(await t.ledger.closeBreaker(), closed);
    assert.deepEqual(await t.ledger.breaker(), closed);
    assert.equal((await t.ledger.reserve({ jobId: 'a', userId: user.id, amount: 10 })).ok, true);
  });

  void it('capture and release: exactly one per job, whatever is replayed, in either order', async () => {
    const user = await t.fundedUser(200);
    await t.ledger.reserve({ jobId: 'a', userId: user.id, amount: 80 });
    await t.ledger.reserve({ jobId: 'b', userId: user.id, amount: 80 });
    assert.deepEqual(await t.ledger.capture('a'), { applied: true, outcome: 'captured' });
    assert.deepEqual(await t.ledger.capture('a'), { applied: false, outcome: 'captured' });
    assert.deepEqual(await t.ledger.release('a'), { applied: false, outcome: 'captured' });
    assert.deepEqual(await t.ledger.release('b'), { applied: true, outcome: 'released' });
    assert.deepEqual(await t.ledger.release('b'), { applied: false, outcome: 'released' });
    assert.deepEqual(await t.ledger.capture('b'), { applied: false, outcome: 'released' });
    assert.deepEqual(await t.ledger.capture('never-reserved'), { applied: false, outcome: 'none' });
    assert.deepEqual(await t.ledger.release('never-reserved'), { applied: false, outcome: 'none' });
    const kinds = (await t.ledger.entries(user.id, 10)).map((e) => `${e.kind}:${e.jobId ?? ''}`);
    assert.deepEqual(kinds, ['release:b', 'capture:a', 'hold:b', 'hold:a', 'grant:']);
  });

  void it('a capture of less than the hold charges that much and frees the rest at once; replays move nothing', async () => {
    const user = await t.fundedUser(200);
    await t.ledger.reserve({ jobId: 'j', userId: user.id, amount: 85 });
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 200, held: 85, available: 115 });
    assert.deepEqual(await t.ledger.capture('j', 80), { applied: true, outcome: 'captured' });
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 120, held: 0, available: 120 });
    assert.deepEqual(await t.ledger.capture('j', 80), { applied: false, outcome: 'captured' });
    assert.deepEqual(await t.ledger.release('j'), { applied: false, outcome: 'captured' });
    // Another amount for a settled job is a contradiction, not a replay (also "the whole hold").
    await assert.rejects(t.ledger.capture('j', 85), JobConflictError);
    await assert.rejects(t.ledger.capture('j'), /captured 80 credits already, not 85/);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 120, held: 0, available: 120 });
    assert.deepEqual(
      (await t.ledger.entries(user.id, 10)).map((e) => `${e.kind} ${e.amount}`),
      ['capture 80', 'hold 85', 'grant 200'],
    );
  });

  void it('refuses to capture nothing, or more than the hold, without writing anything', async () => {
    const user = await t.fundedUser(100);
    await t.ledger.reserve({ jobId: 'j', userId: user.id, amount: 80 });
    await assert.rejects(t.ledger.capture('j', 81), /cannot capture 81 credits, more than the 80 held/);
    for (const amount of [0, -1, 1.5]) await assert.rejects(t.ledger.capture('j', amount), RangeError);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 100, held: 80, available: 20 });
    assert.equal((await t.ledger.entries(user.id, 10)).length, 2);
    // The whole hold, named or not, is fine.
    assert.deepEqual(await t.ledger.capture('j', 80), { applied: true, outcome: 'captured' });
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 20, held: 0, available: 20 });
  });

  void it('the daily cap counts what a partial capture charged, not what it gave back', async () => {
    const user = await t.fundedUser(1000, { dailySpendCap: 100 });
    await t.ledger.reserve({ jobId: 'a', userId: user.id, amount: 85 });
    const b = await t.ledger.reserve({ jobId: 'b', userId: user.id, amount: 20 });
    assert.equal(!b.ok && b.reason, 'daily_cap');
    await t.ledger.capture('a', 80);
    assert.equal((await t.ledger.reserve({ jobId: 'b', userId: user.id, amount: 20 })).ok, true); // 80 + 20
    const c = await t.ledger.reserve({ jobId: 'c', userId: user.id, amount: 1 });
    assert.equal(!c.ok && c.reason, 'daily_cap');
    assert.match(!c.ok ? c.message : '', /100 already used/);
  });

  void it('balance = grants − captures, held = open holds, available = balance − held', async () => {
    const user = await t.fundedUser(500);
    await t.ledger.grant({ userId: user.id, amount: 250, idempotencyKey: 'topup' });
    for (const [job, amount] of [
      ['a', 100],
      ['b', 70],
      ['c', 30],
      ['d', 5],
    ] as const) {
      await t.ledger.reserve({ jobId: job, userId: user.id, amount });
    }
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 750, held: 205, available: 545 });
    await t.ledger.capture('a');
    await t.ledger.release('b');
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 650, held: 35, available: 615 });
    await t.ledger.capture('c');
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 620, held: 5, available: 615 });
    await t.ledger.release('d');
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 620, held: 0, available: 620 });
    // Every number is a JS number, on both drivers.
    for (const e of await t.ledger.entries(user.id, 100)) {
      assert.equal(typeof e.id, 'number');
      assert.equal(typeof e.amount, 'number');
      assert.ok(e.createdAt instanceof Date);
    }
  });
});
