/**
 * KIE's generation limit kept by us across workers, not discovered by 429s: two worker processes'
 * worth of workers (two stacks on one Postgres and one task queue) take a burst of jobs; the
 * simulator, counting generations per window as KIE does, never sees more than the limit in any
 * window and never answers 429. The jobs beyond the window wait as `queued` and all succeed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { startStack } from '../../src/runtime/stack.js';
import { scratchPostgresUrl } from '../support/databases.js';
import { startTestStack } from '../support/stack.js';
import { workflowBundle } from '../support/temporal.js';
import { waitFor } from '../support/wait-for.js';

const LIMIT = 4;
const KIE_WINDOW_MS = 3_000;
// As in production (kiePaceOf): our window half a second longer than KIE's.
const PACE = { max: LIMIT, windowMs: KIE_WINDOW_MS + 500 };
const JOBS = 14;

describe('KIE pacing across workers', () => {
  it(`two workers, ${JOBS} jobs at once: never more than ${LIMIT} generations in any ${KIE_WINDOW_MS} ms, no 429`, async (t) => {
    const databaseUrl = await scratchPostgresUrl(t, 'pacing');
    const stack = await startTestStack(t, {
      env: { DATABASE_URL: databaseUrl, USER_CONCURRENCY_CAP: String(JOBS) },
      sim: { rateLimit: { max: LIMIT, windowMs: KIE_WINDOW_MS } },
      kiePace: PACE,
    });
    // A second worker process's workers: same database, task queue, Temporal and simulator.
    const dataDir = await mkdtemp(path.join(tmpdir(), 'veo-pacing-'));
    const second = await startStack({
      config: loadConfig({
        TEMPORAL_ADDRESS: stack.temporal.address,
        TEMPORAL_TASK_QUEUE: stack.taskQueue,
        DATABASE_URL: databaseUrl,
        KIE_API_KEY: 'sim-key',
        KIE_BASE_URL: stack.simulator!.url,
        WEBHOOK_SECRET: 'pacing-test-webhook-secret-0123456789abcdef',
        KIE_DOWNLOAD_HOSTS: new URL(stack.simulator!.url).hostname,
        KIE_DOWNLOAD_LOCAL_HOSTS: new URL(stack.simulator!.url).hostname,
        PUBLIC_BASE_URL: stack.apiUrl!,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
      }),
      roles: { api: false, worker: true },
      timing: stack.timing,
      kiePace: PACE,
      workflowBundle: await workflowBundle(),
    });
    t.after(async () => {
      await second.close();
      await rm(dataDir, { recursive: true, force: true });
    });

    const user = await stack.user(JOBS * stack.config.prices.veo3_fast);
    const jobs = await Promise.all(Array.from({ length: JOBS }, () => stack.start(user.id)));
    assert.ok(jobs.every((j) => j.reservation.ok));
    // Beyond the first window's worth, jobs wait for a slot, and say so.
    await waitFor(
      'some jobs queued',
      async () => (await stack.db.query(`select 1 from jobs where state = 'queued'`))[0],
      10_000,
    );
    for (const j of jobs) {
      const result = await stack.wait(j.jobId);
      assert.equal(result.state, 'succeeded', JSON.stringify(result.error));
    }

    const tasks = (await (await fetch(`${stack.simulator!.url}/_sim/tasks`)).json()) as {
      tasks: Array<{ createdAt: number }>;
    };
    const times = tasks.tasks.map((x) => x.createdAt).sort((a, b) => a - b);
    assert.equal(times.length, JOBS, 'one generation per job');
    let busiest = 0;
    for (let i = 0; i < times.length; i++) {
      const inWindow = times.filter((x) => x >= times[i]! && x < times[i]! + KIE_WINDOW_MS).length;
      busiest = Math.max(busiest, inWindow);
    }
    assert.ok(busiest <= LIMIT, `${busiest} generations in one ${KIE_WINDOW_MS} ms window`);
    const stats = (await (await fetch(`${stack.simulator!.url}/_sim/stats`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(stats.rateLimited, 0, `the simulator answered 429: ${JSON.stringify(stats)}`);
    await stack.assertInvariants();
  });
});
