/**
 * The Market jobs API (docs/kie-api.md#market): POST /jobs/createTask and GET /jobs/recordInfo, with tasks that
 * go waiting → queuing → generating → success | fail, JSON-string `param`/`resultJson`, epoch-ms
 * times, and the Market callback shape.
 */
import { failureMessage, marketCallback } from './callback-bodies.js';
import { dispatchCallback } from './callback-dispatch.js';
import type { SimContext } from './context.js';
import { fail, ok, type Reply } from './envelope.js';
import { fixedTaskFaults } from './faults.js';
import type { FileVariant } from './files.js';
import type { ApiRequest } from './endpoints.js';
import type { SentCallback, SimFaults } from './types.js';
import { validateMarketTask } from './validation.js';

/** Published models the simulator knows, and what they produce. */
export const MARKET_MODELS: ReadonlyMap<string, 'image' | 'video'> = new Map([
  ['google/nano-banana', 'image'],
  ['google/nano-banana-edit', 'image'],
  ['grok-imagine/text-to-image', 'image'],
  ['grok-imagine/image-to-video', 'video'],
  ['kling-2.6/text-to-video', 'video'],
  ['kling-2.6/image-to-video', 'video'],
]);
const MODEL_NAMES: ReadonlySet<string> = new Set(MARKET_MODELS.keys());

export interface MarketTask {
  taskId: string;
  model: string;
  param: string;
  createdAt: number;
  completeAt: number;
  callbackUrl: string | null;
  faults: SimFaults;
  headerFaults: SimFaults;
  outcome: NonNullable<SimFaults['outcome']>;
  callbacks: SentCallback[];
  settled: boolean;
  resultUrls: string[] | null;
}

export function createMarket(ctx: SimContext) {
  const tasks = new Map<string, MarketTask>();

  const variantOf = (model: string): FileVariant =>
    MARKET_MODELS.get(model) === 'video' ? 'original' : 'image';

  function state(t: MarketTask, now = Date.now()): string {
    if (t.settled) return t.outcome === 'success' ? 'success' : 'fail';
    const progress = (now - t.createdAt) / Math.max(1, t.completeAt - t.createdAt);
    return progress < 0.15 ? 'waiting' : progress < 0.3 ? 'queuing' : 'generating';
  }

  function record(t: MarketTask) {
    const s = state(t);
    const failed = s === 'fail' && t.outcome !== 'success' ? t.outcome : null;
    const done = t.settled;
    return {
      taskId: t.taskId,
      model: t.model,
      state: s,
      param: t.param,
      resultJson: s === 'success' ? JSON.stringify({ resultUrls: t.resultUrls }) : '',
      failCode: failed ? String(failed.errorCode) : '',
      failMsg: failed ? (failed.errorMessage ?? failureMessage(failed.errorCode)) : '',
      costTime: done ? t.completeAt - t.createdAt : null,
      completeTime: done ? t.completeAt : null,
      createTime: t.createdAt,
      updateTime: done ? t.completeAt : Date.now(),
    };
  }

  function settle(t: MarketTask) {
    if (t.settled) return;
    t.settled = true;
    if (t.outcome === 'success')
      t.resultUrls = [ctx.files.mint(t.taskId, variantOf(t.model), ctx.o.urlTtlMs, t.completeAt)];
    const url = t.callbackUrl;
    if (!url) return;
    // The callback's costTime looks like seconds (8) where recordInfo's is ms (15000).
    const body = marketCallback(record(t), {
      consumeCredits: 0,
      remainedCredits: ctx.account.balance(),
      costTime: Math.round((t.completeAt - t.createdAt) / 1000),
    });
    void dispatchCallback(ctx, t.faults, {
      real: () =>
        ctx.callbacks.deliver({
          url,
          body,
          taskId: t.taskId,
          kind: 'normal',
          record: (c) => t.callbacks.push(c),
        }),
    });
  }

  function get(taskId: string): MarketTask | undefined {
    const t = tasks.get(taskId);
    if (t && !t.settled && Date.now() >= t.completeAt) settle(t);
    return t;
  }

  return {
    get,
    createTask(r: ApiRequest): Reply {
      const header = r.faults;
      const v = validateMarketTask(r.body, MODEL_NAMES);
      if (typeof v === 'string') return fail(422, v);
      // Market prices are per model and not modelled: jobs cost nothing here.
      if (!ctx.rateLimiter.tryAcquire()) {
        ctx.counters.rateLimited++;
        return fail(429);
      }
      const vendor = v.model.split('/')[0]!.replace(/[^a-z0-9]/gi, '');
      const taskId = `task_${vendor}_${ctx.rng.ids.hex(24)}`;
      const now = Date.now();
      const faults = fixedTaskFaults(ctx.scenario.faults, header, ctx.rng.faults);
      const duration = ctx.o.durationsMs.market;
      const t: MarketTask = {
        taskId,
        model: v.model,
        param: JSON.stringify({
          model: v.model,
          ...(v.callBackUrl ? { callBackUrl: v.callBackUrl } : {}),
          input: v.input,
        }),
        createdAt: now,
        completeAt: now + duration,
        callbackUrl: v.callBackUrl,
        faults,
        headerFaults: header,
        outcome: faults.outcome ?? 'success',
        callbacks: [],
        settled: false,
        resultUrls: null,
      };
      tasks.set(taskId, t);
      ctx.scheduler.later(duration, () => settle(t));
      return ok({ taskId });
    },
    recordInfo(r: ApiRequest): Reply {
      const taskId = r.url.searchParams.get('taskId');
      if (!taskId) return fail(422, 'taskId is required');
      const t = get(taskId);
      return t ? ok(record(t)) : fail(422, 'recordInfo is null');
    },
    view(t: MarketTask) {
      return {
        ...record(t),
        callbackUrl: t.callbackUrl,
        callbacks: t.callbacks.map((c) => ({ ...c })),
        faults: t.faults,
      };
    },
  };
}

export type Market = ReturnType<typeof createMarket>;
