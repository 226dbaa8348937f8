/** Expected decodings of the Veo endpoint replies (docs/kie-api.md#endpoints, #discrepancies-and-choices). */
import { decodeReply, type VeoTaskRecord } from '../../../src/kie/index.js';
import { answerOf, outcome, rejected, utc, type FixtureCase } from '../fixtures.js';

const V1 = 'http://example.com/video1.mp4';
const O1 = 'http://example.com/original_video1.mp4';
const HD = 'https://tempfile.aiquickdraw.com/p/42f4f8facbb040c0ade87c27cb2d5e58_1749711595.mp4';
const FLOW_422 =
  'Your request was rejected by Flow(Prompt rejected by safety filters). You may consider using our other fallback channels, which are likely to succeed. Please refer to the documentation.';
const PROCESSING_1080 = '1080P is processing. It should be ready in 1-2 minutes. Please check back shortly.';

const generate = (raw: unknown) => outcome(() => decodeReply.generate(answerOf(raw)));
const recordInfo = (raw: unknown) => outcome(() => decodeReply.recordInfo(answerOf(raw)));
const hd1080 = (raw: unknown) => outcome(() => decodeReply.get1080p(answerOf(raw)));
const fourK = (raw: unknown) => outcome(() => decodeReply.request4k(answerOf(raw)));

const record = (r: Partial<VeoTaskRecord>): { value: VeoTaskRecord } => ({
  value: {
    taskId: 'veo_task_abcdef123456',
    state: 'succeeded',
    successFlag: 1,
    resultUrls: [],
    fullResultUrls: [],
    originUrls: [],
    resolution: null,
    errorCode: null,
    errorMessage: null,
    createTime: utc('2025-06-06T10:25:00Z'),
    completeTime: utc('2025-06-06T10:30:00Z'),
    fallbackFlag: null,
    params: null,
    ...r,
  },
});

