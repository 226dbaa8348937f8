/** The Veo 3.1 endpoints (docs/kie-api.md#endpoints): generate, record-info, get-1080p-video, get-4k-video, extend. */
import { INSUFFICIENT_CREDITS } from './account.js';
import type { SimContext } from './context.js';
import { fail, HD_PROCESSING, ok, type Reply } from './envelope.js';
import { createdReply, fixedTaskFaults, liveTaskFaults } from './faults.js';
import type { ApiRequest } from './endpoints.js';
import type { SimFaults } from './types.js';
import { validate4k, validateExtend, validateGenerate, validateIndex } from './validation.js';
import type { NewVeoTask, VeoTask, VeoTasks } from './veo-tasks.js';

const FOURK_PROCESSING = '4k is processing. It should be ready in 5-10 minutes. Please check back shortly.';
const FOURK_DONE = 'The video has been generated successfully';
const RECORD_NULL = 'record is null';
const NOT_SUCCESS = 'record status is not success';
const RESULT_BLANK = 'record result data is blank';

export function createVeoApi(ctx: SimContext, tasks: VeoTasks) {
  /**
   * What creating a task shares between generate and extend: per-request faults, the rate limit
   * and the credit check, then the task, whose reply waits for an 'early' callback.
   */
  async function startTask(
    header: SimFaults,
    n: Omit<NewVeoTask, 'faults' | 'headerFaults'>,
  ): Promise<Reply> {
    // Checked before the limiter so a request refused for credits does not use up the window.
    if (ctx.account.balance() < n.price) return fail(402, INSUFFICIENT_CREDITS);
    if (!ctx.rateLimiter.tryAcquire()) {
      ctx.counters.rateLimited++;
      return fail(429);
    }
    ctx.account.charge(n.price);
    const { task, ready } = tasks.create({
      ...n,
      faults: fixedTaskFaults(ctx.scenario.faults, header, ctx.rng.faults),
      headerFaults: header,
    });
    await ready;
    return createdReply(ctx.scenario.faults, header, task.taskId);
  }

  /** A task that exists and succeeded, or the 422 KIE answers. */
  function succeededTask(taskId: string): VeoTask | Reply {
    const t = tasks.get(taskId);
    if (!t) return fail(422, RECORD_NULL);
    if (tasks.state(t) !== 'succeeded') return fail(422, NOT_SUCCESS);
    return t;
  }
  const isTask = (v: VeoTask | Reply): v is VeoTask => typeof (v as VeoTask).taskId === 'string';

  return {
    async generate(r: ApiRequest): Promise<Reply> {
      const v = validateGenerate(r.body, ctx.o.relaxedReference);
      if (typeof v === 'string') return fail(422, v);
      const request: Record<string, unknown> = {
        prompt: v.prompt,
        model: v.model,
        generationType: v.generationType,
        aspectRatio: v.aspectRatio,
        ...(v.imageUrls.length > 0 ? { imageUrls: v.imageUrls } : {}),
        seeds: v.seeds ?? ctx.rng.ids.int(10000, 99999),
        enableTranslation: v.enableTranslation,
        enableFallback: false,
        // KIE echoes the watermark under its legacy name.
        ...(v.watermark ? { waterMark: v.watermark } : {}),
        ...(v.callBackUrl ? { callBackUrl: v.callBackUrl } : {}),
      };
      return startTask(r.faults, {
        kind: 'generate',
        model: v.model,
        request,
        rawRequest: r.body,
        aspectRatio: v.aspectRatio,
        parentTaskId: null,
        callbackUrl: v.callBackUrl,
        price: ctx.o.prices[v.model],
        durationMs: ctx.o.durationsMs[v.model],
      });
    },

    async extend(r: ApiRequest): Promise<Reply> {
      const v = validateExtend(r.body);
      if (typeof v === 'string') return fail(422, v);
      const parent = succeededTask(v.taskId);
      if (!isTask(parent)) return parent;
      const request: Record<string, unknown> = {
        taskId: parent.taskId,
        prompt: v.prompt,
        model: v.model,
        seeds: v.seeds ?? ctx.rng.ids.int(10000, 99999),
        ...(v.watermark ? { waterMark: v.watermark } : {}),
        ...(v.callBackUrl ? { callBackUrl: v.callBackUrl } : {}),
      };
      return startTask(r.faults, {
        kind: 'extend',
        model: v.model,
        request,
        rawRequest: r.body,
        aspectRatio: parent.aspectRatio,
        parentTaskId: parent.taskId,
        callbackUrl: v.callBackUrl,
        price: ctx.o.prices.extend,
        durationMs: ctx.o.durationsMs.extend,
      });
    },

    recordInfo(r: ApiRequest): Reply {
      ctx.counters.recordInfoCalls++;
      const taskId = r.url.searchParams.get('taskId');
      if (!taskId) return fail(422, 'taskId is required');
      const t = tasks.get(taskId);
      return t ? ok(tasks.recordInfo(t)) : fail(422, RECORD_NULL);
    },

    get1080p(r: ApiRequest): Reply {
      const taskId = r.url.searchParams.get('taskId');
      if (!taskId) return fail(422, 'taskId is required');
      const index = validateIndex(r.url.searchParams.get('index'));
      if (typeof index === 'string') return fail(422, index);
      const t = succeededTask(taskId);
      if (!isTask(t)) return t;
      if (index > 0) return fail(422, 'record result data not exist');
      // A fallback video has no 1080p (docs/kie-api.md#1080p: "N/A"); the docs give no text of their own
      // for it, and of the 422 `record ...` texts only "result data is blank" fits a task that did
      // succeed but has nothing to upgrade. Refused before the 1080p charge: nothing is made.
      if (tasks.madeByFallback(t)) return fail(422, RESULT_BLANK);
      const faults = liveTaskFaults(ctx.scenario.faults, t.headerFaults);
      if (faults.hd1080 === 'refused') return fail(422, RESULT_BLANK);
      const hd = tasks.hd1080(t, faults.hd1080 === 'never');
      if (hd === 'insufficient') return fail(402, INSUFFICIENT_CREDITS);
      if (!hd.url) return fail(faults.hd1080 === 'pending-as-500' ? 500 : 400, HD_PROCESSING);
      return ok({ resultUrl: hd.url });
    },

    get4k(r: ApiRequest): Reply {
      const v = validate4k(r.body);
      if (typeof v === 'string') return fail(422, v);
      const t = succeededTask(v.taskId);
      if (!isTask(t)) return t;
      if (v.index > 0) return fail(422, 'record result data not exist');
      const empty = { taskId: t.taskId, resultUrls: null, imageUrls: null };
      const result = tasks.fourK(t, v.callBackUrl);
      if (result === 'insufficient') return fail(402, INSUFFICIENT_CREDITS);
      if (result === 'started') return ok(empty);
      // Repeat requests answer 422 even when done: the URLs ride along in data.
      if (result === 'processing') return fail(422, FOURK_PROCESSING, empty);
      return fail(422, FOURK_DONE, { taskId: t.taskId, ...result });
    },
  };
}
