/**
 * Temporal for tests: the run's shared dev server (started by scripts/test.ts), or — when a test file
 * is run on its own with `node --import tsx --test <file>` — a dev server of its own, killed when the
 * file's process exits (its watchdog also stops it if the process is killed outright).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { provisionTemporalCli } from '../../src/temporal/cli-provision.js';
import { startDevServer } from '../../src/temporal/dev-server.js';
import { buildWorkflowBundle } from '../../src/worker/workflow-bundle.js';

let shared: Promise<{ address: string }> | null = null;

export function testTemporal(): Promise<{ address: string }> {
  shared ??= (async () => {
    const address = process.env.TEMPORAL_TEST_ADDRESS;
    if (address) return { address };
    const cli = await provisionTemporalCli({ projectRoot: path.resolve(import.meta.dirname, '../..') });
    const server = await startDevServer({ cliPath: cli.path });
    // The file's tests decide when the process ends, not the server: it goes down with the process.
    server.unref();
    process.once('exit', () => server.kill());
    return { address: server.address };
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

/** Runs the real Temporal CLI against the test server, as an operator would (`temporal workflow …`). */
export async function temporalCli(args: string[]): Promise<string> {
  const { address } = await testTemporal();
  const cli =
    process.env.TEMPORAL_CLI_PATH ??
    (await provisionTemporalCli({ projectRoot: path.resolve(import.meta.dirname, '../..') })).path;
  const { stdout } = await promisify(execFile)(cli, [...args, '--address', address]);
  return stdout;
}
