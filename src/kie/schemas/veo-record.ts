/**
 * `GET /api/v1/veo/record-info` — the authoritative state of any Veo task (generate, extend, 1080p,
 * 4K). docs/kie-api.md#record-info, plus the seed-only shapes (discrepancies #2, #13 in docs/kie-api.md#discrepancies-and-choices) a tolerant client accepts.
 */
import { z } from 'zod';
import {
  asRecord,
  intSchema,
  jsonStringSchema,
  optionalFlag,
  optionalText,
  timeSchema,
  unique,
  urlListSchema,
} from './primitives.js';

export type VeoSuccessFlag = 0 | 1 | 2 | 3;

export interface VeoTaskRecord {
  taskId: string;
  /** From successFlag: 0 generating, 1 succeeded, 2 and 3 failed (both terminal; discrepancy #13 in docs/kie-api.md#discrepancies-and-choices). */
  state: 'generating' | 'succeeded' | 'failed';
  successFlag: VeoSuccessFlag;
  /** First non-empty of `response.resultUrls`, `response.fullResultUrls`, `data.resultUrls` (+ seed spots). */
  resultUrls: string[];
  /** Extend tasks: the whole stitched video (observed, not documented). */
  fullResultUrls: string[];
  /** Only present when the aspect ratio is not 16:9. */
  originUrls: string[];
  resolution: string | null;
  errorCode: number | null;
  errorMessage: string | null;
  createTime: Date | null;
  completeTime: Date | null;
  /** Legacy: true ⇒ made by the 720p fallback model, no 1080p upgrade. Absent on 4K tasks. */
  fallbackFlag: boolean | null;
  /** `paramJson` decoded: the request as KIE recorded it (check it when a field seems ignored). */
  params: Record<string, unknown> | null;
}

/** successFlag 0–3 (OpenAPI enum lists 0–2, the prose defines 3). Anything else is not understood. */
export const successFlagSchema = intSchema.pipe(
  z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
);

// Seed 001 reports a status word instead of successFlag; KIE never does. Unknown words fail the parse.
const SEED_STATUS: Record<string, VeoSuccessFlag> = {
  pending: 0,
  waiting: 0,
  queued: 0,
  queuing: 0,
  processing: 0,
  generating: 0,
  running: 0,
  success: 1,
  succeeded: 1,
  completed: 1,
  fail: 2,
  failed: 2,
  error: 2,
};

const urlsBlock = z.looseObject({
  taskId: z.string().nullish().catch(null),
  resultUrls: urlListSchema,
  fullResultUrls: urlListSchema,
  originUrls: urlListSchema,
  resolution: optionalText,
  successFlag: successFlagSchema.optional(),
});

export const veoRecordDataSchema = z
  .looseObject({
    taskId: z.string().nullish().catch(null),
    successFlag: successFlagSchema.optional(),
    /** Seed 001 only. */
    status: z.string().optional(),
    /** Documented location of the results; null/absent until success. */
    response: urlsBlock.nullish(),
    /** Seeds 000/003 put the results under `data.info`. */
    info: urlsBlock.nullish(),
    /** An older quickstart reads `data.resultUrls` (as a JSON string) at the top level. */
    resultUrls: urlListSchema,
    /** Seed 001: a single URL. */
    videoUrl: z.string().nullish(),
    errorCode: intSchema.nullish().catch(null),
    errorMessage: optionalText,
    createTime: timeSchema,
    completeTime: timeSchema,
    /** Seed 001 spells the times ISO `createdAt`/`completedAt`. */
    createdAt: timeSchema,
    completedAt: timeSchema,
    fallbackFlag: optionalFlag,
    paramJson: jsonStringSchema,
  })
  .transform((d, ctx): VeoTaskRecord => {
    const taskId = d.taskId || d.response?.taskId || null;
    if (!taskId) {
      ctx.addIssue({ code: 'custom', message: 'record has no taskId', path: ['taskId'] });
      return z.NEVER;
    }
    const word = d.status?.trim().toLowerCase();
    const successFlag =
      d.successFlag ?? d.info?.successFlag ?? (word !== undefined ? SEED_STATUS[word] : undefined);
    if (successFlag === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'record has no recognisable successFlag',
        path: ['successFlag'],
      });
      return z.NEVER;
    }
    const firstNonEmpty = (...lists: string[][]) => lists.find((l) => l.length > 0) ?? [];
    return {
      taskId,
      state: successFlag === 1 ? 'succeeded' : successFlag === 0 ? 'generating' : 'failed',
      successFlag,
      resultUrls: unique(
        firstNonEmpty(
          d.response?.resultUrls ?? [],
          d.response?.fullResultUrls ?? [],
          d.resultUrls,
          d.info?.resultUrls ?? [],
          d.videoUrl ? [d.videoUrl] : [],
        ),
      ),
      fullResultUrls: d.response?.fullResultUrls ?? [],
      originUrls: firstNonEmpty(d.response?.originUrls ?? [], d.info?.originUrls ?? []),
      resolution: d.response?.resolution ?? d.info?.resolution ?? null,
      errorCode: d.errorCode ?? null,
      errorMessage: d.errorMessage,
      createTime: d.createTime ?? d.createdAt,
      completeTime: d.completeTime ?? d.completedAt,
      fallbackFlag: d.fallbackFlag,
      params: asRecord(d.paramJson),
    };
  });

/** Parses record-info `data`; `requestedTaskId` fills in a record that omits its own id (seed shapes). */
export function parseVeoRecord(data: unknown, requestedTaskId?: string) {
  const record = asRecord(data);
  const hasOwnId = typeof record?.taskId === 'string' && record.taskId !== '';
  return veoRecordDataSchema.safeParse(
    record && requestedTaskId && !hasOwnId ? { ...record, taskId: requestedTaskId } : data,
  );
}
