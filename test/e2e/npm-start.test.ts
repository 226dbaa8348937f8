/**
 * `npm start` as a newcomer runs it: the whole system comes up on embedded defaults, answers on
 * /healthz and /readyz, serves the Temporal UI, makes a video for the demo user it prints; Ctrl-C
 * (SIGINT to the process group, as a terminal sends it) stops everything with no `temporal` process
 * left; a second `npm start` on the same data directory still has the job, in our API and in Temporal.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { freePort } from '../../src/temporal/dev-server.js';
import { http } from '../support/api-client.js';

const execFileAsync = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

interface Running {
  child: ChildProcess;
  output: () => string;
  apiUrl: string;
  uiUrl: string;
  apiKey: string;
}

async function npmStart(env: Record<string, string>): Promise<Running> {
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, ...env },
    detached: true, // its own process group, like a terminal's foreground job
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 120_000;
  while (!out.includes('Ctrl-C to stop.')) {
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const match = (re: RegExp) => {
    const m = re.exec(out)?.[1];
    if (!m) throw new Error(`${re} not in the banner:\n${out}`);
    return m;
  };
  return {
    child,
    output: () => out,
    apiUrl: match(/API\s+(http:\/\/\S+)/),
    uiUrl: match(/Temporal UI\s+(http:\/\/\S+)/),
    apiKey: match(/VEO_API_KEY=(\S+)/),
  };
}

/**
 * Ctrl-C: SIGINT to the whole foreground group (npm, tsx, node). npm exits at once by the signal;
 * our process shuts down behind it, so wait until every holder of the output pipe is gone.
 */
async function ctrlC(run: Running): Promise<void> {
  const closed = once(run.child.stdout!, 'close');
  process.kill(-run.child.pid!, 'SIGINT');
  await closed;
}

/** Whatever a failed test left running. */
function killGroup(run: Running): void {
  try {
    process.kill(-run.child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function processesUsing(dir: string): Promise<string> {
  const { stdout } = await execFileAsync('ps', ['-eo', 'pid,args']);
  return stdout
    .split('\n')
    .filter((l) => l.includes(dir) && !l.includes(' ps '))
    .join('\n');
}

describe('npm start', () => {
  it('runs everything, makes a video, stops cleanly on Ctrl-C, and keeps its state for the next start', async (t) => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'veo-start-'));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const env = {
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      LOG_LEVEL: 'info', // the shutdown line is at info
    };

    const first = await npmStart(env);
    t.after(() => killGroup(first));
    assert.equal((await fetch(`${first.apiUrl}/healthz`)).status, 200);
    assert.equal((await fetch(`${first.apiUrl}/readyz`)).status, 200);
    assert.equal((await fetch(first.uiUrl)).status, 200, 'Temporal Web UI');
    // The studio, as npm start serves it: / leads to the page, and its module is bundled and served.
    const studio = await fetch(`${first.apiUrl}/`);
    assert.equal(new URL(studio.url).pathname, '/create/video');
    assert.match(await studio.text(), /<script type="module" src="\/studio\/app\.js">/);
    const module = await fetch(`${first.apiUrl}/studio/app.js`);
    assert.equal(module.status, 200);
    assert.match(module.headers.get('content-type') ?? '', /javascript/);

    const api = http(first.apiUrl, first.apiKey);
    const created = await api.post('/v1/videos', { prompt: 'A lighthouse in a storm' });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const jobId = (created.body as { id: string }).id;
    let state = '';
    for (let i = 0; i < 240 && state !== 'succeeded'; i++) {
      state = ((await api.get(`/v1/videos/${jobId}`)).body as { state: string }).state;
      if (['failed', 'canceled', 'timed_out', 'rejected'].includes(state)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(state, 'succeeded');

    await ctrlC(first);
    assert.match(first.output(), /"msg":"stopped; state kept in/, 'graceful shutdown');
    assert.equal(await processesUsing(dataDir), '', 'no process (temporal included) outlives npm start');

    const second = await npmStart(env);
    t.after(() => killGroup(second));
    assert.equal(second.apiKey, first.apiKey, 'the same demo user');
    const again = await http(second.apiUrl, second.apiKey).get(`/v1/videos/${jobId}`);
    assert.equal((again.body as { state: string }).state, 'succeeded');
    const cli = process.env.TEMPORAL_CLI_PATH ?? 'temporal';
    const { stdout } = await execFileAsync(cli, [
      'workflow',
      'describe',
      '--workflow-id',
      `video-${jobId}`,
      '--address',
      `127.0.0.1:${env.TEMPORAL_DEV_PORT}`,
      '--output',
      'json',
    ]);
    assert.match(
      stdout,
      /WORKFLOW_EXECUTION_STATUS_COMPLETED|"status":\s*"Completed"/i,
      'the workflow survived',
    );
    await ctrlC(second);
    assert.match(second.output(), /"msg":"stopped; state kept in/);
    assert.equal(await processesUsing(dataDir), '');
  });

  it('Ctrl-C while it is still starting (the API answers, the worker is not up yet) stops everything', async (t) => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'veo-start-'));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const child = spawn('npm', ['start'], {
      cwd: root,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: String(port),
        TEMPORAL_DEV_PORT: String(await freePort()),
        TEMPORAL_UI_PORT: String(await freePort()),
        LOG_LEVEL: 'info',
        ADMIN_API_KEY: 'an-operator-key-from-the-environment-0123',
      },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run = { child, output: () => out, apiUrl: '', uiUrl: '', apiKey: '' };
    t.after(() => killGroup(run));
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    // The first moment /healthz answers: the HTTP server listens, the worker is still being built.
    for (let i = 0; ; i++) {
      const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      assert.ok(i < 1200 && child.exitCode === null, `never answered:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const startedBefore = out.includes('Ctrl-C to stop.');
    await ctrlC(run);
    assert.match(out, /"msg":"shutting down"/, out);
    if (!startedBefore) assert.doesNotMatch(out, /Veo pipeline is running/, 'the start was abandoned');
    // The Temporal server exits behind us: give the OS a moment to reap it.
    let left = await processesUsing(dataDir);
    for (let i = 0; i < 50 && left; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await processesUsing(dataDir);
    }
    assert.equal(left, '', 'no process (temporal included) outlives the start');
    assert.doesNotMatch(
      out,
      /an-operator-key-from-the-environment/,
      'an admin key from the environment is never printed',
    );
  });
});
