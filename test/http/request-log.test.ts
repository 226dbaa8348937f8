/**
 * Each request's id and its access-log line (src/api/http/request-log.ts), in-process: the id given
 * or made, echoed back and logged; the path without its query (callback tokens live there); probes
 * not logged; no access lines below info; the id on the line of a request that failed. The services
 * are fakes; the log lines are the logger's own output.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { client } from '../support/api-client.js';
import { captureLogs } from '../support/captured-logs.js';
import { startFakeApp } from '../support/fake-app.js';

const page = { data: [], nextCursor: null };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Line {
  msg: string;
  level: number;
  reqId?: string;
  req?: { id: string; method: string; path: string };
  res?: { statusCode: number };
  responseTime?: number;
}
const parsed = (lines: string[]) => lines.map((l) => JSON.parse(l) as Line);
const accessLines = (lines: string[]) => parsed(lines).filter((l) => l.msg === 'request completed');

void describe('HTTP layer: request ids and the access log', () => {
  void it('the id given is echoed and logged; the path is logged without its query', async (t) => {
    const { lines, logger } = captureLogs('info');
    const app = await startFakeApp(t, { videos: { list: async () => page } }, { logger });
    const user = await app.user();
    const reply = await client(app, user.apiKey)('GET', '/v1/videos?limit=5&token=not-for-logs', {
      headers: { 'x-request-id': 'req-from-caller' },
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('x-request-id'), 'req-from-caller');
    const [line, ...more] = accessLines(lines);
    assert.equal(more.length, 0);
    assert.deepEqual(line?.req, { id: 'req-from-caller', method: 'GET', path: '/v1/videos' });
    assert.deepEqual(line?.res, { statusCode: 200 });
    assert.equal(typeof line?.responseTime, 'number');
    assert.ok(!lines.join('\n').includes('not-for-logs'));
  });

  void it('without an id one is made, echoed and logged; each request has its own', async (t) => {
    const { lines, logger } = captureLogs('info');
    const app = await startFakeApp(t, { videos: { list: async () => page } }, { logger });
    const user = await app.user();
    const api = client(app, user.apiKey);
    const ids = [
      (await api('GET', '/v1/videos')).headers.get('x-request-id'),
      (await api('GET', '/v1/videos', { key: null })).headers.get('x-request-id'),
    ];
    for (const id of ids) assert.match(id ?? '', UUID);
    assert.notEqual(ids[0], ids[1]);
    assert.deepEqual(
      accessLines(lines).map((l) => [l.req?.id, l.res?.statusCode]),
      [
        [ids[0], 200],
        [ids[1], 401],
      ],
    );
  });

  void it('probes are not logged, and below info no request is, but every answer carries its id', async (t) => {
    const info = captureLogs('info');
    const probed = await startFakeApp(t, {}, { logger: info.logger });
    const health = await client(probed, null)('GET', '/healthz');
    assert.equal(health.status, 200);
    assert.match(health.headers.get('x-request-id') ?? '', UUID);
    assert.deepEqual(accessLines(info.lines), []);

    const warn = captureLogs('warn');
    const quiet = await startFakeApp(t, { videos: { list: async () => page } }, { logger: warn.logger });
    const user = await quiet.user();
    const reply = await client(quiet, user.apiKey)('GET', '/v1/videos');
    assert.match(reply.headers.get('x-request-id') ?? '', UUID);
    assert.deepEqual(warn.lines, []);
  });

  void it('a request that failed: its error line carries the id the caller was given', async (t) => {
    const { lines, logger } = captureLogs('info');
    const app = await startFakeApp(
      t,
      {
        videos: {
          list: async () => {
            throw new Error('the fake failed');
          },
        },
      },
      { logger },
    );
    const user = await app.user();
    const reply = await client(app, user.apiKey)('GET', '/v1/videos');
    assert.equal(reply.status, 500);
    const id = reply.headers.get('x-request-id');
    assert.match(id ?? '', UUID);
    const failed = parsed(lines).find((l) => l.msg === 'unhandled error');
    assert.equal(failed?.reqId, id);
    assert.deepEqual(
      accessLines(lines).map((l) => [l.req?.id, l.res?.statusCode]),
      [[id, 500]],
    );
  });
});
