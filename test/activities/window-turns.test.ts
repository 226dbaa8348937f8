/**
 * A worker's generate calls take turns at waiting for KIE's window: one holder at a time, first come
 * first served, a canceled wait leaving the line without blocking it. Then six calls of one worker
 * against a window of two: they are granted in the order they came, and the window is checked by one
 * of them at a time (on a real ledger, PGlite, against the simulator).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTurns } from '../../src/activities/turns.js';
import { kieActivitiesOnScratch } from '../support/kie-activities.js';
import { videoRequest } from '../support/requests.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

void describe('turns', () => {
  void it('one holder at a time, in the order asked', async () => {
    const turns = createTurns();
    const log: string[] = [];
    let holding = 0;
    await Promise.all(
      ['a', 'b', 'c'].map(async (name) => {
        const release = await turns.take();
        holding++;
        log.push(`${name}:${holding}`);
        await tick();
        holding--;
        release();
      }),
    );
    assert.deepEqual(log, ['a:1', 'b:1', 'c:1']);
  });

  void it('an aborted wait rejects at once and passes its place on', async () => {
    const turns = createTurns();
    const first = await turns.take();
    const leaving = new AbortController();
    const left = turns.take(leaving.signal);
    const next = turns.take();
    leaving.abort(new Error('canceled'));
    await assert.rejects(left, /canceled/);
    let nextHeld = false;
    void next.then(() => (nextHeld = true));
    await tick();
    assert.equal(nextHeld, false, 'not before the holder released');
    first();
    (await next)();
    // Aborted before asking: refused, and the line still moves.
    await assert.rejects(turns.take(AbortSignal.abort(new Error('gone'))), /gone/);
    (await turns.take())();
  });
});

void describe('submitToKie, six calls of one worker against a window of two', () => {
  void it('are granted in the order they came, the window checked by one call at a time', async () => {
    let checking = 0;
    let mostAtOnce = 0;
    const { sim, scratch, submit } = await kieActivitiesOnScratch({
      kiePace: { max: 2, windowMs: 1_500 },
      ledgerAs: (ledger) => {
        const counted = Object.create(ledger) as typeof ledger;
        counted.acquireKieSlot = async (...args) => {
          mostAtOnce = Math.max(mostAtOnce, ++checking);
          try {
            return await ledger.acquireKieSlot(...args);
          } finally {
            checking--;
          }
        };
        return counted;
      },
    });
    const jobIds = Array.from({ length: 6 }, (_, i) => `job_turns_${i}`);
    await Promise.all(jobIds.map((jobId) => submit({ jobId, request: videoRequest() })));
    const granted = await scratch.db.query<{ job_id: string }>(
      'select job_id from kie_submissions order by id',
    );
    assert.deepEqual(
      granted.map((r) => r.job_id),
      jobIds,
    );
    assert.equal(mostAtOnce, 1);
    assert.equal(sim.stats().generateCalls, 6);
  });
});
