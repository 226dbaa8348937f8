/** Expected decodings of the callback bodies (docs/kie-api.md#callback-shapes, #discrepancies-and-choices). */
import {
  marketCallbackSchema,
  veo4kCallbackSchema,
  veoCallbackSchema,
  type Veo4kCallback,
  type VeoCallback,
} from '../../../src/kie/index.js';
import type { FixtureCase } from '../fixtures.js';

const V1 = 'http://example.com/video1.mp4';
const O1 = 'http://example.com/original_video1.mp4';
const MP4_4K = 'https://file.aiquickdraw.com/v/example_task_1234567890.mp4';
const JPG_4K = 'https://file.aiquickdraw.com/v/example_task_1234567890.jpg';

/** The parsed value, or null when the body is rejected as not a KIE callback. */
const parseWith =
  (schema: { safeParse(v: unknown): { success: boolean; data?: unknown } }) =>
  (raw: unknown): unknown => {
    const r = schema.safeParse(raw);
    return r.success ? r.data : null;
  };
const veo = parseWith(veoCallbackSchema);
const fourK = parseWith(veo4kCallbackSchema);
const market = parseWith(marketCallbackSchema);

const veoFailure = (code: number, msg: string): VeoCallback => ({
  taskId: 'veo_task_abcdef123456',
  code,
  msg,
  succeeded: false,
  resultUrls: [],
  originUrls: [],
  resolution: null,
  fallbackFlag: false,
});

const veoSuccess: VeoCallback = {
  taskId: 'veo_task_abcdef123456',
  code: 200,
  msg: 'Veo3.1 video generated successfully.',
  succeeded: true,
  resultUrls: [V1],
  originUrls: [O1],
  resolution: '1080p',
  fallbackFlag: false,
};

const fourKSuccess: Veo4kCallback = {
  taskId: 'veo_task_example123',
  code: 200,
  msg: '4K Video generated successfully.',
  succeeded: true,
  resultUrls: [MP4_4K],
  imageUrls: [JPG_4K],
  mediaIds: [],
  creditsConsumed: null,
};

const fourKFailure = {
  code: 500,
  msg: 'The 4K version of this video is unavailable. Please try a different video.',
  succeeded: false,
  resultUrls: [],
  imageUrls: [],
  mediaIds: [],
  creditsConsumed: null,
};

export const callbackCases: FixtureCase[] = [
  { fixture: 'veo-callback.success', decode: veo, expected: veoSuccess },
  { fixture: 'veo-callback.success-string-urls', decode: veo, expected: veoSuccess },
  {
    fixture: 'veo-callback.legacy-fallback',
    decode: veo,
    expected: {
      ...veoSuccess,
      msg: 'Veo3.1 video generated successfully (using fallback model).',
      originUrls: [],
      resolution: '720p',
      fallbackFlag: true,
    },
  },
  {
    fixture: 'veo-callback.fail-400-content-policy',
    decode: veo,
    expected: veoFailure(400, 'Your prompt was flagged by Website as violating content policies.'),
  },
  {
    fixture: 'veo-callback.fail-400-english-only',
    decode: veo,
    expected: veoFailure(400, 'Only English prompts are supported at this time.'),
  },
  {
    fixture: 'veo-callback.fail-400-image-fetch',
    decode: veo,
    expected: veoFailure(
      400,
      'Failed to fetch the image. Kindly verify any access limits set by you or your service provider.',
    ),
  },
  {
    fixture: 'veo-callback.fail-400-unsafe-image',
    decode: veo,
    expected: veoFailure(400, 'public error unsafe image upload.'),
  },
  {
    fixture: 'veo-callback.fail-422-flow-rejected',
    decode: veo,
    expected: veoFailure(
      422,
      'Your request was rejected by Flow(The prompt could not be processed). You may consider using our other fallback channels, which are likely to succeed. Please refer to the documentation.',
    ),
  },
  {
    fixture: 'veo-callback.fail-500-internal',
    decode: veo,
    expected: veoFailure(500, 'Internal Error, Please try again later.'),
  },
  {
    fixture: 'veo-callback.fail-500-timeout',
    decode: veo,
    expected: veoFailure(500, 'Internal Error - Timeout'),
  },
  {
    fixture: 'veo-callback.fail-501-generation-failed',
    decode: veo,
    expected: veoFailure(501, 'Video generation failed.'),
  },
  // Seed 001's flat shape has no top-level code: not a KIE callback (discrepancy #3 in docs/kie-api.md#discrepancies-and-choices).
  { fixture: 'veo-callback.seed-flat', decode: veo, expected: null },

  { fixture: 'veo-4k-callback.success', decode: fourK, expected: fourKSuccess },
  {
    fixture: 'veo-4k-callback.success-cn-credits',
    decode: fourK,
    expected: { ...fourKSuccess, creditsConsumed: 120 },
  },
  {
    fixture: 'veo-4k-callback.success-snake-case',
    decode: fourK,
    expected: { ...fourKSuccess, msg: 'success', mediaIds: ['media_1'] },
  },
  {
    fixture: 'veo-4k-callback.failure',
    decode: fourK,
    expected: { taskId: 'veo_task_abcdef123456', ...fourKFailure },
  },
  {
    fixture: 'veo-4k-callback.failure-null-data',
    decode: fourK,
    expected: { taskId: null, ...fourKFailure },
  },

  {
    fixture: 'market-callback.success',
    decode: market,
    expected: {
      taskId: 'e989621f54392584b05867f87b160672',
      model: 'kling-2.6/image-to-video',
      state: 'success',
      params: {
        model: 'kling-2.6/image-to-video',
        input: { prompt: 'waves', image_urls: ['https://example.com/in.png'] },
      },
      resultUrls: ['https://example.com/generated-video.mp4'],
      resultWaterMarkUrls: [],
      resultObject: null,
      failCode: null,
      failMsg: null,
      costTime: 8,
      creditsConsumed: 100,
      progress: null,
      createTime: new Date(1755599634000),
      completeTime: new Date(1755599644000),
      updateTime: new Date(1755599644000),
      code: 200,
      msg: 'Playground task completed successfully.',
      succeeded: true,
    },
  },
  {
    fixture: 'market-callback.failure',
    decode: market,
    expected: {
      taskId: 'e989621f54392584b05867f87b160672',
      model: 'kling-2.6/image-to-video',
      state: 'fail',
      params: null,
      resultUrls: [],
      resultWaterMarkUrls: [],
      resultObject: null,
      failCode: '500',
      failMsg: 'Internal server error',
      costTime: null,
      creditsConsumed: 0,
      progress: null,
      createTime: null,
      completeTime: new Date(1755597081000),
      updateTime: null,
      code: 501,
      msg: 'Playground task failed.',
      succeeded: false,
    },
  },
  // Seed 003's flat `{taskId, status, resultUrls, error}` (discrepancy #4 in docs/kie-api.md#discrepancies-and-choices): not a KIE callback.
  { fixture: 'market-callback.seed-flat', decode: market, expected: null },
];
