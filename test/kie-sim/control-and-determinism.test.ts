/**
 * Determinism under a seed, the /_sim control API, close() releasing everything (a process with
 * pending timers exits), and the standalone `npm run kie-sim` entry.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import type { KieSimulator, SimTaskView } from '../../src/kie-sim/index.js';
import { api, dataOf, firstResultUrl, generate, recordInfo, settled, sim } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The same requests; `noisy` adds polling, downloads and download-url calls in between. */
async function scenario(s: KieSimulator, noisy: boolean): Promise<Array<{ taskId: string; seeds: unknown }>> {
  const out: Array<{ taskId: string; seeds: unknown }> = [];
  for (let i = 0; i < 3; i++) {
    const taskId = await generate(s, { prompt: `clip ${i}` });
    if (noisy) {
      const url = firstResultUrl(await settled(s, taskId));
      await api(s, 'POST', '/api/v1/common/download-url', { url });
      for (let k = 0; k < 3; k++) await recordInfo(s, taskId);
    }
    out.push({ taskId, seeds: s.task(taskId)?.request.seeds });
  }
  const market = await api(s, 'POST', '/api/v1/jobs/createTask', {
    model: 'google/nano-banana',
    input: { prompt: 'p' },
  });
  out.push({ taskId: dataOf<{ taskId: string }>(market).taskId, seeds: null });
  return out;
}

void describe('determinism', () => {
  void it('the same seed gives the same task ids and seeds, however often the test polls', async () => {
    const a = await scenario(await sim({ seed: 1234 }), true);
    const b = await scenario(await sim({ seed: 1234 }), false);
    assert.deepEqual(a, b);
    assert.equal(new Set(a.map((x) => x.taskId)).size, a.length);
  });

  void it('another seed gives other ids', async () => {
    const a = await generate(await sim({ seed: 1 }));
    const b = await generate(await sim({ seed: 2 }));
    assert.notEqual(a, b);
  });
});

