/**
 * The Market jobs API (docs/kie-api.md#market, #market-models): POST /jobs/createTask and GET /jobs/recordInfo,
 * for the models of market-models.ts. A task is charged its price on creation (402 when the balance
 * cannot pay; refunded if it fails), goes waiting → queuing → generating → success | fail, and reports
 * JSON-string `param`/`resultJson`, epoch-ms times, `creditsConsumed`, and the Market callback shape.
 * Like a Veo task, it is settled by its timer or by whichever request sees it first past `completeAt`.
 */
import { INSUFFICIENT_CREDITS } from './account.js';
import { failureMessage, marketCallback } from './callback-bodies.js';
import { dispatchCallback } from './callback-dispatch.js';
import type { Delivery } from './callbacks.js';
import type { SimContext } from './context.js';
import { fail, ok, type Reply } from './envelope.js';
import { createdReply, fixedTaskFaults } from './faults.js';
import type { ApiRequest } from './endpoints.js';
import { MARKET_MODELS, marketPrice, type MarketModelName, type MarketModelSpec } from './market-models.js';
import type { ImageFormat } from './media.js';
import type { MarketTaskView, SentCallback, SimFaults } from './types.js';
import { validateMarketTask } from './validation.js';

interface MarketResults {
  resultUrls: string[];
  /** Sora only: the same videos with the watermark. */
  resultWaterMarkUrls: string[] | null;
}

export interface MarketTask {
  taskId: string;
  model: MarketModelName;
  spec: MarketModelSpec;
  param: string;
  input: Record<string, unknown>;
  createdAt: number;
  completeAt: number;
  callbackUrl: string | null;
  /** Fixed at creation (see faults.ts). */
  faults: SimFaults;
  /** This task's own X-Sim-Faults, which also override the scenario for its downloads. */
  headerFaults: SimFaults;
  outcome: NonNullable<SimFaults['outcome']>;
  callbacks: SentCallback[];
  price: number;
  refunded: boolean;
  settled: boolean;
  results: MarketResults | null;
}

type MarketState = MarketTaskView['state'];

/** Task ids as KIE's examples spell them: `task_google_…`, `task_kling-2.6_…`, `task_sora-2-image-to-video_…`. */
const idPrefix = (model: string) => `task_${model.split('/')[0]}`;

