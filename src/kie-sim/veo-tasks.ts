/**
 * Veo tasks (generate and extend) and their lifecycle: generating until `completeAt`, then settled
 * once — succeeded (result URLs minted) or failed (credits refunded) — and the callback sent. A task
 * is settled by its timer, or by whichever request sees it first past `completeAt`, so record-info
 * never contradicts the clock. Also the 1080p and 4K upgrades of a succeeded task.
 */
import {
  failureMessage,
  fourKSuccessCallback,
  veoFailureCallback,
  veoSuccessCallback,
} from './callback-bodies.js';
import { dispatchCallback } from './callback-dispatch.js';
import type { SimContext } from './context.js';
import type { SentCallback, SimFaults, SimTaskView } from './types.js';

export interface VeoTask {
  taskId: string;
  kind: 'generate' | 'extend';
  model: string;
  request: Record<string, unknown>;
  rawRequest: Record<string, unknown>;
  aspectRatio: string;
  parentTaskId: string | null;
  createdAt: number;
  completeAt: number;
  outcome: NonNullable<SimFaults['outcome']>;
  /** Fixed at creation (see faults.ts). */
  faults: SimFaults;
  /** This task's own X-Sim-Faults, which also override the scenario for its later requests. */
  headerFaults: SimFaults;
  callbackUrl: string | null;
  callbacks: SentCallback[];
  price: number;
  refunded: boolean;
  settled: boolean;
  urls: { resultUrls: string[]; originUrls: string[] | null } | null;
  hd1080: { requestedAt: number; readyAt: number; url: string | null; urlExpiresAt: number } | null;
  fourK: {
    requestedAt: number;
    readyAt: number;
    callbackUrl: string | null;
    urls: { resultUrls: string[]; imageUrls: string[] } | null;
  } | null;
}

export type NewVeoTask = Pick<
  VeoTask,
  'kind' | 'model' | 'request' | 'rawRequest' | 'aspectRatio' | 'parentTaskId' | 'callbackUrl' | 'price'
> & { durationMs: number; faults: SimFaults; headerFaults: SimFaults };

/** Resolution reported for a finished generation (the 1080p and 4K versions come from upgrades). */
const RESOLUTION = '720p';

/** "YYYY-MM-DD HH:mm:ss" as in KIE's examples; UTC, since the docs give no zone. */
export const kieTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

