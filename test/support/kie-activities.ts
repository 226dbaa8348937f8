/**
 * submitToKie and the other KIE activities on a real ledger (a scratch PGlite) against the simulator,
 * run in a mock activity context: for tests of one activity's behaviour without a Temporal worker.
 */
import { after } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import pino from 'pino';
import type { ActivityDeps } from '../../src/activities/deps.js';
import { createKieActivities } from '../../src/activities/kie-activities.js';
import { createKieClient } from '../../src/kie/index.js';
import { startKieSimulator } from '../../src/kie-sim/index.js';
import { createLedger, type Ledger } from '../../src/ledger/index.js';
import { openScratchDb } from './databases.js';
import { FAST_SIM } from './simulator.js';

type SubmitArgs = Parameters<ReturnType<typeof createKieActivities>['submitToKie']>[0];
type Submitted = Awaited<ReturnType<ReturnType<typeof createKieActivities>['submitToKie']>>;

/**
 * A simulator, a scratch database and its ledger (closed after the test), and one worker's KIE
 * activities over them; `ledgerAs` may wrap the ledger the activities see (to count its calls).
 */
export async function kieActivitiesOnScratch(opts: {
  kiePace: ActivityDeps['kiePace'];
  ledgerAs?: (ledger: Ledger) => Ledger;
}) {
  const sim = await startKieSimulator({ ...FAST_SIM, apiKeys: ['sim-key'] });
  const scratch = await openScratchDb('pglite');
  after(async () => {
    await sim.close();
    await scratch.drop();
  });
  const ledger = await createLedger(scratch.db);
  const deps = {
    ledger: opts.ledgerAs ? opts.ledgerAs(ledger) : ledger,
    kie: createKieClient({ baseUrl: sim.url, apiKey: 'sim-key' }),
    logger: pino({ level: 'silent' }),
    publicBaseUrl: null,
    webhookSecret: 'kie-activities-test-secret-0123456789abcdef',
    kiePace: opts.kiePace,
  } as unknown as ActivityDeps;
  const activities = createKieActivities(deps);
  /** One attempt of submitToKie, as a worker would run it. */
  const submit = (args: SubmitArgs, attempt = 1) =>
    new MockActivityEnvironment({ attempt }).run<
      [SubmitArgs],
      Submitted,
      (a: SubmitArgs) => Promise<Submitted>
    >((a) => activities.submitToKie(a), args);
  return { sim, scratch, submit };
}
