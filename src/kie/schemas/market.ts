/**
 * The Market / jobs API (non-Veo models, docs/kie-api.md#market): `recordInfo` data and the Market callback
 * share one record shape. `param` and `resultJson` are JSON strings; times are epoch milliseconds;
 * a failed task is still a code-200 envelope with `state: "fail"` and a string `failCode`.
 */
import { z } from 'zod';
import {
  asRecord,
  intSchema,
  jsonStringSchema,
  optionalNumber,
  optionalText,
  timeSchema,
  urlListSchema,
} from './primitives.js';

export type MarketState = 'waiting' | 'queuing' | 'generating' | 'success' | 'fail';

export interface MarketTaskRecord {
  taskId: string;
  model: string | null;
  state: MarketState;
  /** `param` decoded: the createTask body as KIE recorded it. */
  params: unknown;
  /** `resultJson.resultUrls` (media models). */
  resultUrls: string[];
  /** `resultJson.resultWaterMarkUrls` (Sora-type models, observed). */
  resultWaterMarkUrls: string[];
  /** `resultJson.resultObject` (text models). */
  resultObject: unknown;
  /** A string in the docs (`"422"`); numbers are turned into strings; `""` → null. */
  failCode: string | null;
  failMsg: string | null;
  /** As sent: milliseconds in recordInfo (15000), apparently seconds in callbacks (8). */
  costTime: number | null;
  /** `creditsConsumed` (recordInfo, observed) or `consumeCredits` (callback). */
  creditsConsumed: number | null;
  progress: number | null;
  createTime: Date | null;
  completeTime: Date | null;
  updateTime: Date | null;
}

// Documented: waiting → queuing → generating → success | fail. Clients also see `queueing`, `failed`.
const STATES: Record<string, MarketState> = {
  waiting: 'waiting',
  queuing: 'queuing',
  queueing: 'queuing',
  generating: 'generating',
  success: 'success',
  fail: 'fail',
  failed: 'fail',
};

export const marketStateSchema = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.enum(Object.keys(STATES) as [string, ...string[]]))
  .transform((s): MarketState => STATES[s] ?? 'waiting');

const resultJsonSchema = jsonStringSchema.transform((v) => {
  const r = asRecord(v) ?? {};
  const urls = urlListSchema.catch([]);
  return {
    resultUrls: urls.parse(r.resultUrls),
    resultWaterMarkUrls: urls.parse(r.resultWaterMarkUrls),
    resultObject: r.resultObject ?? null,
  };
});

export const marketRecordDataSchema = z
  .looseObject({
    taskId: z.string().trim().min(1),
    model: optionalText,
    state: marketStateSchema,
    param: jsonStringSchema,
    resultJson: resultJsonSchema,
    failCode: z
      .union([z.string(), intSchema])
      .nullish()
      .transform((v) => (v === null || v === undefined || v === '' ? null : String(v)))
      .catch(null),
    failMsg: optionalText,
    costTime: optionalNumber,
    creditsConsumed: optionalNumber,
    consumeCredits: optionalNumber,
    progress: optionalNumber,
    createTime: timeSchema,
    completeTime: timeSchema,
    updateTime: timeSchema,
  })
  .transform((d): MarketTaskRecord => ({
    taskId: d.taskId,
    model: d.model,
    state: d.state,
    params: d.param,
    resultUrls: d.resultJson.resultUrls,
    resultWaterMarkUrls: d.resultJson.resultWaterMarkUrls,
    resultObject: d.resultJson.resultObject,
    failCode: d.failCode,
    failMsg: d.failMsg,
    costTime: d.costTime,
    creditsConsumed: d.creditsConsumed ?? d.consumeCredits,
    progress: d.progress,
    createTime: d.createTime,
    completeTime: d.completeTime,
    updateTime: d.updateTime,
  }));
