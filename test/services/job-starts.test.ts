/**
 * The API's job starts (src/services/job-starts.ts) on their own, with start functions the test
 * controls: when a create waits for its start and when it is answered first, the slots, the backlog,
 * a cancel's and a shutdown's wait, and what a failed start leaves in the log. The real starts against
 * Temporal are covered by test/workflow/job-starts-burst.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { TryLater } from '../../src/domain/index.js';
import { createJobStarts } from '../../src/services/job-starts.js';
import { captureLogs } from '../support/captured-logs.js';

/** A start the test ends: `finish()` or `fail(err)`; `began` tells whether it was called. */
function gate() {
  let finish!: () => void;
  let fail!: (err: unknown) => void;
  const state = { began: false };
  const ended = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
  const start = () => {
    state.began = true;
    return ended;
  };
  return { start, finish: () => finish(), fail: (err: unknown) => fail(err), state };
}

const tick = () => new Promise((r) => setImmediate(r));

void describe('job starts', () => {
  void it('a create waits for its own start while few are under way', async () => {
    const starts = createJobStarts({ inFlight: 8, backlog: 100 }, captureLogs().logger);
    const g = gate();
    let outcome: string | null = null;
    const create = starts.start('job_1', g.start).then((o) => (outcome = o));
    await tick();
    assert.equal(g.state.began, true);
    assert.equal(outcome, null, 'answered before its start');
    g.finish();
    await create;
    assert.equal(outcome, 'started');
    assert.deepEqual(starts.counts(), { inFlight: 0, waiting: 0 });
  });

  void it("a quiet create's failed start is the create's error, and logged with its job", async () => {
    const { lines, logger } = captureLogs('info');
    const starts = createJobStarts({ inFlight: 8, backlog: 100 }, logger);
    const refused = new TryLater('not started', 5, { cause: new Error('unavailable') });
    await assert.rejects(
      starts.start('job_1', () => Promise.reject(refused)),
      (err) => err === refused,
    );
    await tick();
    const logged = lines.map(
      (l) => JSON.parse(l) as { msg: string; jobId?: string; err?: { message: string } },
    );
    assert.deepEqual(
      logged.map((l) => [l.msg, l.jobId, l.err?.message]),
      [['job not started', 'job_1', 'unavailable']],
    );
  });

  void it('under a burst creates are answered first, and never more than inFlight start at once', async () => {
    const starts = createJobStarts({ inFlight: 6, backlog: 100 }, captureLogs().logger);
    const gates = Array.from({ length: 20 }, gate);
    const outcomes: Array<Promise<string>> = [];
    for (const [i, g] of gates.entries()) outcomes.push(starts.start(`job_${i}`, g.start));
    await tick();
    // The first four wait for their starts (fewer than four were under way); the rest are answered.
    const answered = await Promise.all(outcomes.slice(4));
    assert.deepEqual(answered, Array(16).fill('queued'));
    assert.deepEqual(starts.counts(), { inFlight: 6, waiting: 14 });
    assert.deepEqual(
      gates.map((g) => g.state.began),
      gates.map((_, i) => i < 6),
    );
    // Each start ended lets the next waiting one begin, in the order the creates came.
    gates[5]!.finish();
    await tick();
    await tick();
    assert.equal(gates[6]!.state.began, true);
    assert.equal(gates[7]!.state.began, false);
    assert.deepEqual(starts.counts(), { inFlight: 6, waiting: 13 });
    for (const g of gates) g.finish();
    assert.deepEqual(await Promise.all(outcomes.slice(0, 4)), Array(4).fill('started'));
    await starts.drain();
    assert.ok(gates.every((g) => g.state.began));
    assert.deepEqual(starts.counts(), { inFlight: 0, waiting: 0 });
  });

  void it('with the backlog full a create waits for its start again; backlog 0: always', async () => {
    const starts = createJobStarts({ inFlight: 4, backlog: 2 }, captureLogs().logger);
    const gates = Array.from({ length: 7 }, gate);
    const outcomes = gates.map((g, i) => starts.start(`job_${i}`, g.start));
    await tick();
    // 4 under way (all waited for), 2 answered while the backlog had room, the 7th waits in line.
    assert.deepEqual(await Promise.all(outcomes.slice(4, 6)), ['queued', 'queued']);
    let last: string | null = null;
    void outcomes[6]!.then((o) => (last = o));
    await tick();
    assert.equal(last, null);
    for (const g of gates) g.finish();
    assert.equal(await outcomes[6], 'started');

    const never = createJobStarts({ inFlight: 4, backlog: 0 }, captureLogs().logger);
    const more = Array.from({ length: 10 }, gate);
    const waited = more.map((g, i) => never.start(`job_${i}`, g.start));
    await tick();
    assert.deepEqual(never.counts(), { inFlight: 4, waiting: 6 });
    for (const g of more) g.finish();
    assert.deepEqual(await Promise.all(waited), Array(10).fill('started'));
  });

  void it('settled waits for a job answered before its start; drain for every start', async () => {
    const starts = createJobStarts({ inFlight: 1, backlog: 100 }, captureLogs().logger);
    const first = gate();
    const second = gate();
    const firstAnswer = starts.start('job_a', first.start);
    assert.equal(await starts.start('job_b', second.start), 'queued');
    let settled = false;
    const cancel = starts.settled('job_b').then(() => (settled = true));
    let drained = false;
    const drain = starts.drain().then(() => (drained = true));
    first.finish();
    await firstAnswer;
    await tick();
    assert.equal(second.state.began, true);
    assert.equal(settled, false);
    assert.equal(drained, false);
    second.fail(new TryLater('no', 5));
    await cancel;
    await drain;
    // Nothing waits for a job this process is not starting.
    await starts.settled('job_unknown');
  });

  void it('the same job handed in twice (a repeated request): settled and drain wait for both starts', async () => {
    const starts = createJobStarts({ inFlight: 6, backlog: 100 }, captureLogs().logger);
    const busy = Array.from({ length: 4 }, gate);
    for (const [i, g] of busy.entries()) void starts.start(`job_busy_${i}`, g.start);
    const first = gate();
    const second = gate();
    assert.equal(await starts.start('job_same', first.start), 'queued');
    assert.equal(await starts.start('job_same', second.start), 'queued');
    await tick();
    assert.ok(first.state.began && second.state.began, 'both under way at once');
    let settled = false;
    const both = starts.settled('job_same').then(() => (settled = true));
    second.finish();
    await tick();
    await tick();
    assert.equal(settled, false, 'the first start still runs');
    first.finish();
    await both;
    for (const g of busy) g.finish();
    await starts.drain();
  });

  void it("a queued start's failure is logged with its job and cause; a repeated request's is not", async () => {
    const { lines, logger } = captureLogs('info');
    const starts = createJobStarts({ inFlight: 1, backlog: 100 }, logger);
    const holdSlot = gate();
    void starts.start('job_first', holdSlot.start);
    const cause = new Error('deadline exceeded');
    assert.equal(
      await starts.start('job_failed', () => Promise.reject(new TryLater('not started', 5, { cause }))),
      'queued',
    );
    assert.equal(
      await starts.start('job_repeat', () =>
        Promise.reject(new WorkflowExecutionAlreadyStartedError('started', 'wf', 'generateVideo')),
      ),
      'queued',
    );
    holdSlot.finish();
    await starts.drain();
    await tick();
    const logged = lines.map(
      (l) => JSON.parse(l) as { msg: string; jobId?: string; err?: { message: string } },
    );
    assert.equal(logged.length, 1, JSON.stringify(logged));
    assert.equal(logged[0]!.jobId, 'job_failed');
    assert.equal(logged[0]!.err?.message, 'deadline exceeded');
    assert.equal(logged[0]!.msg, 'job not started');
  });

  void it('refuses fewer than one start at a time', () => {
    assert.throws(() => createJobStarts({ inFlight: 0, backlog: 1 }, captureLogs().logger), RangeError);
  });
});