export function createMarket(ctx: SimContext) {
  const tasks = new Map<string, MarketTask>();

  const progressOf = (t: MarketTask, now: number) =>
    (now - t.createdAt) / Math.max(1, t.completeAt - t.createdAt);

  function state(t: MarketTask, now = Date.now()): MarketState {
    if (t.settled) return t.outcome === 'success' ? 'success' : 'fail';
    const progress = progressOf(t, now);
    return progress < 0.15 ? 'waiting' : progress < 0.3 ? 'queuing' : 'generating';
  }

  const resultJson = (r: MarketResults) =>
    JSON.stringify({
      resultUrls: r.resultUrls,
      ...(r.resultWaterMarkUrls ? { resultWaterMarkUrls: r.resultWaterMarkUrls } : {}),
    });

  /** data of GET /jobs/recordInfo (docs/kie-api.md#market). */
  function record(t: MarketTask) {
    const now = Date.now();
    const s = state(t, now);
    const failed = s === 'fail' && t.outcome !== 'success' ? t.outcome : null;
    const done = t.settled;
    return {
      taskId: t.taskId,
      model: t.model,
      state: s,
      param: t.param,
      resultJson: s === 'success' ? resultJson(t.results!) : '',
      failCode: failed ? String(failed.errorCode) : '',
      failMsg: failed ? (failed.errorMessage ?? failureMessage(failed.errorCode)) : '',
      costTime: done ? t.completeAt - t.createdAt : null,
      completeTime: done ? t.completeAt : null,
      createTime: t.createdAt,
      updateTime: done ? t.completeAt : now,
      // A failed task is refunded, so it consumed nothing.
      creditsConsumed: done ? (s === 'success' ? t.price : 0) : null,
      // "Only returned when model is sora2 or sora2 pro."
      ...(t.spec.sora
        ? { progress: s === 'success' ? 100 : Math.min(99, Math.floor(progressOf(t, now) * 100)) }
        : {}),
    };
  }

  function mintResults(t: MarketTask): MarketResults {
    const ttl = ctx.o.urlTtlMs;
    if (t.spec.output === 'video') {
      return {
        resultUrls: [ctx.files.mint(t.taskId, 'original', ttl, t.completeAt)],
        resultWaterMarkUrls: t.spec.sora
          ? [ctx.files.mint(t.taskId, 'watermarked', ttl, t.completeAt)]
          : null,
      };
    }
    const format: ImageFormat = t.spec.imageFormat?.(t.input, ctx.o.marketImageFormat) ?? 'png';
    const count = ctx.o.marketImageCount ?? t.spec.amount(t.input);
    return {
      resultUrls: Array.from({ length: count }, (_, i) =>
        ctx.files.mint(t.taskId, format, ttl, t.completeAt, i),
      ),
      resultWaterMarkUrls: null,
    };
  }

  /** The callback body for a record (the task's own, or a stale or foreign variant of it). */
  function callbackBody(rec: ReturnType<typeof record>) {
    return marketCallback(rec, {
      consumeCredits: rec.creditsConsumed ?? 0,
      remainedCredits: ctx.account.balance(),
      // The callback's costTime looks like seconds (8) where recordInfo's is ms (15000).
      costTime: rec.costTime === null ? null : Math.round(rec.costTime / 1000),
    });
  }

  /** What a late, stale callback would say: the opposite outcome. */
  function staleRecord(t: MarketTask): ReturnType<typeof record> {
    const rec = record(t);
    if (rec.state === 'success') {
      return {
        ...rec,
        state: 'fail',
        resultJson: '',
        failCode: '500',
        failMsg: failureMessage(500),
        creditsConsumed: 0,
      };
    }
    const bogus = t.spec.output === 'video' ? 'original' : 'png';
    return {
      ...rec,
      state: 'success',
      resultJson: JSON.stringify({ resultUrls: [ctx.files.bogusUrl(bogus)] }),
      failCode: '',
      failMsg: '',
      creditsConsumed: t.price,
    };
  }

  function deliver(t: MarketTask, body: unknown, kind: SentCallback['kind'], taskId = t.taskId): Delivery {
    return ctx.callbacks.deliver({
      url: t.callbackUrl!,
      body,
      taskId,
      kind,
      record: taskId === t.taskId ? (c) => t.callbacks.push(c) : undefined,
    });
  }

  /** Settles the task (once) and starts its callback; resolves when the first callback attempt is over. */
  function settle(t: MarketTask): Promise<void> {
    if (t.settled) return Promise.resolve();
    t.settled = true;
    if (t.outcome === 'success') {
      t.results = mintResults(t);
    } else {
      ctx.account.refundFailed(t);
    }
    ctx.o.log(`market task ${t.taskId} ${t.outcome === 'success' ? 'succeeded' : 'failed'}`);
    if (!t.callbackUrl) return Promise.resolve();
    return dispatchCallback(ctx, t.faults, {
      real: () => deliver(t, callbackBody(record(t)), 'normal'),
      stale: () => deliver(t, callbackBody(staleRecord(t)), 'stale'),
      foreign: () => {
        const foreignId = `${idPrefix(t.model)}_${ctx.rng.misc.hex(24)}`;
        const rec = {
          ...record(t),
          taskId: foreignId,
          state: 'success' as const,
          resultJson: JSON.stringify({ resultUrls: [ctx.files.bogusUrl('original')] }),
          failCode: '',
          failMsg: '',
          creditsConsumed: t.price,
        };
        return deliver(t, callbackBody(rec), 'normal', foreignId);
      },
    });
  }

  /** Lazily settles a task that is due, so every read agrees with the clock. */
  function get(taskId: string): MarketTask | undefined {
    const t = tasks.get(taskId);
    if (t && !t.settled && Date.now() >= t.completeAt) void settle(t);
    return t;
  }

  function view(t: MarketTask): MarketTaskView {
    return {
      ...record(t),
      callbackUrl: t.callbackUrl,
      callbacks: t.callbacks.map((c) => ({ ...c, headers: { ...c.headers } })),
      price: t.price,
      refunded: t.refunded,
      faults: structuredClone(t.faults),
    };
  }

  return {
    get,
    view,
    /** Every Market task ever created, oldest first. */
    all: (): MarketTask[] => [...tasks.keys()].map((id) => get(id)!),

    async createTask(r: ApiRequest): Promise<Reply> {
      const header = r.faults;
      const v = validateMarketTask(r.body, MARKET_MODELS);
      if (typeof v === 'string') return fail(422, v);
      const spec = MARKET_MODELS[v.model];
      const price = marketPrice(spec, v.input, ctx.o.marketPrices[v.model]);
      // Checked before the limiter so a request refused for credits does not use up the window.
      if (ctx.account.balance() < price) return fail(402, INSUFFICIENT_CREDITS);
      if (!ctx.rateLimiter.tryAcquire()) {
        ctx.counters.rateLimited++;
        return fail(429);
      }
      ctx.account.charge(price);
      const taskId = `${idPrefix(v.model)}_${ctx.rng.ids.hex(24)}`;
      const faults = fixedTaskFaults(ctx.scenario.faults, header, ctx.rng.faults);
      const early = faults.callback === 'early';
      const duration = ctx.o.durationsMs[v.model] ?? ctx.o.durationsMs.market;
      const now = Date.now();
      const t: MarketTask = {
        taskId,
        model: v.model,
        spec,
        // KIE records the request as sent.
        param: JSON.stringify({
          model: v.model,
          ...(v.callBackUrl ? { callBackUrl: v.callBackUrl } : {}),
          ...(v.progressCallBackUrl ? { progressCallBackUrl: v.progressCallBackUrl } : {}),
          input: v.input,
        }),
        input: v.input,
        createdAt: now,
        completeAt: early ? now : now + duration,
        callbackUrl: v.callBackUrl,
        faults,
        headerFaults: header,
        outcome: faults.outcome ?? 'success',
        callbacks: [],
        price,
        refunded: false,
        settled: false,
        results: null,
      };
      tasks.set(taskId, t);
      // The 'early' fault: done at once, its callback's first attempt over before the reply goes out.
      if (early) await settle(t);
      else ctx.scheduler.later(duration, () => void settle(t));
      return createdReply(ctx.scenario.faults, header, taskId);
    },

    recordInfo(r: ApiRequest): Reply {
      const taskId = r.url.searchParams.get('taskId');
      if (!taskId) return fail(422, 'taskId is required');
      const t = get(taskId);
      return t ? ok(record(t)) : fail(422, 'recordInfo is null');
    },
  };
}

export type Market = ReturnType<typeof createMarket>;
