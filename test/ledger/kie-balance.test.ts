/**
 * KIE's balance as the watcher stores it, and the spend breaker's opener — on PGlite and Postgres: a
 * failed read keeps the last good balance, a good one clears the error; the watcher closes only a
 * breaker it opened itself, never an operator's or one a KIE 402 opened.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDatabase } from './ledger-harness.js';

forEachDatabase("KIE's balance", (t) => {
  const later = (ms: number) => (t.now = new Date(t.now.getTime() + ms));

  void it('nothing read yet: all null', async () => {
    assert.deepEqual(await t.ledger.kieBalance(), {
      credits: null,
      checkedAt: null,
      lowWater: null,
      error: null,
      errorAt: null,
    });
  });

  void it('a failed read keeps the last good balance and says why; the next good read clears it', async () => {
    const firstAt = t.now;
    await t.ledger.recordKieBalance({ credits: 1234.5, lowWater: 100 });
    assert.deepEqual(await t.ledger.kieBalance(), {
      credits: 1234.5,
      checkedAt: firstAt,
      lowWater: 100,
      error: null,
      errorAt: null,
    });

    const failedAt = later(60_000);
    await t.ledger.recordKieBalanceError('KIE credit failed: code 500: Internal Error');
    assert.deepEqual(await t.ledger.kieBalance(), {
      credits: 1234.5,
      checkedAt: firstAt,
      lowWater: 100,
      error: 'KIE credit failed: code 500: Internal Error',
      errorAt: failedAt,
    });

    const secondAt = later(60_000);
    await t.ledger.recordKieBalance({ credits: 0, lowWater: null });
    assert.deepEqual(await t.ledger.kieBalance(), {
      credits: 0,
      checkedAt: secondAt,
      lowWater: null,
      error: null,
      errorAt: null,
    });
  });

  void it('the watcher closes a breaker it opened, and only that one', async () => {
    const user = await t.fundedUser(100);

    const first = await t.ledger.openBreakerIfClosed('KIE balance low', 'kie_balance');
    assert.deepEqual(first, {
      opened: true,
      breaker: { open: true, reason: 'KIE balance low', openedAt: t.now, openedBy: 'kie_balance' },
    });
    const again = await t.ledger.openBreakerIfClosed('KIE balance low', 'kie_balance');
    assert.deepEqual(again, { opened: false, breaker: first.breaker });
    const refused = await t.ledger.reserve({ jobId: 'a', userId: user.id, amount: 10 });
    assert.equal(!refused.ok && refused.reason, 'breaker_open');
    assert.match(!refused.ok ? refused.message : '', /KIE balance low/);

    const closed = await t.ledger.closeBreakerOpenedBy('kie_balance');
    assert.deepEqual(closed, {
      closed: true,
      breaker: { open: false, reason: null, openedAt: null, openedBy: null },
    });
    assert.equal((await t.ledger.closeBreakerOpenedBy('kie_balance')).closed, false, 'closed already');
    assert.equal((await t.ledger.reserve({ jobId: 'a', userId: user.id, amount: 10 })).ok, true);

    for (const opener of ['operator', 'kie_402'] as const) {
      const opened = await t.ledger.openBreaker(`opened by ${opener}`, opener);
      assert.equal(opened.openedBy, opener);
      // The watcher reading a low balance again neither replaces the reason nor takes it over.
      assert.deepEqual(await t.ledger.openBreakerIfClosed('KIE balance low', 'kie_balance'), {
        opened: false,
        breaker: opened,
      });
      assert.deepEqual(await t.ledger.closeBreakerOpenedBy('kie_balance'), {
        closed: false,
        breaker: opened,
      });
      assert.equal((await t.ledger.closeBreaker()).open, false, 'an operator closes any');
    }
    assert.deepEqual(await t.ledger.release('a'), { applied: true, outcome: 'released' });
  });

  void it('a breaker opened before its opener was recorded is closed by nobody but an operator', async () => {
    await t.db.query("update spend_breaker set open = true, reason = 'old', opened_at = now() where id = 1");
    assert.equal((await t.ledger.breaker()).openedBy, null);
    assert.equal((await t.ledger.closeBreakerOpenedBy('kie_balance')).closed, false);
    assert.equal((await t.ledger.breaker()).open, true);
    await t.ledger.closeBreaker();
  });
});
