/** Job records and the transactions that tie them to credits — on PGlite and Postgres. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Db } from '../../src/db/index.js';
import {
  createLedger,
  IdempotencyKeyConflictError,
  JobConflictError,
  MissingHoldError,
} from '../../src/ledger/index.js';
import { InvalidCursor, type JobError } from '../../src/domain/index.js';
import { forEachDatabase, newJob, T0, videoRequest } from './ledger-harness.js';

const kieFailure: JobError = { source: 'kie', code: '501', message: 'generation failed' };

forEachDatabase('job records', (t) => {
  void it('reserveAndRecordJob records the job and its hold together; replays hold once', async () => {
    const user = await t.fundedUser(100);
    assert.deepEqual(await t.ledger.reserveAndRecordJob({ job: newJob('j1', user.id), amount: 80 }), {
      ok: true,
      replay: false,
    });
    assert.deepEqual(await t.ledger.reserveAndRecordJob({ job: newJob('j1', user.id), amount: 80 }), {
      ok: true,
      replay: true,
    });
    const job = await t.ledger.getJob('j1');
    assert.equal(job?.state, 'reserving');
    assert.equal(job?.price, 80);
    assert.equal(job?.userId, user.id);
    assert.deepEqual(job?.files, []);
    assert.deepEqual(job?.createdAt, T0);
    assert.equal(job?.finishedAt, null);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 100, held: 80, available: 20 });
    await t.ledger.compensateJob({ jobId: 'j1', patch: { state: 'canceled' } });
  });

  void it('the record a create answers is the record stored, in the one statement and in the transaction', async () => {
    // Both inserts answer the new job from their RETURNING, `charged` not looked up (a new job has none).
    const user = await t.fundedUser(100);
    const held = await t.ledger.reserveAndRecordJobWithRecord({ job: newJob('fresh', user.id), amount: 80 });
    assert.equal(held.reservation.ok, true);
    assert.equal(held.job.charged, null);
    assert.deepEqual(held.job, await t.ledger.getJob('fresh'));
    // A daily cap needs the day's sum: the job is held through the transaction (insertJobIn).
    const capped = await t.fundedUser(100, { dailySpendCap: 90 });
    const viaTx = await t.ledger.reserveAndRecordJobWithRecord({
      job: newJob('capped', capped.id),
      amount: 80,
    });
    assert.equal(viaTx.reservation.ok, true);
    assert.equal(viaTx.job.charged, null);
    assert.deepEqual(viaTx.job, await t.ledger.getJob('capped'));
    for (const jobId of ['fresh', 'capped'])
      await t.ledger.compensateJob({ jobId, patch: { state: 'canceled' } });
  });

  void it('a new job nothing refuses is held in one statement; every refusal still goes through the transaction', async () => {
    // The same database, counted: the short way must take no transaction, and must never hold what
    // refusalFor refuses (each case below would be held if holdAllowedSql missed its check).
    const calls = { statements: 0, transactions: 0 };
    const counted: Db = {
      kind: t.db.kind,
      query: (sql, params) => (calls.statements++, t.db.query(sql, params)),
      exec: (sql) => t.db.exec(sql),
      transaction: (fn) => (calls.transactions++, t.db.transaction(fn)),
      close: () => t.db.close(),
    };
    const ledger = await createLedger(counted, { migrate: false, clock: () => t.now });
    const reserve = async (id: string, userId: string, amount: number) => {
      calls.statements = calls.transactions = 0;
      const r = await ledger.reserveAndRecordJob({ job: newJob(id, userId), amount });
      return { result: r.ok ? 'held' : r.reason, ...calls };
    };
    const capped = await t.fundedUser(100, { concurrencyCap: 1 });
    assert.deepEqual(await reserve('a1', capped.id, 30), { result: 'held', statements: 1, transactions: 0 });
    assert.deepEqual(await reserve('a2', capped.id, 30), {
      result: 'concurrency_cap',
      statements: 1,
      transactions: 1,
    });
    assert.equal((await reserve('a3', (await t.fundedUser(20)).id, 30)).result, 'insufficient_credits');
    const daily = await t.fundedUser(100, { dailySpendCap: 50 });
    assert.deepEqual(await reserve('d1', daily.id, 30), { result: 'held', statements: 1, transactions: 1 });
    assert.equal((await reserve('d2', daily.id, 30)).result, 'daily_cap');
    await t.ledger.openBreaker('audit');
    assert.equal((await reserve('b1', (await t.fundedUser(100)).id, 30)).result, 'breaker_open');
    await t.ledger.closeBreaker();
    // A replay is answered by the transaction too, and holds nothing more.
    assert.deepEqual(await reserve('a1', capped.id, 30), { result: 'held', statements: 1, transactions: 1 });
    assert.deepEqual(await t.ledger.balance(capped.id), { balance: 100, held: 30, available: 70 });
    await assert.rejects(
      ledger.reserveAndRecordJob({ job: newJob('u1', 'usr_nobody'), amount: 30 }),
      /usr_nobody/,
    );
    for (const id of ['a1', 'd1']) await t.ledger.compensateJob({ jobId: id, patch: { state: 'canceled' } });
  });

  void it('a refusal is recorded as a rejected job holding nothing, and replays the same refusal', async () => {
    const user = await t.fundedUser(50);
    const r = await t.ledger.reserveAndRecordJob({ job: newJob('j1', user.id), amount: 80 });
    assert.equal(!r.ok && r.reason, 'insufficient_credits');
    const job = await t.ledger.getJob('j1');
    assert.equal(job?.state, 'rejected');
    assert.equal(job?.error?.code, 'insufficient_credits');
    assert.ok(job?.finishedAt);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 50, held: 0, available: 50 });
    // Same job, same answer — even after a top-up — through either entry point.
    await t.ledger.grant({ userId: user.id, amount: 100, idempotencyKey: 'topup' });
    assert.deepEqual(await t.ledger.reserveAndRecordJob({ job: newJob('j1', user.id), amount: 80 }), r);
    assert.deepEqual(await t.ledger.reserve({ jobId: 'j1', userId: user.id, amount: 80 }), r);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 150, held: 0, available: 150 });
  });

  void it('finalizeJob captures and writes the final record once; a later compensation changes nothing', async () => {
    const user = await t.fundedUser(200);
    await t.ledger.reserveAndRecordJob({ job: newJob('ok', user.id), amount: 80 });
    await t.ledger.updateJob('ok', { state: 'generating', kieTaskId: 'task-1' });
    t.now = new Date(T0.getTime() + 60_000);
    const files = [
      {
        variant: 'original' as const,
        key: 'ok/original.mp4',
        size: 1234,
        sha256: 'ab'.repeat(32),
        contentType: 'video/mp4',
      },
    ];
    const done = await t.ledger.finalizeJob({
      jobId: 'ok',
      patch: { state: 'succeeded', files, detectionChannel: 'callback', hdState: 'not_requested' },
    });
    assert.deepEqual(done, { applied: true, outcome: 'captured' });
    // Replays and the losing compensation leave the record and the credits as they are.
    t.now = new Date(T0.getTime() + 120_000);
    assert.deepEqual(await t.ledger.finalizeJob({ jobId: 'ok', patch: { files: [] } }), {
      applied: false,
      outcome: 'captured',
    });
    assert.deepEqual(
      await t.ledger.compensateJob({ jobId: 'ok', patch: { state: 'failed', error: kieFailure } }),
      {
        applied: false,
        outcome: 'captured',
      },
    );
    const job = await t.ledger.getJob('ok');
    assert.equal(job?.state, 'succeeded');
    assert.equal(job?.kieTaskId, 'task-1');
    assert.equal(job?.detectionChannel, 'callback');
    assert.deepEqual(job?.files, files);
    assert.equal(job?.error, null);
    assert.deepEqual(job?.finishedAt, new Date(T0.getTime() + 60_000));
    assert.equal(job?.charged, 80);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 120, held: 0, available: 120 });
  });

  void it('finalizeJob without the 1080p asked for captures less: the rest goes back with the capture', async () => {
    const user = await t.fundedUser(200);
    const request = { ...videoRequest(), hd: true };
    await t.ledger.reserveAndRecordJob({ job: newJob('hd', user.id, { request }), amount: 85 });
    assert.equal((await t.ledger.getJob('hd'))?.charged, null);
    const patch = { state: 'succeeded' as const, hdState: 'unavailable' };
    assert.deepEqual(await t.ledger.finalizeJob({ jobId: 'hd', patch, amount: 80 }), {
      applied: true,
      outcome: 'captured',
    });
    // A replayed finalize (the activity retried after a lost reply) moves nothing.
    assert.deepEqual(await t.ledger.finalizeJob({ jobId: 'hd', patch, amount: 80 }), {
      applied: false,
      outcome: 'captured',
    });
    assert.deepEqual(await t.ledger.compensateJob({ jobId: 'hd', patch: { state: 'failed' } }), {
      applied: false,
      outcome: 'captured',
    });
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 120, held: 0, available: 120 });
    const job = await t.ledger.getJob('hd');
    assert.equal(job?.state, 'succeeded');
    assert.equal(job?.price, 85, 'price stays what was held');
    assert.equal(job?.charged, 80);
    assert.equal((await t.ledger.listJobs(user.id, { limit: 5 })).jobs[0]?.charged, 80);
    // More than the hold is refused, and nothing is written.
    await t.ledger.reserveAndRecordJob({ job: newJob('over', user.id, { request }), amount: 85 });
    await assert.rejects(
      t.ledger.finalizeJob({ jobId: 'over', patch, amount: 86 }),
      /cannot capture 86 credits, more than the 85 held/,
    );
    const over = await t.ledger.getJob('over');
    assert.equal(over?.state, 'reserving');
    assert.equal(over?.charged, null);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 120, held: 85, available: 35 });
    await t.ledger.compensateJob({ jobId: 'over', patch: { state: 'failed' } });
  });

  void it('compensateJob releases and writes the final record once; a later finalize changes nothing', async () => {
    const user = await t.fundedUser(200);
    await t.ledger.reserveAndRecordJob({ job: newJob('ko', user.id), amount: 80 });
    assert.deepEqual(
      await t.ledger.compensateJob({ jobId: 'ko', patch: { state: 'failed', error: kieFailure } }),
      {
        applied: true,
        outcome: 'released',
      },
    );
    assert.deepEqual(await t.ledger.compensateJob({ jobId: 'ko', patch: { state: 'timed_out' } }), {
      applied: false,
      outcome: 'released',
    });
    assert.deepEqual(await t.ledger.finalizeJob({ jobId: 'ko', patch: {} }), {
      applied: false,
      outcome: 'released',
    });
    const job = await t.ledger.getJob('ko');
    assert.equal(job?.state, 'failed');
    assert.equal(job?.charged, null, 'released: nothing charged');
    assert.deepEqual(job?.error, kieFailure);
    assert.ok(job?.finishedAt);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 200, held: 0, available: 200 });
  });

  void it('a finished record is final: late progress writes and late holds are refused', async () => {
    const user = await t.fundedUser(200);
    await t.ledger.reserveAndRecordJob({ job: newJob('j', user.id), amount: 80 });
    await t.ledger.compensateJob({ jobId: 'j', patch: { state: 'canceled' } });
    assert.equal(await t.ledger.updateJob('j', { state: 'archiving' }), false);
    assert.equal((await t.ledger.getJob('j'))?.state, 'canceled');
    await assert.rejects(t.ledger.updateJob('j', { state: 'succeeded' }), RangeError);
    await assert.rejects(t.ledger.finalizeJob({ jobId: 'j', patch: { state: 'failed' } }), RangeError);
    await assert.rejects(t.ledger.compensateJob({ jobId: 'j', patch: { state: 'succeeded' } }), RangeError);
    // Compensated before any hold (the hold's attempt arrives late): it must not start holding.
    await t.ledger.insertJob({ ...newJob('late', user.id), price: 80 });
    assert.deepEqual(await t.ledger.compensateJob({ jobId: 'late', patch: { state: 'canceled' } }), {
      applied: false,
      outcome: 'none',
    });
    assert.equal((await t.ledger.getJob('late'))?.state, 'canceled');
    await assert.rejects(
      t.ledger.reserveAndRecordJob({ job: newJob('late', user.id), amount: 80 }),
      JobConflictError,
    );
    await assert.rejects(t.ledger.finalizeJob({ jobId: 'late', patch: {} }), MissingHoldError);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 200, held: 0, available: 200 });
  });

  void it('insertJob is idempotent by id; a job id belongs to one user', async () => {
    const user = await t.fundedUser(100);
    const other = await t.fundedUser(100);
    const first = await t.ledger.insertJob({ ...newJob('j', user.id), price: 10 });
    assert.equal(first.inserted, true);
    t.now = new Date(T0.getTime() + 1000);
    const again = await t.ledger.insertJob({ ...newJob('j', user.id), price: 10 });
    assert.deepEqual(again, { inserted: false, job: first.job });
    await assert.rejects(t.ledger.insertJob({ ...newJob('j', other.id), price: 10 }), JobConflictError);
    await assert.rejects(
      t.ledger.reserveAndRecordJob({ job: newJob('j', other.id), amount: 10 }),
      JobConflictError,
    );
    assert.equal(await t.ledger.getJobForUser('j', other.id), null);
    assert.equal((await t.ledger.getJobForUser('j', user.id))?.id, 'j');
    assert.equal(await t.ledger.updateJob('j', { state: 'submitting', progress: null }), true);
    assert.equal(await t.ledger.updateJob('missing', { state: 'submitting' }), false);
    await t.ledger.compensateJob({ jobId: 'j', patch: { state: 'failed' } });
  });

  void it('an idempotency key names one job per user', async () => {
    const user = await t.fundedUser(1000);
    const other = await t.fundedUser(1000);
    await t.ledger.reserveAndRecordJob({
      job: newJob('a', user.id, { idempotencyKey: 'k1', requestHash: 'h1' }),
      amount: 10,
    });
    const found = await t.ledger.findJobByIdempotencyKey(user.id, 'k1');
    assert.equal(found?.id, 'a');
    assert.equal(found?.requestHash, 'h1');
    assert.equal(await t.ledger.findJobByIdempotencyKey(other.id, 'k1'), null);
    await assert.rejects(
      t.ledger.reserveAndRecordJob({ job: newJob('b', user.id, { idempotencyKey: 'k1' }), amount: 10 }),
      IdempotencyKeyConflictError,
    );
    assert.equal(await t.ledger.getJob('b'), null, 'the refused job left no record');
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 1000, held: 10, available: 990 });
    // Another user may use the same key.
    await t.ledger.reserveAndRecordJob({ job: newJob('c', other.id, { idempotencyKey: 'k1' }), amount: 10 });
    await t.ledger.finalizeJob({ jobId: 'a', patch: {} });
    await t.ledger.finalizeJob({ jobId: 'c', patch: {} });
  });

  void it('lists a user’s jobs newest first, filtered by state, in cursor pages', async () => {
    const user = await t.fundedUser(10_000);
    const other = await t.fundedUser(10_000);
    // j0..j6, one minute apart; j5 and j6 share a timestamp, so the id breaks the tie.
    for (let i = 0; i < 7; i++) {
      t.now = new Date(T0.getTime() + Math.min(i, 5) * 60_000);
      await t.ledger.reserveAndRecordJob({ job: newJob(`j${i}`, user.id), amount: 10 });
    }
    await t.ledger.reserveAndRecordJob({ job: newJob('other', other.id), amount: 10 });
    await t.ledger.compensateJob({ jobId: 'j1', patch: { state: 'failed' } });
    await t.ledger.compensateJob({ jobId: 'j4', patch: { state: 'failed' } });

    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await t.ledger.listJobs(user.id, { limit: 3, cursor });
      ids.push(...page.jobs.map((j) => j.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    assert.deepEqual(ids, ['j6', 'j5', 'j4', 'j3', 'j2', 'j1', 'j0']);
    assert.equal(pages, 3);

    const failed = await t.ledger.listJobs(user.id, { limit: 1, state: 'failed' });
    assert.deepEqual(
      failed.jobs.map((j) => j.id),
      ['j4'],
    );
    const failed2 = await t.ledger.listJobs(user.id, {
      limit: 1,
      state: 'failed',
      cursor: failed.nextCursor!,
    });
    assert.deepEqual(
      failed2.jobs.map((j) => j.id),
      ['j1'],
    );
    assert.equal(failed2.nextCursor, null);
    assert.deepEqual((await t.ledger.listJobs(user.id, { limit: 10, state: 'succeeded' })).jobs, []);
    assert.deepEqual(
      (await t.ledger.listJobs(other.id, { limit: 10 })).jobs.map((j) => j.id),
      ['other'],
    );

    await assert.rejects(t.ledger.listJobs(user.id, { limit: 3, cursor: 'not-a-cursor' }), InvalidCursor);
    await assert.rejects(
      t.ledger.listJobs(user.id, { limit: 3, cursor: Buffer.from('[1]').toString('base64url') }),
      InvalidCursor,
    );

    for (const id of ['j0', 'j2', 'j3', 'j5', 'j6', 'other'])
      await t.ledger.compensateJob({ jobId: id, patch: { state: 'canceled' } });
  });

  void it('cursor paging is exact at the database’s microsecond precision', async () => {
    const user = await t.fundedUser(0);
    // Rows written by SQL defaults (now(), microseconds) rather than the ledger's clock (milliseconds).
    for (let i = 0; i < 5; i++) {
      await t.db.query(
        `insert into jobs (id, user_id, state, model, request, price, created_at, updated_at, finished_at)
         values ($1, $2, 'failed', 'veo3_fast', '{}', 0, timestamptz '2026-11-24 10:00:00.123456+00' + $3 * interval '1 microsecond', now(), now())`,
        [`us${i}`, user.id, i % 2],
      );
    }
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.ledger.listJobs(user.id, { limit: 2, cursor });
      ids.push(...page.jobs.map((j) => j.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.deepEqual(ids, ['us3', 'us1', 'us4', 'us2', 'us0']);
  });
});

forEachDatabase('job records: the cancel policy', (t) => {
  const canceled = { state: 'canceled' as const, kieTaskId: 'veo_task_1' };

  void it('a cancel after KIE has the task captures the charge once, releases the rest, and is final', async () => {
    const user = await t.fundedUser(200);
    await t.ledger.reserveAndRecordJob({ job: newJob('c1', user.id), amount: 85 });
    assert.deepEqual(await t.ledger.compensateJob({ jobId: 'c1', patch: canceled, charge: 80 }), {
      applied: true,
      outcome: 'captured',
    });
    // A replay (the activity retried) and a late release (the reconciler) move nothing.
    assert.deepEqual(await t.ledger.compensateJob({ jobId: 'c1', patch: canceled, charge: 80 }), {
      applied: false,
      outcome: 'captured',
    });
    assert.deepEqual(await t.ledger.compensateJob({ jobId: 'c1', patch: { state: 'failed' } }), {
      applied: false,
      outcome: 'captured',
    });
    const job = await t.ledger.getJob('c1');
    assert.equal(job?.state, 'canceled');
    assert.equal(job?.charged, 80);
    assert.ok(job?.finishedAt);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 120, held: 0, available: 120 });
    assert.deepEqual(await t.ledger.checkInvariants(), []);
  });

  void it('a charge is refused, with nothing moved, unless the job is canceled with a KIE task', async () => {
    const user = await t.fundedUser(200);
    await t.ledger.reserveAndRecordJob({ job: newJob('c2', user.id), amount: 80 });
    await assert.rejects(
      t.ledger.compensateJob({
        jobId: 'c2',
        patch: { state: 'failed', kieTaskId: 'veo_task_2' },
        charge: 80,
      }),
      /only a job canceled after KIE accepted its task is charged, not a failed one/,
    );
    await assert.rejects(
      t.ledger.compensateJob({ jobId: 'c2', patch: { state: 'canceled' }, charge: 80 }),
      /without a KIE task/,
    );
    await assert.rejects(
      t.ledger.compensateJob({ jobId: 'c2', patch: canceled, charge: 81 }),
      /cannot capture 81 credits, more than the 80 held/,
    );
    assert.equal((await t.ledger.getJob('c2'))?.state, 'reserving');
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 200, held: 80, available: 120 });
    await t.ledger.compensateJob({ jobId: 'c2', patch: canceled });
    assert.equal((await t.ledger.getJob('c2'))?.charged, null);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 200, held: 0, available: 200 });
  });
});
