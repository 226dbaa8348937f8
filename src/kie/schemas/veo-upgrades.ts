/**
 * The HD upgrades of a finished Veo video: `GET get-1080p-video` (docs/kie-api.md#1080p) and `POST get-4k-video` (docs/kie-api.md#4k).
 * Both answer "not ready yet" through error codes, so these take the whole envelope and decide.
 */
import { z } from 'zod';
import type { KieEnvelope } from './envelope.js';
import { urlListSchema } from './primitives.js';

export type Veo1080pResult = { status: 'ready'; url: string } | { status: 'pending'; message: string };

export type Veo4kResult =
  | { status: 'started' }
  | { status: 'processing'; message: string }
  | { status: 'ready'; urls: string[]; imageUrls: string[] };

/** 1080p `data`: documented `resultUrl`; robust `resultUrls[0]`; seeds 000/003 `video1080pUrl`. */
export const veo1080pDataSchema = z
  .looseObject({
    resultUrl: z.string().nullish().catch(null),
    resultUrls: urlListSchema.catch([]),
    video1080pUrl: z.string().nullish().catch(null),
  })
  .nullish()
  .catch(null)
  .transform((d) => d?.resultUrl || d?.resultUrls[0] || d?.video1080pUrl || null);

/**
 * The 1080p answer, or null when it is an error the caller must raise. "Not ready" is documented as
 * code 400 "1080P is processing…", reported by a third party as 500, and a 200 without a URL is
 * treated the same (docs/kie-api.md#1080p): all three are pending, bounded by the caller's HD window.
 */
export function interpret1080p(env: KieEnvelope): Veo1080pResult | null {
  if (env.code === 200) {
    const url = veo1080pDataSchema.parse(env.data);
    return url
      ? { status: 'ready', url }
      : { status: 'pending', message: 'the 1080P reply carried no URL yet' };
  }
  if (env.code === 400 || env.code === 500)
    return { status: 'pending', message: env.msg || '1080P is processing' };
  return null;
}

/** 4K `data`: documented camelCase; the 4K callback's snake_case spellings accepted too. */
export const veo4kDataSchema = z
  .looseObject({
    taskId: z.string().nullish().catch(null),
    resultUrls: urlListSchema.catch([]),
    imageUrls: urlListSchema.catch([]),
    result_urls: urlListSchema.catch([]),
    image_urls: urlListSchema.catch([]),
  })
  .nullish()
  .catch(null)
  .transform((d) =>
    d
      ? {
          taskId: d.taskId ?? null,
          urls: d.resultUrls.length ? d.resultUrls : d.result_urls,
          imageUrls: d.imageUrls.length ? d.imageUrls : d.image_urls,
        }
      : null,
  );

/**
 * The 4K answer, or null for an error. Repeat calls answer **422** — "4k is processing…" while
 * running, "The video has been generated successfully" with the URLs when done — so the URLs are
 * looked for even on 422 (docs/kie-api.md#4k).
 */
export function interpret4k(env: KieEnvelope): Veo4kResult | null {
  if (env.code !== 200 && env.code !== 422) return null;
  const d = veo4kDataSchema.parse(env.data);
  if (d && d.urls.length) return { status: 'ready', urls: d.urls, imageUrls: d.imageUrls };
  if (env.code === 200) return { status: 'started' };
  // Other 422s ("record is null", "record status is not success") come with data null and are errors.
  if (/processing/i.test(env.msg) || d?.taskId)
    return { status: 'processing', message: env.msg || '4k is processing' };
  return null;
}
