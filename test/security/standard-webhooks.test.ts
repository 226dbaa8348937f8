/**
 * Our Standard Webhooks signatures: the specification's published test vector, and the tests'
 * receiver (written from the specification) accepting what we sign and refusing any change to it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newWebhookSecret, signWebhook } from '../../src/security/standard-webhooks.js';
import { verifyStandardWebhook } from '../support/webhook-receiver.js';

describe('Standard Webhooks signing', () => {
  it("reproduces the specification's test vector", () => {
    const headers = signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', {
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
    });
    assert.deepEqual(headers, {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('new secrets are whsec_ and 32 random bytes', () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    assert.match(a, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(a.slice(6), 'base64').length, 32);
    assert.notEqual(a, b);
  });

  it('a receiver verifies what we sign, and nothing altered', () => {
    const secret = newWebhookSecret();
    const now = Math.floor(Date.now() / 1000);
    const body = '{"type":"video.succeeded"}';
    const signed = signWebhook(secret, { id: 'notify-job_1', timestamp: now, body });
    const headers = {
      id: signed['webhook-id'],
      timestamp: signed['webhook-timestamp'],
      signature: signed['webhook-signature'],
    };
    assert.equal(verifyStandardWebhook(secret, headers, body, now), true);
    assert.equal(verifyStandardWebhook(secret, headers, body.replace('succeeded', 'failed'), now), false);
    assert.equal(verifyStandardWebhook(newWebhookSecret(), headers, body, now), false);
    assert.equal(verifyStandardWebhook(secret, { ...headers, id: 'notify-job_2' }, body, now), false);
    assert.equal(verifyStandardWebhook(secret, { ...headers, timestamp: String(now + 1) }, body, now), false);
    // A replay long after: the signature is right, the timestamp too old.
    assert.equal(verifyStandardWebhook(secret, headers, body, now + 6 * 60), false);
    assert.throws(() => signWebhook('not-a-secret', { id: 'x', timestamp: now, body }), /whsec_/);
  });
});
