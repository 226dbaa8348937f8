/** Per-job callback tokens and KIE's webhook signature (docs/kie-api.md#callback-verification, docs/kie-api.md#callbacks). */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, it } from 'node:test';
import {
  jobCallbackToken,
  signKieCallback,
  verifyJobCallbackToken,
  verifyKieSignature,
} from '../../src/kie/index.js';

const SECRET = 'webhook-secret';
const HMAC_KEY = 'kie-hmac-key';
const NOW = 1_760_000_000;
const TASK = 'veo_task_abcdef123456';
const body = { code: 200, msg: 'Veo3.1 video generated successfully.', data: { taskId: TASK, info: {} } };

const signedHeaders = (taskId = TASK, ts = NOW): IncomingHttpHeaders => ({
  'x-webhook-timestamp': String(ts),
  'x-webhook-signature': signKieCallback(HMAC_KEY, taskId, ts),
});

void describe('per-job callback token', () => {
  void it('round-trips, and is the base64url HMAC-SHA256 of the job id', () => {
    const token = jobCallbackToken(SECRET, 'job_1');
    assert.equal(token, createHmac('sha256', SECRET).update('job_1').digest('base64url'));
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(verifyJobCallbackToken(SECRET, 'job_1', token), true);
  });
  void it('rejects another job’s token, another secret, a truncated token, and non-strings', () => {
    const token = jobCallbackToken(SECRET, 'job_1');
    assert.equal(verifyJobCallbackToken(SECRET, 'job_2', token), false);
    assert.equal(verifyJobCallbackToken('other-secret', 'job_1', token), false);
    assert.equal(verifyJobCallbackToken(SECRET, 'job_1', token.slice(0, -1)), false);
    assert.equal(verifyJobCallbackToken(SECRET, 'job_1', ''), false);
    assert.equal(verifyJobCallbackToken(SECRET, 'job_1', undefined), false);
    assert.equal(verifyJobCallbackToken(SECRET, 'job_1', [token]), false);
  });
});

void describe('KIE signature', () => {
  const verify = (
    headers: Parameters<typeof verifyKieSignature>[0]['headers'],
    b: unknown = body,
    nowSec = NOW,
  ) => verifyKieSignature({ hmacKey: HMAC_KEY, headers, body: b, nowSec });

  void it('signs base64(HMAC-SHA256(taskId + "." + timestamp)) as documented', () => {
    const expected = createHmac('sha256', HMAC_KEY).update(`${TASK}.${NOW}`).digest('base64');
    assert.equal(signKieCallback(HMAC_KEY, TASK, NOW), expected);
  });
  void it('accepts a valid signature and returns the signed task id', () => {
    assert.deepEqual(verify(signedHeaders()), { ok: true, taskId: TASK });
  });
  void it('rejects a body whose task id differs from the signed one', () => {
    const check = verify(signedHeaders(), { ...body, data: { taskId: 'veo_task_other' } });
    assert.deepEqual(check, { ok: false, reason: 'signature mismatch' });
  });
  void it('rejects a tampered timestamp', () => {
    const headers = { ...signedHeaders(), 'x-webhook-timestamp': String(NOW + 1) };
    assert.deepEqual(verify(headers), { ok: false, reason: 'signature mismatch' });
  });
  void it('rejects a signature made with another key, or truncated', () => {
    const other = { ...signedHeaders(), 'x-webhook-signature': signKieCallback('other', TASK, NOW) };
    assert.equal(verify(other).ok, false);
    const sig = signKieCallback(HMAC_KEY, TASK, NOW);
    assert.equal(verify({ ...signedHeaders(), 'x-webhook-signature': sig.slice(0, 20) }).ok, false);
  });
  void it('rejects timestamps outside the window, in both directions, and honours windowSec', () => {
    assert.deepEqual(verify(signedHeaders(TASK, NOW - 301)), {
      ok: false,
      reason: 'timestamp outside the accepted window',
    });
    assert.equal(verify(signedHeaders(TASK, NOW + 301)).ok, false);
    assert.equal(verify(signedHeaders(TASK, NOW - 300)).ok, true);
    const wide = verifyKieSignature({
      hmacKey: HMAC_KEY,
      headers: signedHeaders(TASK, NOW - 900),
      body,
      nowSec: NOW,
      windowSec: 1000,
    });
    assert.equal(wide.ok, true);
  });
  void it('rejects missing headers and malformed timestamps', () => {
    const { 'x-webhook-signature': sig, 'x-webhook-timestamp': ts } = signedHeaders();
    assert.equal(verify({ 'x-webhook-timestamp': ts }).ok, false);
    assert.equal(verify({ 'x-webhook-signature': sig }).ok, false);
    assert.equal(verify({}).ok, false);
    assert.deepEqual(verify({ 'x-webhook-signature': sig, 'x-webhook-timestamp': `${NOW}.5` }), {
      ok: false,
      reason: 'malformed timestamp',
    });
  });
  void it('looks headers up case-insensitively, in a plain record and in a fetch Headers', () => {
    const h = signedHeaders();
    const mixed = {
      'X-Webhook-Timestamp': h['x-webhook-timestamp'],
      'X-WEBHOOK-SIGNATURE': h['x-webhook-signature'],
    };
    assert.deepEqual(verify(mixed), { ok: true, taskId: TASK });
    const fetchHeaders = new Headers(mixed as Record<string, string>);
    assert.deepEqual(verify(fetchHeaders), { ok: true, taskId: TASK });
  });
  void it('takes the task id from data.task_id (KIE’s sample) and from the top level', () => {
    assert.deepEqual(verify(signedHeaders(), { code: 200, data: { task_id: TASK, result_urls: [] } }), {
      ok: true,
      taskId: TASK,
    });
    assert.deepEqual(verify(signedHeaders(), { code: 200, taskId: TASK, data: null }), {
      ok: true,
      taskId: TASK,
    });
    assert.deepEqual(verify(signedHeaders(), { code: 500, data: null }), {
      ok: false,
      reason: 'no task id in the body',
    });
  });
  void it('prefers data.taskId over data.task_id and the top level', () => {
    const b = { taskId: 'top', data: { taskId: TASK, task_id: 'snake' } };
    assert.deepEqual(verify(signedHeaders(), b), { ok: true, taskId: TASK });
  });
});
