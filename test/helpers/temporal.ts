/**
 * Temporal for tests: the run's shared dev server (started by scripts/test.ts), or — when a test file
 * is run on its own — a dev server of its own, stopped when the file's tests end.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { cliPath, provisionTemporalCli } from '../../src/temporal/cli-provision.js';
import { startDevServer } from '../../src/temporal/dev-server.js';
import { buildWorkflowBundle } from '../../src/worker/workflow-bundle.js';

let shared: Promise<{ address: string; client: Client; connection: Connection }> | null = null;

export function testTemporal() {
  shared ??= (async () => {
    let address = process.env.TEMPORAL_TEST_ADDRESS;
    if (!address) {
      const cli = await provisionTemporalCli({ projectRoot: path.resolve(import.meta.dirname, '../..') });
      const server = await startDevServer({ cliPath: cliPath(cli) });
      after(() => server.stop());
      address = server.address;
    }
    const connection = await Connection.connect({ address });
    after(() => connection.close());
    return { address, connection, client: new Client({ connection, namespace: 'default' }) };
  })();
  return shared;
}

let bundle: Promise<{ code: string }> | null = null;
export function workflowBundle() {
  bundle ??= process.env.WORKFLOW_BUNDLE_PATH
    ? Promise.resolve({ code: readFileSync(process.env.WORKFLOW_BUNDLE_PATH, 'utf8') })
    : buildWorkflowBundle();
  return bundle;
}

/** A worker on its own task queue, running until `stop()` (or the end of the file). */
export async function startTestWorker(
  opts: Pick<WorkerOptions, 'activities' | 'taskQueue'> & Partial<WorkerOptions>,
) {
  const { address } = await testTemporal();
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    workflowBundle: await workflowBundle(),
    ...opts,
  });
  const running = worker.run();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    worker.shutdown();
    await running;
    await connection.close();
  };
  after(stop);
  return { worker, stop };
}