void describe('control API', () => {
  void it('POST /_sim/faults replaces the scenario faults; a bad value → 400', async () => {
    const s = await sim();
    const post = (body: string) =>
      fetch(`${s.url}/_sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const set = await post(JSON.stringify({ maintenance: true }));
    assert.equal(set.status, 200);
    assert.equal((await api(s, 'GET', '/api/v1/chat/credit')).code, 455);
    const current = (await (await fetch(`${s.url}/_sim/faults`)).json()) as { faults: unknown };
    assert.deepEqual(current.faults, { maintenance: true });
    assert.equal((await post('{"download":"sideways"}')).status, 400);
    assert.equal((await post('{"outcome":{"successFlag":1,"errorCode":500}}')).status, 400);
    assert.equal((await post('not json')).status, 400);
    assert.equal((await api(s, 'GET', '/api/v1/chat/credit')).code, 455, 'a rejected update changes nothing');
    assert.equal((await post('{}')).status, 200);
    assert.equal((await api(s, 'GET', '/api/v1/chat/credit')).code, 200);
  });

  void it('GET /_sim/tasks/:taskId shows state, request, callbacks; task() the same in-process', async () => {
    const s = await sim();
    const taskId = await generate(
      s,
      { prompt: 'inspect me', callBackUrl: 'http://127.0.0.1:9/cb' },
      { 'x-sim-faults': '{"callback":"drop"}' },
    );
    const res = await fetch(`${s.url}/_sim/tasks/${taskId}`);
    assert.equal(res.status, 200);
    const view = (await res.json()) as SimTaskView;
    assert.deepEqual(
      [
        view.taskId,
        view.kind,
        view.state,
        view.successFlag,
        view.callbackUrl,
        view.request.prompt,
        view.faults.callback,
      ],
      [taskId, 'generate', 'generating', 0, 'http://127.0.0.1:9/cb', 'inspect me', 'drop'],
    );
    await settled(s, taskId);
    assert.deepEqual([s.task(taskId)?.state, s.task(taskId)?.successFlag], ['succeeded', 1]);
    assert.equal((await fetch(`${s.url}/_sim/tasks/veo_task_nope`)).status, 404);
    assert.equal(s.task('veo_task_nope'), undefined);
    const stats = (await (await fetch(`${s.url}/_sim/stats`)).json()) as {
      generateCalls: number;
      credits: number;
    };
    assert.equal(stats.generateCalls, 1);
    assert.equal(stats.credits, s.credits());
  });

  void it('GET /_sim/tasks lists every generation received, oldest first', async () => {
    const s = await sim();
    assert.deepEqual(await (await fetch(`${s.url}/_sim/tasks`)).json(), { tasks: [] });
    const first = await generate(s, { prompt: 'one', callBackUrl: 'http://127.0.0.1:9/cb/1' });
    const second = await generate(s, { prompt: 'two' });
    const { tasks } = (await (await fetch(`${s.url}/_sim/tasks`)).json()) as { tasks: SimTaskView[] };
    assert.deepEqual(
      tasks.map((t) => [t.taskId, t.request.prompt, t.callbackUrl]),
      [
        [first, 'one', 'http://127.0.0.1:9/cb/1'],
        [second, 'two', null],
      ],
    );
  });

  void it('the view is a copy: changing it changes nothing', async () => {
    const s = await sim();
    const taskId = await generate(s);
    const v = s.task(taskId)!;
    v.request.prompt = 'changed';
    v.callbacks.push({ url: 'x', headers: {}, body: '', attempt: 1, status: 200, kind: 'normal' });
    assert.equal(s.task(taskId)?.request.prompt, 'A lighthouse at dawn');
    assert.equal(s.task(taskId)?.callbacks.length, 0);
  });

  void it('stats count generate calls, record-info calls, downloads and callback POSTs', async () => {
    const s = await sim();
    await api(s, 'POST', '/api/v1/veo/generate', { prompt: 'p', model: 'bad' });
    const taskId = await generate(s);
    await settled(s, taskId);
    await recordInfo(s, taskId);
    const st = s.stats();
    assert.equal(st.generateCalls, 2, 'refused calls count too');
    assert.ok(st.recordInfoCalls >= 2);
    assert.deepEqual([st.downloads, st.callbacksSent], [0, 0]);
  });
});

/** Runs a script in a child Node with tsx; resolves with its exit code and how long it took. */
async function runNode(
  args: string[],
  onStdoutLine?: (line: string, child: ReturnType<typeof spawn>) => void,
) {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  if (onStdoutLine) createInterface({ input: child.stdout }).on('line', (l) => onStdoutLine(l, child));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, ms: Date.now() - started, stderr };
}

void describe('process lifecycle', () => {
  void it('after close(), a process with pending timers, retries and a slow download exits at once', async () => {
    const script = `
      import http from 'node:http';
      import { startKieSimulator } from './src/kie-sim/index.ts';
      const sim = await startKieSimulator({
        apiKeys: ['k'], durationsMs: { veo3_fast: 60_000 }, callbackRetryDelayMs: 60_000,
        faults: { callback: 'early', download: 'slow', slowBytesPerSec: 1000, videoBytes: 1_000_000 },
      });
      const h = { authorization: 'Bearer k', 'content-type': 'application/json' };
      const gen = (body, extra = {}) => fetch(sim.url + '/api/v1/veo/generate', { method: 'POST', headers: { ...h, ...extra }, body: JSON.stringify(body) }).then((r) => r.json());
      // A task that will finish in a minute.
      await gen({ prompt: 'slow', model: 'veo3_fast' }, { 'x-sim-faults': '{"callback":"normal"}' });
      // An early task whose callback fails and waits a minute to retry.
      const { data } = await gen({ prompt: 'now', callBackUrl: 'http://127.0.0.1:9/x' });
      const rec = await fetch(sim.url + '/api/v1/veo/record-info?taskId=' + data.taskId, { headers: h }).then((r) => r.json());
      // A download in progress at 1 KB/s.
      http.get(rec.data.response.resultUrls[0], (res) => res.resume()).on('error', () => {});
      await new Promise((r) => setTimeout(r, 200));
      await sim.close();
      await sim.close(); // idempotent
    `;
    const { code, ms, stderr } = await runNode(['--input-type=module', '-e', script]);
    assert.equal(code, 0, stderr);
    assert.ok(ms < 10_000, `exited after ${ms} ms`);
  });

  void it('npm run kie-sim (src/kie-sim/main.ts) prints its URL, serves, and stops on SIGTERM', async () => {
    let checked = false;
    const { code, stderr } = await runNode(
      [
        'src/kie-sim/main.ts',
        '--port',
        '0',
        '--seed',
        '9',
        '--api-key',
        'cli-key',
        '--duration-ms',
        '50',
        '--rate-limit',
        '1/60000',
        '--quiet',
      ],
      (line, child) => {
        void (async () => {
          assert.match(line, /^http:\/\/127\.0\.0\.1:\d+$/);
          const headers = { authorization: 'Bearer cli-key', 'content-type': 'application/json' };
          const r = await fetch(`${line}/api/v1/chat/credit`, { headers });
          assert.deepEqual(await r.json(), { code: 200, msg: 'success', data: 100_000 });
          const gen = () =>
            fetch(`${line}/api/v1/veo/generate`, {
              method: 'POST',
              headers,
              body: JSON.stringify({ prompt: 'p', model: 'veo3_fast' }),
            }).then((res) => res.json() as Promise<{ code: number }>);
          assert.deepEqual([(await gen()).code, (await gen()).code], [200, 429], '--rate-limit 1/60000');
          checked = true;
          child.kill('SIGTERM');
        })().catch(() => child.kill('SIGKILL'));
      },
    );
    assert.equal(code, 0, stderr);
    assert.ok(checked);
  });
});
