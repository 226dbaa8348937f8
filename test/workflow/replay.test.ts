/**
 * Replays recorded generateVideo histories (test/histories/, recorded with RECORD_HISTORIES=1) against
 * the current workflow code: a non-deterministic change to the workflow fails here, before it can
 * break workflows already running in production.
 * Histories of earlier workflow versions (`<state>-v0-…`) stay: workflows started by an older
 * deployment must still finish on the new one.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { workflowBundle } from '../support/temporal.js';

// Replay workers log each start and stop at INFO; only problems matter here.
Runtime.install({ logger: new DefaultLogger('WARN') });

const dir = path.resolve(import.meta.dirname, '../histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('recorded histories replay with the current workflow code', () => {
  it('has recorded histories covering success and failure paths', () => {
    const states = new Set(files.map((f) => f.split('-')[0]));
    for (const s of ['succeeded', 'failed', 'canceled', 'timed_out', 'rejected'])
      assert.ok(states.has(s), `a ${s} history`);
  });

  it(`replays ${files.length} histories without non-determinism`, async () => {
    const histories = files.map((f) => ({
      workflowId: f,
      history: JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as unknown,
    }));
    const bundle = await workflowBundle();
    let count = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
      assert.equal(result.error, undefined, `${result.workflowId}: ${String(result.error)}`);
      count++;
    }
    assert.equal(count, files.length);
  });
});