export const veoReplyCases: FixtureCase[] = [
  // generate docs/kie-api.md#generate
  {
    fixture: 'veo-generate.success',
    decode: generate,
    expected: { value: { taskId: 'veo_task_abcdef123456' } },
  },
  {
    fixture: 'veo-generate.error-402-credits',
    decode: generate,
    expected: rejected('generate', 402, 'The current credits are insufficient. Please top up.', 'permanent'),
  },
  {
    fixture: 'veo-generate.error-401-auth',
    decode: generate,
    expected: rejected('generate', 401, 'You do not have access permissions', 'permanent'),
  },
  {
    fixture: 'veo-generate.error-422-flow',
    decode: generate,
    expected: rejected('generate', 422, FLOW_422, 'permanent'),
  },
  {
    fixture: 'veo-generate.error-433-daily-cap',
    decode: generate,
    expected: rejected(
      'generate',
      433,
      'The current number of points used by apiKey has exceeded the daily limit',
      'retryable',
    ),
  },
  {
    fixture: 'veo-generate.error-500',
    decode: generate,
    expected: rejected('generate', 500, 'Internal Error, Please try again later.', 'retryable'),
  },

  // record-info docs/kie-api.md#record-info
  {
    fixture: 'veo-record-info.success',
    decode: recordInfo,
    expected: record({
      resultUrls: [V1],
      originUrls: [O1],
      resolution: '1080p',
      fallbackFlag: false,
      params: { prompt: 'A futuristic city with flying cars at sunset.', waterMark: 'KieAI' },
    }),
  },
  {
    fixture: 'veo-record-info.generating',
    decode: recordInfo,
    expected: record({
      state: 'generating',
      successFlag: 0,
      completeTime: null,
      fallbackFlag: false,
      params: { prompt: 'A cat', model: 'veo3_fast' },
    }),
  },
  {
    fixture: 'veo-record-info.failed-content-policy',
    decode: recordInfo,
    expected: record({
      state: 'failed',
      successFlag: 2,
      errorCode: 400,
      errorMessage: 'Your prompt was flagged by Website as violating content policies.',
      completeTime: utc('2025-06-06T10:26:00Z'),
      fallbackFlag: false,
      params: { prompt: '…' },
    }),
  },
  {
    fixture: 'veo-record-info.failed-upstream',
    decode: recordInfo,
    expected: record({
      state: 'failed',
      successFlag: 3,
      errorCode: 501,
      errorMessage: 'Video generation failed.',
      createTime: utc('2024-03-20T10:30:00Z'),
      completeTime: utc('2024-03-20T10:31:00Z'),
    }),
  },
  {
    fixture: 'veo-record-info.extend-full-result-urls',
    decode: recordInfo,
    expected: record({
      taskId: 'veo_extend_task_xyz789',
      resultUrls: ['http://example.com/extension.mp4'],
      fullResultUrls: ['http://example.com/full.mp4'],
      resolution: '720p',
      createTime: utc('2025-06-06T10:30:00Z'),
      completeTime: utc('2025-06-06T10:40:00Z'),
    }),
  },
  {
    fixture: 'veo-record-info.top-level-result-urls-string',
    decode: recordInfo,
    expected: record({ resultUrls: [V1] }),
  },
  {
    fixture: 'veo-record-info.error-422-record-null',
    decode: recordInfo,
    expected: rejected('record-info', 422, 'record is null', 'permanent'),
  },
  {
    fixture: 'veo-record-info.error-422-14-days',
    decode: recordInfo,
    expected: rejected('record-info', 422, 'Temporarily supports records within 14 days', 'permanent'),
  },
  // seed-only shapes (discrepancy #2 in docs/kie-api.md#discrepancies-and-choices)
  {
    fixture: 'veo-record-info.seed-info-result-urls',
    decode: recordInfo,
    expected: record({ taskId: 'veo_task_seed000', resultUrls: [V1], originUrls: [O1], resolution: '720p' }),
  },
  {
    fixture: 'veo-record-info.seed-video-url',
    decode: recordInfo,
    expected: record({ taskId: 'veo_task_seed001', resultUrls: [V1] }),
  },
  {
    fixture: 'veo-record-info.seed-response-result-urls-string',
    decode: recordInfo,
    expected: record({ resultUrls: [V1], originUrls: [O1], resolution: '1080p', fallbackFlag: true }),
  },

  // 1080p docs/kie-api.md#1080p
  { fixture: 'veo-1080p.ready', decode: hd1080, expected: { value: { status: 'ready', url: HD } } },
  {
    fixture: 'veo-1080p.ready-result-urls',
    decode: hd1080,
    expected: { value: { status: 'ready', url: HD } },
  },
  {
    fixture: 'veo-1080p.seed-video1080p-url',
    decode: hd1080,
    expected: { value: { status: 'ready', url: HD } },
  },
  {
    fixture: 'veo-1080p.processing-400',
    decode: hd1080,
    expected: { value: { status: 'pending', message: PROCESSING_1080 } },
  },
  {
    fixture: 'veo-1080p.processing-500',
    decode: hd1080,
    expected: { value: { status: 'pending', message: PROCESSING_1080 } },
  },
  {
    fixture: 'veo-1080p.ok-without-url',
    decode: hd1080,
    expected: { value: { status: 'pending', message: 'the 1080P reply carried no URL yet' } },
  },
  {
    fixture: 'veo-1080p.error-422-not-success',
    decode: hd1080,
    expected: rejected('get-1080p-video', 422, 'record status is not success', 'permanent'),
  },

  // 4K docs/kie-api.md#4k
  { fixture: 'veo-4k.first-call', decode: fourK, expected: { value: { status: 'started' } } },
  {
    fixture: 'veo-4k.processing',
    decode: fourK,
    expected: {
      value: {
        status: 'processing',
        message: '4k is processing. It should be ready in 5-10 minutes. Please check back shortly.',
      },
    },
  },
  {
    fixture: 'veo-4k.done',
    decode: fourK,
    expected: {
      value: {
        status: 'ready',
        urls: ['https://tempfile.aiquickdraw.com/v/example_task_1234567890.mp4'],
        imageUrls: ['https://tempfile.aiquickdraw.com/v/example_task_1234567890.jpg'],
      },
    },
  },
  {
    fixture: 'veo-4k.error-422-record-null',
    decode: fourK,
    expected: rejected('get-4k-video', 422, 'record is null', 'permanent'),
  },

  // extend docs/kie-api.md#extend
  {
    fixture: 'veo-extend.success',
    decode: (raw) => outcome(() => decodeReply.extend(answerOf(raw))),
    expected: { value: { taskId: 'veo_extend_task_xyz789' } },
  },
];
