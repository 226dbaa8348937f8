/** KieError classification (docs/kie-api.md#envelope codes, docs/kie-api.md#error-classification) and the ambiguous-submit rule. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyKieCode,
  decodeReply,
  envelopeSchema,
  isAmbiguousSubmitFailure,
  KieError,
  type KieErrorInit,
} from '../../src/kie/index.js';

const error = (over: Partial<KieErrorInit>) =>
  new KieError({
    code: 0,
    msg: 'x',
    endpoint: 'generate',
    kind: 'retryable',
    httpStatus: null,
    requestSent: true,
    ...over,
  });

void describe('classifyKieCode', () => {
  const table: Array<[number, string]> = [
    [0, 'retryable'],
    [429, 'retryable'],
    [433, 'retryable'],
    [455, 'retryable'],
    [500, 'retryable'],
    [502, 'retryable'],
    [503, 'retryable'],
    [504, 'retryable'],
    [400, 'permanent'],
    [401, 'permanent'],
    [402, 'permanent'],
    [404, 'permanent'],
    [422, 'permanent'],
    [451, 'permanent'],
    [501, 'permanent'],
    [505, 'permanent'],
    [418, 'permanent'],
  ];
  for (const [code, kind] of table) {
    void it(`generate ${code} → ${kind}`, () => assert.equal(classifyKieCode(code, 'generate'), kind));
  }
  void it('1080p "processing" codes are pending; its other codes classify as usual', () => {
    assert.equal(classifyKieCode(400, 'get-1080p-video'), 'pending');
    assert.equal(classifyKieCode(500, 'get-1080p-video'), 'pending');
    assert.equal(classifyKieCode(422, 'get-1080p-video'), 'permanent');
    assert.equal(classifyKieCode(429, 'get-1080p-video'), 'retryable');
  });
});

void describe('isAmbiguousSubmitFailure', () => {
  void it('is true for no answer after the request was written', () => {
    assert.equal(isAmbiguousSubmitFailure(error({ code: 0, requestSent: true })), true);
  });
  void it('is false when the request never left (refused, DNS)', () => {
    assert.equal(isAmbiguousSubmitFailure(error({ code: 0, requestSent: false })), false);
  });
  void it('is false for any error KIE answered — KIE surely created nothing', () => {
    for (const code of [429, 455, 500, 503, 402, 422]) {
      assert.equal(
        isAmbiguousSubmitFailure(error({ code, httpStatus: 200, kind: classifyKieCode(code) })),
        false,
      );
    }
  });
  void it('is true for a success reply we could not read (the task may exist)', () => {
    const answer = {
      env: envelopeSchema.parse({ code: 200, msg: 'success', data: { id: 'x' } }),
      httpStatus: 200,
    };
    assert.throws(
      () => decodeReply.generate(answer),
      (err: unknown) =>
        err instanceof KieError &&
        err.kind === 'retryable' &&
        err.malformedReply &&
        err.code === 200 &&
        isAmbiguousSubmitFailure(err),
    );
  });
  void it('is false for anything that is not a KieError', () => {
    assert.equal(isAmbiguousSubmitFailure(new Error('x')), false);
    assert.equal(isAmbiguousSubmitFailure(null), false);
  });
});

void describe('KieError', () => {
  void it('says endpoint, code and KIE message, and serialises its decision fields', () => {
    const e = error({
      code: 422,
      msg: 'record is null',
      endpoint: 'record-info',
      kind: 'permanent',
      httpStatus: 200,
    });
    assert.equal(e.message, 'KIE record-info failed: code 422: record is null');
    assert.equal(e.name, 'KieError');
    assert.ok(e instanceof Error);
    assert.deepEqual(JSON.parse(JSON.stringify(e)), {
      name: 'KieError',
      message: 'KIE record-info failed: code 422: record is null',
      code: 422,
      msg: 'record is null',
      endpoint: 'record-info',
      kind: 'permanent',
      httpStatus: 200,
      requestSent: true,
      malformedReply: false,
      notFromKie: false,
    });
  });
});
