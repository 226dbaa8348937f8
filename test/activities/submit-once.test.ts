/**
 * submitToKie runs again when Temporal never recorded its first completion (the server restarted, or
 * the worker died after KIE answered): the retry must return the task KIE already made, not generate —
 * and pay — twice. Found by `npm run chaos` (a Temporal restart just after a submit). The activity runs
 * in a mock activity context on a real ledger (PGlite) and against the simulator.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import pino from 'pino';
import type { ActivityDeps } from '../../src/activities/deps.js';
import { createKieActivities } from '../../src/activities/kie-activities.js';
import { createKieClient } from '../../src/kie/index.js';
import { startKieSimulator } from '../../src/kie-sim/index.js';
import { createLedger } from '../../src/ledger/index.js';
import { openScratchDb } from '../support/databases.js';
import { videoRequest } from '../support/requests.js';
import { FAST_SIM } from '../support/simulator.js';

void describe('submitToKie, run again after a lost completion', () => {
  void it('returns the accepted task of the earlier attempt: one generation', async () => {
    const sim = await startKieSimulator({ ...FAST_SIM, apiKeys: ['sim-key'] });
    const scratch = await openScratchDb('pglite');
    after(async () => {
      await sim.close();
      await scratch.drop();
    });
    const ledger = await createLedger(scratch.db);
    const deps = {
      ledger,
      kie: createKieClient({ baseUrl: sim.url, apiKey: 'sim-key' }),
      logger: pino({ level: 'silent' }),
      publicBaseUrl: null,
      webhookSecret: 'submit-once-test-secret-0123456789abcdef',
      kiePace: { max: 100, windowMs: 10_000 },
    } as unknown as ActivityDeps;
    const activities = createKieActivities(deps);
    const submitToKie = (a: Parameters<typeof activities.submitToKie>[0]) => activities.submitToKie(a);
    const args = { jobId: 'job_submit_once', request: videoRequest() };

    type Submitted = Awaited<ReturnType<typeof submitToKie>>;
    const run = (attempt: number, a: typeof args) =>
      new MockActivityEnvironment({ attempt }).run<[typeof args], Submitted, typeof submitToKie>(
        submitToKie,
        a,
      );
    const first = await run(1, args);
    // Temporal lost that result and retries the activity (a new attempt, same job).
    const second = await run(2, args);
    assert.equal(second.taskId, first.taskId);
    assert.equal(sim.stats().generateCalls, 1, 'KIE was asked to generate once');

    // Another job is not affected: it gets a slot and a task of its own.
    const other = await run(1, { ...args, jobId: 'job_other' });
    assert.notEqual(other.taskId, first.taskId);
    assert.equal(sim.stats().generateCalls, 2);
  });
});