export function createVeoTasks(ctx: SimContext) {
  const tasks = new Map<string, VeoTask>();

  const successFlagOf = (t: VeoTask): 0 | 1 | 2 | 3 =>
    !t.settled ? 0 : t.outcome === 'success' ? 1 : t.outcome.successFlag;

  function stateOf(t: VeoTask): SimTaskView['state'] {
    const flag = successFlagOf(t);
    return flag === 0 ? 'generating' : flag === 1 ? 'succeeded' : 'failed';
  }

  /**
   * A successful generate task under the `fallback` fault: its video came from KIE's legacy fallback
   * model. Only normal generation tasks ever carried the flag (docs/kie-api.md#record-info), and a failed task
   * has no video to flag.
   */
  const madeByFallback = (t: VeoTask): boolean =>
    t.kind === 'generate' && t.faults.fallback === true && t.outcome === 'success';

  function mintResultUrls(t: VeoTask) {
    const ttl = ctx.o.urlTtlMs;
    // Only a non-16:9 video has an uncropped original (docs/kie-api.md#record-info); the fallback model made
    // 16:9 only (docs/kie-api.md#generate) and its success carries none (docs/kie-api.md#callback-shapes).
    const hasOrigin = t.aspectRatio !== '16:9' && !madeByFallback(t);
    // The lifetime runs from completion, as a real CDN link's would; the original is the same file here.
    return {
      resultUrls: [ctx.files.mint(t.taskId, 'original', ttl, t.completeAt)],
      originUrls: hasOrigin ? [ctx.files.mint(t.taskId, 'original', ttl, t.completeAt)] : null,
    };
  }

  function deliver(t: VeoTask, body: unknown, kind: SentCallback['kind'], taskId = t.taskId) {
    return ctx.callbacks.deliver({
      url: t.callbackUrl!,
      body,
      taskId,
      kind,
      record: taskId === t.taskId ? (c) => t.callbacks.push(c) : undefined,
    });
  }

  function completionCallback(t: VeoTask): unknown {
    if (t.outcome === 'success') {
      return veoSuccessCallback({
        taskId: t.taskId,
        resultUrls: t.urls!.resultUrls,
        originUrls: t.urls!.originUrls,
        resolution: RESOLUTION,
        promptJson: t.request,
        fallback: madeByFallback(t),
      });
    }
    return veoFailureCallback(
      t.taskId,
      t.outcome.errorCode,
      t.outcome.errorMessage ?? failureMessage(t.outcome.errorCode),
    );
  }

  /** The opposite of what happened, as a late stale callback would say it. */
  function staleCallback(t: VeoTask): unknown {
    if (t.outcome !== 'success') {
      return veoSuccessCallback({
        taskId: t.taskId,
        resultUrls: [ctx.files.bogusUrl('original')],
        originUrls: null,
        resolution: RESOLUTION,
        promptJson: t.request,
      });
    }
    return veoFailureCallback(t.taskId, 500, 'Internal Error - Timeout');
  }

  /** Settles the task (once) and starts its callback; resolves when the first callback attempt is over. */
  function settle(t: VeoTask): Promise<void> {
    if (t.settled) return Promise.resolve();
    t.settled = true;
    if (t.outcome === 'success') {
      t.urls = mintResultUrls(t);
    } else {
      ctx.account.refundFailed(t);
    }
    ctx.o.log(`task ${t.taskId} ${t.outcome === 'success' ? 'succeeded' : 'failed'}`);
    if (!t.callbackUrl) return Promise.resolve();
    return dispatchCallback(ctx, t.faults, {
      real: () => deliver(t, completionCallback(t), 'normal'),
      stale: () => deliver(t, staleCallback(t), 'stale'),
      foreign: () => {
        const foreignId = `veo_task_${ctx.rng.misc.hex(32)}`;
        const body = veoSuccessCallback({
          taskId: foreignId,
          resultUrls: [ctx.files.bogusUrl('original')],
          originUrls: null,
          resolution: RESOLUTION,
          promptJson: { prompt: 'a task this account never created', model: 'veo3_fast' },
        });
        return deliver(t, body, 'normal', foreignId);
      },
    });
  }

  /** Lazily settles a task that is due, so every read agrees with the clock. */
  function get(taskId: string): VeoTask | undefined {
    const t = tasks.get(taskId);
    if (t && !t.settled && Date.now() >= t.completeAt) void settle(t);
    return t;
  }

  return {
    get,

    /** Every Veo task ever created, oldest first (the control API lists them for audits). */
    all(): VeoTask[] {
      return [...tasks.keys()].map((id) => get(id)!);
    },

    /**
     * Registers a task and schedules its completion. With the 'early' callback fault it completes at
     * once, and the returned promise waits for the first callback attempt, so that callback lands
     * before the generate reply.
     */
    create(n: NewVeoTask): { task: VeoTask; ready: Promise<void> } {
      const prefix = n.kind === 'extend' ? 'veo_extend_task' : 'veo_task';
      const taskId = `${prefix}_${ctx.rng.ids.hex(32)}`;
      const early = n.faults.callback === 'early';
      const now = Date.now();
      const t: VeoTask = {
        taskId,
        kind: n.kind,
        model: n.model,
        request: n.request,
        rawRequest: n.rawRequest,
        aspectRatio: n.aspectRatio,
        parentTaskId: n.parentTaskId,
        createdAt: now,
        completeAt: early ? now : now + n.durationMs,
        outcome: n.faults.outcome ?? 'success',
        faults: n.faults,
        headerFaults: n.headerFaults,
        callbackUrl: n.callbackUrl,
        callbacks: [],
        price: n.price,
        refunded: false,
        settled: false,
        urls: null,
        hd1080: null,
        fourK: null,
      };
      tasks.set(taskId, t);
      if (early) return { task: t, ready: settle(t) };
      ctx.scheduler.later(n.durationMs, () => void settle(t));
      return { task: t, ready: Promise.resolve() };
    },

    state: stateOf,
    madeByFallback,

    /** data of GET /veo/record-info (docs/kie-api.md#record-info). */
    recordInfo(t: VeoTask) {
      const successFlag = successFlagOf(t);
      const failed = t.outcome !== 'success' && t.settled ? t.outcome : null;
      const urls = successFlag === 1 ? t.urls! : null;
      return {
        taskId: t.taskId,
        paramJson: JSON.stringify(t.request),
        completeTime: t.settled ? kieTime(t.completeAt) : null,
        response: urls
          ? {
              taskId: t.taskId,
              resultUrls: urls.resultUrls,
              originUrls: urls.originUrls,
              // Extend tasks also report the whole stitched video (observed by clients).
              ...(t.kind === 'extend' ? { fullResultUrls: urls.resultUrls } : {}),
              resolution: RESOLUTION,
            }
          : null,
        successFlag,
        errorCode: failed ? failed.errorCode : null,
        errorMessage: failed ? (failed.errorMessage ?? failureMessage(failed.errorCode)) : '',
        createTime: kieTime(t.createdAt),
        // Set once the video exists; its resolution stays 720p, as the fallback model's was.
        fallbackFlag: successFlag === 1 && madeByFallback(t),
      };
    },

    /** The 1080p URL, or null while "processing". Charged once, on the first request. */
    hd1080(t: VeoTask, never: boolean): { url: string | null; charged: boolean } | 'insufficient' {
      const now = Date.now();
      if (!t.hd1080) {
        if (!ctx.account.charge(ctx.o.prices.hd1080)) return 'insufficient';
        t.hd1080 = {
          requestedAt: now,
          readyAt: t.completeAt + ctx.o.hd1080DelayMs,
          url: null,
          urlExpiresAt: 0,
        };
      }
      const hd = t.hd1080;
      if (never || now < hd.readyAt) return { url: null, charged: true };
      // A fresh temporary link once the previous one has expired.
      if (!hd.url || now >= hd.urlExpiresAt) {
        hd.url = ctx.files.mint(t.taskId, '1080p', ctx.o.urlTtlMs, now);
        hd.urlExpiresAt = now + ctx.o.urlTtlMs;
      }
      return { url: hd.url, charged: true };
    },

    /** POST /veo/get-4k-video: 'started' the first time, then processing until ready. */
    fourK(
      t: VeoTask,
      callbackUrl: string | null,
    ): 'started' | 'processing' | 'insufficient' | { resultUrls: string[]; imageUrls: string[] } {
      const now = Date.now();
      if (!t.fourK) {
        if (!ctx.account.charge(ctx.o.prices.fourK)) return 'insufficient';
        const fk = { requestedAt: now, readyAt: now + ctx.o.durationsMs.fourK, callbackUrl, urls: null };
        t.fourK = fk;
        ctx.scheduler.later(ctx.o.durationsMs.fourK, () => settle4k(t));
        return 'started';
      }
      if (now < t.fourK.readyAt) return 'processing';
      settle4k(t);
      return t.fourK.urls!;
    },

    view(t: VeoTask): SimTaskView {
      const { settled: _s, urls: _u, headerFaults: _h, outcome: _o, ...rest } = t;
      return {
        ...rest,
        state: stateOf(t),
        successFlag: successFlagOf(t),
        request: structuredClone(t.request),
        rawRequest: structuredClone(t.rawRequest),
        callbacks: t.callbacks.map((c) => ({ ...c, headers: { ...c.headers } })),
        faults: structuredClone(t.faults),
        hd1080: t.hd1080 ? { requestedAt: t.hd1080.requestedAt, readyAt: t.hd1080.readyAt } : null,
        fourK: t.fourK
          ? { requestedAt: t.fourK.requestedAt, readyAt: t.fourK.readyAt, callbackUrl: t.fourK.callbackUrl }
          : null,
      };
    },
  };

  function settle4k(t: VeoTask) {
    const fk = t.fourK;
    if (!fk || fk.urls) return;
    const ttl = ctx.o.urlTtlMs;
    fk.urls = {
      resultUrls: [ctx.files.mint(t.taskId, '4k', ttl, fk.readyAt)],
      imageUrls: [ctx.files.mint(t.taskId, 'jpeg', ttl, fk.readyAt)],
    };
    const url = fk.callbackUrl;
    if (!url) return;
    const body = fourKSuccessCallback(t.taskId, fk.urls.resultUrls, fk.urls.imageUrls);
    // The completion faults apply to the 4K callback too (drop, duplicate, delay); there is no stale 4K callback.
    void dispatchCallback(ctx, t.faults, {
      real: () =>
        ctx.callbacks.deliver({
          url,
          body,
          taskId: t.taskId,
          kind: '4k',
          record: (c) => t.callbacks.push(c),
        }),
    });
  }
}

export type VeoTasks = ReturnType<typeof createVeoTasks>;
