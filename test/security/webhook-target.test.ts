/**
 * Where a customer's webhook may point: https to public addresses in production, this machine only
 * in tests and development, never with credentials; and at delivery, a host name that resolves to a
 * refused address gets no request at all.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { postWebhook, WebhookTargetRefused } from '../../src/activities/webhook-post.js';
import { addressAllowed, webhookUrlProblem } from '../../src/security/webhook-target.js';

describe('webhook targets', () => {
  it('public: https to public hosts and addresses only, no credentials', () => {
    for (const ok of [
      'https://hooks.example.com/veo',
      'https://93.184.216.34:8443/x?t=1',
      'https://[2606:4700::1]/',
    ])
      assert.equal(webhookUrlProblem(ok, 'public'), null, ok);
    const refused: Array<[string, RegExp]> = [
      ['http://hooks.example.com/veo', /https/],
      ['https://user:pw@hooks.example.com/', /credentials/],
      ['https://localhost/x', /public address/],
      ['https://app.localhost/x', /public address/],
      ['https://127.0.0.1/x', /public address/],
      ['https://10.1.2.3/x', /public address/],
      ['https://172.20.0.1/x', /public address/],
      ['https://192.168.1.1/x', /public address/],
      ['https://169.254.169.254/latest/meta-data', /public address/],
      ['https://0x7f.1/x', /public address/], // 127.0.0.1 spelled otherwise
      ['https://[::1]/x', /public address/],
      ['https://[fd00::1]/x', /public address/],
      ['https://[::ffff:10.0.0.1]/x', /public address/],
      ['not a url', /absolute URL/],
      [`https://example.com/${'x'.repeat(2000)}`, /at most/],
    ];
    for (const [url, why] of refused) assert.match(webhookUrlProblem(url, 'public') ?? 'accepted', why, url);
  });

  it('loopback: http(s) to this machine only', () => {
    for (const ok of [
      'http://127.0.0.1:8080/hook',
      'http://localhost/hook',
      'https://[::1]:9/x',
      'http://127.9.9.9/',
    ])
      assert.equal(webhookUrlProblem(ok, 'loopback'), null, ok);
    for (const url of [
      'https://hooks.example.com/',
      'http://10.0.0.1/',
      'http://u:p@127.0.0.1/',
      'ftp://127.0.0.1/',
    ])
      assert.notEqual(webhookUrlProblem(url, 'loopback'), null, url);
  });

  it('resolved addresses', () => {
    assert.equal(addressAllowed('93.184.216.34', 'public'), true);
    assert.equal(addressAllowed('100.64.0.1', 'public'), false);
    assert.equal(addressAllowed('::ffff:192.168.0.1', 'public'), false);
    assert.equal(addressAllowed('127.0.0.1', 'loopback'), true);
    assert.equal(addressAllowed('93.184.216.34', 'loopback'), false);
    assert.equal(addressAllowed('not-an-ip', 'public'), false);
  });

  it('a name resolving to a refused address gets no request', async (t) => {
    let requests = 0;
    const server = http.createServer((_req, res) => {
      requests++;
      res.end('ok');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.after(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as AddressInfo;
    const post = (url: string, targets: 'public' | 'loopback') =>
      postWebhook({ url, headers: {}, body: '{}', targets, timeoutMs: 5_000 });

    // `localhost` resolves to loopback: refused under the public policy, before any connection.
    await assert.rejects(post(`http://localhost:${port}/x`, 'public'), WebhookTargetRefused);
    await assert.rejects(post(`http://127.0.0.1:${port}/x`, 'public'), WebhookTargetRefused);
    assert.equal(requests, 0);
    // The same server under the loopback policy: delivered.
    assert.equal((await post(`http://localhost:${port}/x`, 'loopback')).status, 200);
    assert.equal(requests, 1);
  });
});
