/** The tolerant building blocks: times, URL lists, envelopes, and what a robust parse still refuses. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  envelopeFromHttp,
  parseCallbackSummary,
  parseKieTime,
  parseVeoRecord,
  urlListSchema,
} from '../../src/kie/index.js';

void describe('parseKieTime', () => {
  void it('reads "YYYY-MM-DD HH:mm:ss" as UTC', () => {
    assert.deepEqual(parseKieTime('2025-06-06 10:30:00'), new Date('2025-06-06T10:30:00Z'));
  });
  void it('reads ISO 8601 with a zone', () => {
    assert.deepEqual(parseKieTime('2024-03-20T10:30:00Z'), new Date('2024-03-20T10:30:00Z'));
    assert.deepEqual(parseKieTime('2024-03-20T12:30:00+02:00'), new Date('2024-03-20T10:30:00Z'));
  });
  void it('reads epoch milliseconds as a number or numeric string, and epoch seconds by magnitude', () => {
    assert.deepEqual(parseKieTime(1698765432000), new Date(1698765432000));
    assert.deepEqual(parseKieTime('1698765432000'), new Date(1698765432000));
    assert.deepEqual(parseKieTime(1698765432), new Date(1698765432000));
  });
  void it('gives null for absent or unparseable values', () => {
    for (const v of [undefined, null, '', '  ', 'yesterday', 0, -5, Number.NaN, {}, true]) {
      assert.equal(parseKieTime(v), null, inspect(v));
    }
  });
});

void describe('urlListSchema', () => {
  const parse = (v: unknown) => urlListSchema.safeParse(v);
  void it('accepts an array, a JSON-encoded array, a bare URL, and nothing', () => {
    assert.deepEqual(parse(['https://a/1.mp4', '', 'https://a/2.mp4']).data, [
      'https://a/1.mp4',
      'https://a/2.mp4',
    ]);
    assert.deepEqual(parse('["https://a/1.mp4"]').data, ['https://a/1.mp4']);
    assert.deepEqual(parse(' https://a/1.mp4 ').data, ['https://a/1.mp4']);
    for (const v of [undefined, null, '', '[]']) assert.deepEqual(parse(v).data, [], String(v));
  });
  void it('refuses a broken JSON string and non-string entries', () => {
    assert.equal(parse('["https://a/1.mp4"').success, false);
    assert.equal(parse('[1,2]').success, false);
    assert.equal(parse([1]).success, false);
    assert.equal(parse(42).success, false);
  });
});

void describe('envelopeFromHttp', () => {
  void it('takes code and msg from the body whatever the HTTP status', () => {
    assert.deepEqual(envelopeFromHttp(500, 'Internal Server Error', '{"code":402,"msg":"no credits"}'), {
      code: 402,
      msg: 'no credits',
      data: null,
    });
  });
  void it('reads `message` when `msg` is missing, and a numeric-string code', () => {
    assert.deepEqual(
      envelopeFromHttp(200, 'OK', '{"code":"200","message":"success","data":{"taskId":"t"}}'),
      {
        code: 200,
        msg: 'success',
        data: { taskId: 't' },
      },
    );
  });
  void it('synthesises {code: httpStatus, msg: statusText} for non-JSON or code-less bodies', () => {
    assert.deepEqual(envelopeFromHttp(502, 'Bad Gateway', '<html>bad gateway</html>'), {
      code: 502,
      msg: 'Bad Gateway',
      data: null,
      foreign: true,
    });
    assert.deepEqual(envelopeFromHttp(503, '', '{"error":"down"}'), {
      code: 503,
      msg: 'HTTP 503',
      data: null,
      foreign: true,
    });
  });
});

void describe('parseVeoRecord', () => {
  void it('refuses a successFlag outside 0–3 rather than guessing a state', () => {
    assert.equal(parseVeoRecord({ taskId: 't', successFlag: 7 }).success, false);
    assert.equal(parseVeoRecord({ taskId: 't' }).success, false);
  });
  void it('accepts successFlag as a numeric string', () => {
    assert.equal(parseVeoRecord({ taskId: 't', successFlag: '3' }).data?.state, 'failed');
  });
  void it('fills in the requested task id when the record omits it', () => {
    assert.equal(parseVeoRecord({ successFlag: 0 }, 'veo_task_x').data?.taskId, 'veo_task_x');
    assert.equal(parseVeoRecord({ taskId: 'own', successFlag: 0 }, 'veo_task_x').data?.taskId, 'own');
  });
  void it('prefers response.resultUrls over fullResultUrls and the top-level list', () => {
    const r = parseVeoRecord({
      taskId: 't',
      successFlag: 1,
      resultUrls: ['https://top'],
      response: { resultUrls: [], fullResultUrls: ['https://full'] },
    });
    assert.deepEqual(r.data?.resultUrls, ['https://full']);
  });
  void it('keeps a bad time or message from hiding a finished video', () => {
    const r = parseVeoRecord({
      taskId: 't',
      successFlag: 1,
      response: { resultUrls: ['https://v'] },
      completeTime: 'not a time',
      errorMessage: 42,
      fallbackFlag: 'no',
    });
    assert.equal(r.success, true);
    assert.deepEqual(r.data?.resultUrls, ['https://v']);
    assert.equal(r.data?.completeTime, null);
    assert.equal(r.data?.errorMessage, null);
    assert.equal(r.data?.fallbackFlag, null);
  });
});

void describe('parseCallbackSummary (what the webhook reads from any callback)', () => {
  void it('finds the task id at data.taskId, data.task_id, then top level', () => {
    assert.deepEqual(parseCallbackSummary({ code: 200, msg: 'ok', data: { taskId: 'a' } }), {
      taskId: 'a',
      code: 200,
      msg: 'ok',
    });
    assert.deepEqual(parseCallbackSummary({ code: 500, data: { task_id: 'b' } }), {
      taskId: 'b',
      code: 500,
      msg: '',
    });
    assert.deepEqual(parseCallbackSummary({ code: 200, message: 'm', taskId: 'c', data: null }), {
      taskId: 'c',
      code: 200,
      msg: 'm',
    });
  });
  void it('rejects bodies without a code or a task id', () => {
    assert.equal(parseCallbackSummary({ taskId: 'x', successFlag: 1 }), null);
    assert.equal(parseCallbackSummary({ code: 200, data: {} }), null);
    assert.equal(parseCallbackSummary('nope'), null);
    assert.equal(parseCallbackSummary(null), null);
  });
});
