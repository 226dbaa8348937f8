/**
 * The on-demand 1080p's credits (src/ledger/hd-on-demand.ts), on PGlite and Postgres: held once
 * however many concurrent asks, captured with its file or released with a note, never both; only for
 * a succeeded 16:9 job that did not ask for its 1080p; invariants hold throughout (checked after
 * each test by the harness) and notice a capture without its file.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Db } from '../../src/db/index.js';
import { checkInvariants } from '../../src/ledger/invariants.js';
import type { ArchivedFile, JobProgress, VideoRequest } from '../../src/domain/index.js';
import { forEachDatabase, newJob, videoRequest, type LedgerContext } from './ledger-harness.js';

const HD_FILE: ArchivedFile = {
  variant: '1080p',
  key: 'videos/j1/1080p.mp4',
  size: 2048,
  sha256: 'b'.repeat(64),
  contentType: 'video/mp4',
};
const ORIGINAL: ArchivedFile = {
  ...HD_FILE,
  variant: 'original',
  key: 'videos/j1/original.mp4',
  sha256: 'a'.repeat(64),
};

/** A job that succeeded (80 credits captured) with its original, as generateVideo leaves it. */
async function succeededJob(
  t: LedgerContext,
  userId: string,
  id = 'j1',
  request: Partial<VideoRequest> = {},
) {
  const r = await t.ledger.reserveAndRecordJob({
    job: newJob(id, userId, { request: { ...videoRequest(), ...request } }),
    amount: 80,
  });
  assert.equal(r.ok, true);
  const progress = {
    jobId: id,
    state: 'succeeded',
    kieTaskId: `task-${id}`,
    hd: request.hd ? 'ready' : 'not_requested',
    hdNote: null,
    files: [ORIGINAL],
  } as unknown as JobProgress;
  await t.ledger.finalizeJob({
    jobId: id,
    patch: { state: 'succeeded', hdState: progress.hd, files: [ORIGINAL], progress },
  });
}

const hdEntries = async (db: Db, jobId: string) =>
  db.query<{ kind: string; amount: number; note: string | null }>(
    `select kind, amount, note from credit_entries where job_id = $1 and part = 'hd' order by id`,
    [jobId],
  );

