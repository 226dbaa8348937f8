/**
 * Byte ranges on archived content (what video players ask for), and readiness that tells the truth
 * when the database goes away.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestStack } from '../support/stack.js';
import { assertProblem, client } from '../support/api-client.js';

describe('content ranges and readiness', () => {
  it('serves ranges (start-end, open end, suffix), 416 outside the file; /readyz 503 without the database', async (t) => {
    const stack = await startTestStack(t);
    const user = await stack.user(100);
    const api = client(stack, user.apiKey);
    const { jobId } = await stack.start(user.id);
    assert.equal((await stack.wait(jobId)).state, 'succeeded');
    const url = `/v1/videos/${jobId}/content`;

    const whole = await fetch(new URL(url, stack.apiUrl!), {
      headers: { authorization: `Bearer ${user.apiKey}` },
    });
    const bytes = Buffer.from(await whole.arrayBuffer());
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    const size = bytes.length;

    for (const [range, start, end] of [
      ['bytes=0-7', 0, 7],
      [`bytes=${size - 10}-`, size - 10, size - 1],
      ['bytes=-16', size - 16, size - 1],
      [`bytes=100-${size + 50}`, 100, size - 1],
    ] as const) {
      const res = await fetch(new URL(url, stack.apiUrl!), {
        headers: { authorization: `Bearer ${user.apiKey}`, range },
      });
      assert.equal(res.status, 206, range);
      assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/${size}`, range);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes.subarray(start, end + 1), range);
    }
    const outside = await api('GET', url, { headers: { range: `bytes=${size}-` } });
    assertProblem(outside, 416);
    assert.equal(outside.headers.get('content-range'), `bytes */${size}`);
    assertProblem(await api('GET', `${url}?variant=1080p`), 404); // no 1080p was asked for

    assert.equal((await fetch(new URL('/readyz', stack.apiUrl!))).status, 200);
    await stack.db.close();
    const down = await fetch(new URL('/readyz', stack.apiUrl!));
    assert.equal(down.status, 503);
    const body = (await down.json()) as { ok: boolean; checks: Record<string, string> };
    assert.equal(body.ok, false);
    // No driver text (it names hosts and paths): a reference to the log line that has it.
    assert.match(body.checks.db!, /^unavailable \(ref [0-9a-f]{12}\)$/);
    assert.equal(body.checks.temporal, 'ok');
    assert.equal((await fetch(new URL('/healthz', stack.apiUrl!))).status, 200, 'alive, just not ready');
  });
});
