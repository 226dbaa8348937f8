/**
 * submitToKie runs again when Temporal never recorded its first completion (the server restarted, or
 * the worker died after KIE answered): the retry must return the task KIE already made, not generate —
 * and pay — twice. Found by `npm run chaos` (a Temporal restart just after a submit). The activity runs
 * in a mock activity context on a real ledger (PGlite) and against the simulator.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kieActivitiesOnScratch } from '../support/kie-activities.js';
import { videoRequest } from '../support/requests.js';

void describe('submitToKie, run again after a lost completion', () => {
  void it('returns the accepted task of the earlier attempt: one generation', async () => {
    const { sim, submit } = await kieActivitiesOnScratch({ kiePace: { max: 100, windowMs: 10_000 } });
    const args = { jobId: 'job_submit_once', request: videoRequest() };
    const first = await submit(args, 1);
    // Temporal lost that result and retries the activity (a new attempt, same job).
    const second = await submit(args, 2);
    assert.equal(second.taskId, first.taskId);
    assert.equal(sim.stats().generateCalls, 1, 'KIE was asked to generate once');

    // Another job is not affected: it gets a slot and a task of its own.
    const other = await submit({ ...args, jobId: 'job_other' }, 1);
    assert.notEqual(other.taskId, first.taskId);
    assert.equal(sim.stats().generateCalls, 2);
  });
});