forEachDatabase('on-demand 1080p credits', (t) => {
  void it('held once, then captured with its file: charged = video + 1080p; replays change nothing', async () => {
    const user = await t.fundedUser(100, { concurrencyCap: 1 });
    await succeededJob(t, user.id);
    // Five concurrent asks; the concurrency cap (1, and the video is done) does not apply.
    const asks = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.ledger.reserveHdOnDemand({ jobId: 'j1', userId: user.id, amount: 5 }),
      ),
    );
    assert.equal(asks.filter((a) => a.status === 'held' && !a.replay).length, 1, JSON.stringify(asks));
    assert.ok(asks.every((a) => a.status === 'held'));
    assert.deepEqual(await hdEntries(t.db, 'j1'), [{ kind: 'hold', amount: 5, note: 'on-demand 1080p' }]);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 20, held: 5, available: 15 });
    const pending = (await t.ledger.getJob('j1'))!;
    assert.equal(pending.hdState, 'pending');
    assert.equal(pending.progress?.hd, 'pending');
    assert.equal(pending.charged, 80);

    const delivered = await t.ledger.deliverHdOnDemand({ jobId: 'j1', file: HD_FILE });
    assert.deepEqual(delivered, { applied: true, outcome: 'captured' });
    assert.deepEqual(await t.ledger.deliverHdOnDemand({ jobId: 'j1', file: HD_FILE }), {
      applied: false,
      outcome: 'captured',
    });
    // A late give-up loses to the delivery.
    assert.equal((await t.ledger.abandonHdOnDemand({ jobId: 'j1', note: 'late' })).outcome, 'captured');
    const job = (await t.ledger.getJob('j1'))!;
    assert.equal(job.hdState, 'ready');
    assert.equal(job.progress?.hd, 'ready');
    assert.equal(job.progress?.hdNote, null);
    assert.deepEqual(job.files, [ORIGINAL, HD_FILE]);
    assert.deepEqual(job.progress?.files, [ORIGINAL, HD_FILE]);
    assert.equal(job.charged, 85);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 15, held: 0, available: 15 });
    assert.deepEqual(await t.ledger.reserveHdOnDemand({ jobId: 'j1', userId: user.id, amount: 5 }), {
      status: 'settled',
      hd: 'ready',
    });
    assert.equal((await hdEntries(t.db, 'j1')).length, 2);
  });

  void it('released with a note when it cannot be had; asking again is answered from the record', async () => {
    const user = await t.fundedUser(100);
    await succeededJob(t, user.id);
    await t.ledger.reserveHdOnDemand({ jobId: 'j1', userId: user.id, amount: 5 });
    const note = 'KIE 1080p: the video is not eligible';
    assert.deepEqual(await t.ledger.abandonHdOnDemand({ jobId: 'j1', note }), {
      applied: true,
      outcome: 'released',
    });
    assert.deepEqual(await t.ledger.abandonHdOnDemand({ jobId: 'j1', note: 'again' }), {
      applied: false,
      outcome: 'released',
    });
    await assert.rejects(t.ledger.deliverHdOnDemand({ jobId: 'j1', file: HD_FILE }), /released already/);
    const job = (await t.ledger.getJob('j1'))!;
    assert.equal(job.hdState, 'unavailable');
    assert.equal(job.progress?.hdNote, note);
    assert.deepEqual(job.files, [ORIGINAL]);
    assert.equal(job.charged, 80);
    assert.deepEqual(await t.ledger.balance(user.id), { balance: 20, held: 0, available: 20 });
    assert.deepEqual(await t.ledger.reserveHdOnDemand({ jobId: 'j1', userId: user.id, amount: 5 }), {
      status: 'settled',
      hd: 'unavailable',
    });
  });

  void it('refused without credits or over the daily cap: nothing held, the record unchanged', async () => {
    const user = await t.fundedUser(82, { dailySpendCap: 84 });
    await succeededJob(t, user.id);
    assert.deepEqual(await t.ledger.reserveHdOnDemand({ jobId: 'j1', userId: user.id, amount: 5 }), {
      status: 'refused',
      reason: 'insufficient_credits',
      message: 'This video costs 5 credits; 2 available.',
    });
    await t.ledger.grant({ userId: user.id, amount: 100, idempotencyKey: 'top-up' });
    const capped = await t.ledger.reserveHdOnDemand({ jobId: 'j1', userId: user.id, amount: 5 });
    assert.equal(capped.status === 'refused' && capped.reason, 'daily_cap');
    assert.deepEqual(await hdEntries(t.db, 'j1'), []);
    assert.equal((await t.ledger.getJob('j1'))!.hdState, 'not_requested');
  });

  void it('only for a succeeded 16:9 job that did not ask for its 1080p', async () => {
    const user = await t.fundedUser(1000);
    await succeededJob(t, user.id, 'portrait', { aspectRatio: '9:16' });
    await succeededJob(t, user.id, 'auto', { aspectRatio: 'Auto' });
    await succeededJob(t, user.id, 'asked', { hd: true });
    await t.ledger.reserveAndRecordJob({ job: newJob('running', user.id), amount: 80 });
    const cases: Array<[string, RegExp]> = [
      ['portrait', /9:16; a 1080p is made on demand for 16:9 videos only/],
      ['auto', /Auto; a 1080p is made on demand for 16:9 videos only/],
      ['asked', /asked for its 1080p at creation/],
      ['running', /reserving, not succeeded/],
    ];
    for (const [jobId, why] of cases) {
      const r = await t.ledger.reserveHdOnDemand({ jobId, userId: user.id, amount: 5 });
      assert.equal(r.status, 'ineligible', jobId);
      assert.match(r.status === 'ineligible' ? r.message : '', why);
      assert.deepEqual(await hdEntries(t.db, jobId), []);
    }
    const other = await t.fundedUser(100);
    await assert.rejects(
      t.ledger.reserveHdOnDemand({ jobId: 'portrait', userId: other.id, amount: 5 }),
      /no such job/,
    );
    await t.ledger.compensateJob({ jobId: 'running', patch: { state: 'canceled' } });
  });

  void it('free (PRICE_HD 0): no entries, the record still moves pending → ready', async () => {
    const user = await t.fundedUser(100);
    await succeededJob(t, user.id);
    assert.deepEqual(await t.ledger.reserveHdOnDemand({ jobId: 'j1', userId: user.id, amount: 0 }), {
      status: 'held',
      replay: false,
    });
    assert.equal((await t.ledger.deliverHdOnDemand({ jobId: 'j1', file: HD_FILE })).outcome, 'none');
    assert.equal((await t.ledger.getJob('j1'))!.hdState, 'ready');
    assert.deepEqual(await hdEntries(t.db, 'j1'), []);
  });

  void it('the invariants notice a 1080p charged without its file, or a hold on a job that failed', async () => {
    const user = await t.fundedUser(100);
    await succeededJob(t, user.id);
    await t.ledger.reserveHdOnDemand({ jobId: 'j1', userId: user.id, amount: 5 });
    for (const breakIt of [
      async (tx: Db) => {
        await tx.query(
          `insert into credit_entries (user_id, kind, amount, job_id, part) values ($1, 'capture', 5, 'j1', 'hd')`,
          [user.id],
        );
        await tx.query(
          'update users set balance = balance - 5, held = held - 5, open_holds = open_holds - 1 where id = $1',
          [user.id],
        );
        await tx.query(`update jobs set hd_state = 'ready' where id = 'j1'`);
      },
      async (tx: Db) => {
        await tx.query(`update jobs set state = 'failed' where id = 'j1'`);
      },
    ]) {
      let violations: string[] = [];
      await assert.rejects(
        t.db.transaction(async (tx) => {
          await breakIt(tx);
          violations = await checkInvariants(tx);
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.ok(
        violations.some((v) => v.startsWith('on-demand 1080p credits agree with their job')),
        JSON.stringify(violations),
      );
    }
    await t.ledger.abandonHdOnDemand({ jobId: 'j1', note: 'test over' });
  });
});
