/**
 * Callback bodies KIE POSTs to `callBackUrl` (docs/kie-api.md#callbacks, #callback-shapes). A callback is only a wake-up:
 * KIE signs the task id and a timestamp, not the body, so nothing here is trusted for URLs — the
 * workflow confirms with record-info. Hence URL lists are parsed leniently (a bad list → []), while
 * the task id and the top-level `code` are required.
 *
 * Seed-only flat shapes (`{taskId, successFlag, videoUrl}`, `{taskId, status: "completed"}`,
 * discrepancies #3/#4 in docs/kie-api.md#discrepancies-and-choices) carry no top-level `code`; KIE never sends them, so they are rejected as malformed.
 */
import { z } from 'zod';
import { marketRecordDataSchema, type MarketTaskRecord } from './market.js';
import { intSchema, optionalFlag, optionalNumber, optionalText, urlListSchema } from './primitives.js';

export interface VeoCallback {
  taskId: string;
  code: number;
  msg: string;
  /** Success ⇔ code 200 (no successFlag in the documented shape). */
  succeeded: boolean;
  resultUrls: string[];
  originUrls: string[];
  resolution: string | null;
  /** true on the legacy fallback model's success ("… (using fallback model)."). */
  fallbackFlag: boolean | null;
}

export interface Veo4kCallback {
  /** null when KIE sent `data: null` (allowed on failure by the 4K callback table). */
  taskId: string | null;
  code: number;
  msg: string;
  succeeded: boolean;
  resultUrls: string[];
  imageUrls: string[];
  mediaIds: string[];
  /** CN docs only. */
  creditsConsumed: number | null;
}

export type MarketCallback = MarketTaskRecord & { code: number; msg: string; succeeded: boolean };

const lenientUrls = urlListSchema.catch([]);
const taskIdField = z.string().trim().nullish().catch(null);

const head = {
  code: intSchema,
  msg: z.string().nullish().catch(null),
  message: z.string().nullish().catch(null),
};

/** docs/kie-api.md#callback-shapes Veo generate/extend callback: `{code, msg, data: {taskId, info: {resultUrls, originUrls, resolution}, fallbackFlag}}`. */
export const veoCallbackSchema = z
  .looseObject({
    ...head,
    data: z.looseObject({
      taskId: taskIdField,
      task_id: taskIdField,
      info: z
        .looseObject({ resultUrls: lenientUrls, originUrls: lenientUrls, resolution: optionalText })
        .nullish()
        .catch(null),
      fallbackFlag: optionalFlag,
    }),
  })
  .transform((b, ctx): VeoCallback => {
    const taskId = b.data.taskId || b.data.task_id;
    if (!taskId) {
      ctx.addIssue({ code: 'custom', message: 'callback has no task id', path: ['data', 'taskId'] });
      return z.NEVER;
    }
    return {
      taskId,
      code: b.code,
      msg: b.msg ?? b.message ?? '',
      succeeded: b.code === 200,
      resultUrls: b.data.info?.resultUrls ?? [],
      originUrls: b.data.info?.originUrls ?? [],
      resolution: b.data.info?.resolution ?? null,
      fallbackFlag: b.data.fallbackFlag,
    };
  });

/**
 * docs/kie-api.md#callback-shapes Veo 4K callback, in both documented shapes: the guide's nested camelCase
 * `data.info.{resultUrls,imageUrls}` and the OpenAPI schema's flat snake_case
 * `data.{task_id,result_urls,media_ids,image_urls}`.
 */
export const veo4kCallbackSchema = z
  .looseObject({
    ...head,
    data: z
      .looseObject({
        taskId: taskIdField,
        task_id: taskIdField,
        info: z
          .looseObject({ resultUrls: lenientUrls, imageUrls: lenientUrls, mediaIds: lenientUrls })
          .nullish()
          .catch(null),
        result_urls: lenientUrls,
        image_urls: lenientUrls,
        media_ids: lenientUrls,
        creditsConsumed: optionalNumber,
      })
      .nullish(),
  })
  .transform((b): Veo4kCallback => {
    const d = b.data;
    const pick = (a: string[] | undefined, b2: string[] | undefined) => (a?.length ? a : (b2 ?? []));
    return {
      taskId: d?.taskId || d?.task_id || null,
      code: b.code,
      msg: b.msg ?? b.message ?? '',
      succeeded: b.code === 200,
      resultUrls: pick(d?.info?.resultUrls, d?.result_urls),
      imageUrls: pick(d?.info?.imageUrls, d?.image_urls),
      mediaIds: pick(d?.info?.mediaIds, d?.media_ids),
      creditsConsumed: d?.creditsConsumed ?? null,
    };
  });

/** docs/kie-api.md#callback-shapes Market callback: `{code, msg, data: <recordInfo-like record>}`. Success ⇔ code 200 and state success. */
export const marketCallbackSchema = z
  .looseObject({ ...head, data: marketRecordDataSchema })
  .transform((b): MarketCallback => ({
    ...b.data,
    code: b.code,
    msg: b.msg ?? b.message ?? '',
    succeeded: b.code === 200 && b.data.state === 'success',
  }));

/**
 * The minimum the webhook needs from any KIE callback (Veo, 4K, Market): whose task and which code.
 * Task id as KIE's signature sample reads it: `data.taskId ?? data.task_id ?? taskId`.
 */
export const callbackSummarySchema = z
  .looseObject({
    ...head,
    taskId: taskIdField,
    data: z.looseObject({ taskId: taskIdField, task_id: taskIdField }).nullish().catch(null),
  })
  .transform((b, ctx) => {
    const taskId = b.data?.taskId || b.data?.task_id || b.taskId;
    if (!taskId) {
      ctx.addIssue({ code: 'custom', message: 'callback has no task id', path: ['data', 'taskId'] });
      return z.NEVER;
    }
    return { taskId, code: b.code, msg: b.msg ?? b.message ?? '' };
  });

export type CallbackSummary = z.output<typeof callbackSummarySchema>;

/** The webhook's entry point: null when the body is not a KIE callback (→ 400). */
export function parseCallbackSummary(body: unknown): CallbackSummary | null {
  const r = callbackSummarySchema.safeParse(body);
  return r.success ? r.data : null;
}
