/**
 * `npm test`: one Temporal dev server for the whole run, shared by every suite, then node's test runner.
 *
 *   npm test                      all of test/**\/*.test.ts
 *   npm test -- test/ledger       only files under a path (or single files)
 *
 * The server is stopped however the run ends (pass, fail, Ctrl-C); its watchdog also stops it if this
 * process is killed outright, so no `temporal` process outlives the run.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { provisionTemporalCli } from '../src/temporal/cli-provision.js';
import { startDevServer } from '../src/temporal/dev-server.js';
import { buildWorkflowBundle } from '../src/worker/workflow-bundle.js';

const root = path.resolve(import.meta.dirname, '..');

function findTests(target: string): string[] {
  const full = path.resolve(root, target);
  if (!existsSync(full)) throw new Error(`No such test path: ${target}`);
  if (statSync(full).isFile()) return [full];
  return readdirSync(full, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => path.join(full, f))
    .sort();
}

const targets = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = (targets.length ? targets : ['test']).flatMap(findTests);
if (files.length === 0) throw new Error('No test files found.');

const t0 = Date.now();
const cli = await provisionTemporalCli({ projectRoot: root });
const bundlePath = path.join(root, '.cache', 'test-workflow-bundle.js');
mkdirSync(path.dirname(bundlePath), { recursive: true });
writeFileSync(bundlePath, (await buildWorkflowBundle()).code);
const server = await startDevServer({ cliPath: cli.path });
console.log(
  `Temporal dev server ${server.address} (pid ${server.pid}) ready in ${Date.now() - t0} ms; ${files.length} test files`,
);

let stopping: Promise<void> | null = null;
const stop = () => (stopping ??= server.stop());
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    void stop().then(() => process.exit(130));
  });
}

const concurrency = process.env.TEST_CONCURRENCY ?? '4';
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      TEMPORAL_TEST_ADDRESS: server.address,
      WORKFLOW_BUNDLE_PATH: bundlePath,
      TEMPORAL_CLI_PATH: cli.path,
    },
  },
);
const code: number = await new Promise((resolve) =>
  child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))),
);
await stop();
console.log(`tests finished in ${Math.round((Date.now() - t0) / 1000)} s`);
process.exit(code);
