/**
 * The KIE simulator: an HTTP server imitating api.kie.ai (docs/kie-api.md) — Veo, Common and Market
 * endpoints, result files at expiring URLs, signed callbacks, and faults on demand — plus a small
 * control API under /_sim. It is "the KIE side": it shares no code with the client in src/kie.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAccount } from './account.js';
import { createCallbackSender } from './callbacks.js';
import { createCommonApi } from './common-api.js';
import type { SimContext } from './context.js';
import { bearerKey, fail, readJsonObject, sendReply, type Reply } from './envelope.js';
import { copyFaults, liveTaskFaults, parseFaults, parseFaultsHeader, scriptedReply } from './faults.js';
import {
  createFileStore,
  FILE_EXTENSIONS,
  FILE_PATH,
  isImageVariant,
  sendMedia,
  type FileEntry,
} from './files.js';
import { createMarket } from './market.js';
import { IMAGE_CONTENT_TYPES, imageMedia, notMp4Media, sha256Of, videoMedia, type Media } from './media.js';
import { resolveOptions } from './options.js';
import { createRandom } from './prng.js';
import { createRateLimiter } from './rate-limit.js';
import { GENERATE_PATH } from './endpoints.js';
import { buildRoutes } from './routes.js';
import { createScheduler } from './scheduler.js';
import type { KieSimulator, SimFaults, SimOptions, VideoVariant } from './types.js';
import { createVeoApi } from './veo-api.js';
import { createVeoTasks } from './veo-tasks.js';

export async function startKieSimulator(options: SimOptions = {}): Promise<KieSimulator> {
  const o = resolveOptions(options);
  let baseUrl = '';
  const scheduler = createScheduler();
  const rngTokens = createRandom(o.seed ^ 0x5bd1e995);
  const ctx: SimContext = {
    o,
    baseUrl: () => baseUrl,
    scenario: { faults: copyFaults(options.faults) },
    account: createAccount(o.credits),
    counters: { generateCalls: 0, recordInfoCalls: 0, downloads: 0, rateLimited: 0 },
    scheduler,
    rng: {
      ids: createRandom(o.seed),
      tokens: rngTokens,
      misc: createRandom(o.seed ^ 0x27d4eb2f),
      faults: createRandom(o.seed ^ 0x165667b1),
    },
    files: createFileStore(() => baseUrl, rngTokens),
    callbacks: createCallbackSender({
      hmacKey: o.hmacKey,
      retryDelayMs: o.callbackRetryDelayMs,
      scheduler,
      log: o.log,
    }),
    rateLimiter: createRateLimiter(o.rateLimit),
  };
  const veoTasks = createVeoTasks(ctx);
  const market = createMarket(ctx);
  const routes = buildRoutes({ veo: createVeoApi(ctx, veoTasks), market, common: createCommonApi(ctx) });

  // ---- API ------------------------------------------------------------------------------------
  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const reply = (r: Reply, mirror = o.mirrorHttpStatus) => {
      o.log(`${req.method} ${url.pathname} → ${r.code}${r.code === 200 ? '' : ` ${r.msg}`}`);
      sendReply(res, r, mirror);
    };
    if (url.pathname === GENERATE_PATH && req.method === 'POST') ctx.counters.generateCalls++;
    const methods = routes.get(url.pathname);
    const body = req.method === 'POST' ? await readJsonObject(req) : {};
    if (ctx.scenario.faults.maintenance) return reply(fail(455));
    // Not KIE endpoints (e.g. the seeds' GET /api/v1/veo/query/{id}): a real 404.
    if (!methods) return reply(fail(404), true);
    const route = methods.get(req.method ?? '');
    if (!route) return reply(fail(405, 'Method Not Allowed'), true);
    const key = bearerKey(req);
    if (!key || !o.apiKeys.includes(key)) return reply(fail(401));
    if (body instanceof Error) return reply(fail(422, body.message));
    const faults = parseFaultsHeader(req.headers['x-sim-faults']);
    if (typeof faults === 'string') return reply(fail(400, faults));
    if (faults.maintenance) return reply(fail(455));
    const scripted = scriptedReply(ctx.scenario.faults, faults, route.endpoint);
    if (scripted) return reply(scripted);
    reply(await route.handler({ req, url, body, faults }));
  }

  // ---- files ----------------------------------------------------------------------------------
  const truncatedOnce = new Set<string>();
  const shaCache = new Map<string, string>();

  /** Faults of the task behind a file: fixed ones (bytes) and live ones (how the download goes). */
  function fileFaults(taskId: string): { fixed: SimFaults; live: SimFaults } {
    const t = veoTasks.get(taskId) ?? market.get(taskId);
    return { fixed: t?.faults ?? {}, live: liveTaskFaults(ctx.scenario.faults, t?.headerFaults) };
  }

  function mediaOf(file: FileEntry, faults: { fixed: SimFaults; live: SimFaults }): Media {
    const image = isImageVariant(file.variant) ? file.variant : null;
    if (faults.live.download === 'not-mp4')
      return notMp4Media(image ? IMAGE_CONTENT_TYPES[image] : undefined);
    if (image) return imageMedia(image, `${file.taskId}:${file.index}`);
    return videoMedia(file.taskId, file.variant, faults.fixed.videoBytes);
  }

  async function handleFile(req: IncomingMessage, res: ServerResponse, token: string, ext: string) {
    const file = ctx.files.byToken(token);
    if (!file || FILE_EXTENSIONS[file.variant] !== ext) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    if (Date.now() >= file.expiresAt) {
      res
        .writeHead(403, { 'content-type': 'text/plain' })
        .end('Request has expired: this link is no longer valid.');
      return;
    }
    const faults = fileFaults(file.taskId);
    const media = mediaOf(file, faults);
    const key = `${file.taskId}:${file.variant}:${file.index}`;
    let mode: 'normal' | 'truncate' | 'slow' = 'normal';
    if (req.method === 'GET') {
      ctx.counters.downloads++;
      if (faults.live.download === 'truncate-once' && !truncatedOnce.has(key)) {
        truncatedOnce.add(key);
        mode = 'truncate';
      } else if (faults.live.download === 'slow') {
        mode = 'slow';
      }
    }
    await sendMedia(req, res, media, {
      mode,
      bytesPerSec: faults.live.slowBytesPerSec ?? 256 * 1024,
      sleep: (ms) => scheduler.sleep(ms),
    });
  }

  // ---- control API ----------------------------------------------------------------------------
  function setFaults(f: SimFaults) {
    ctx.scenario.faults = copyFaults(f);
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL) {
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(value));
    };
    if (url.pathname === '/_sim/faults' && req.method === 'POST') {
      const body = await readJsonObject(req);
      const parsed = body instanceof Error ? body.message : parseFaults(body);
      if (typeof parsed === 'string') return json(400, { error: parsed });
      setFaults(parsed);
      return json(200, { faults: ctx.scenario.faults });
    }
    if (url.pathname === '/_sim/faults' && req.method === 'GET')
      return json(200, { faults: ctx.scenario.faults });
    if (url.pathname === '/_sim/credits' && req.method === 'POST') {
      const body = await readJsonObject(req);
      const credits = body instanceof Error ? undefined : body.credits;
      if (!isCredits(credits)) return json(400, { error: 'credits must be a finite number of at least 0' });
      ctx.account.set(credits);
      return json(200, { credits: ctx.account.balance() });
    }
    if (url.pathname === '/_sim/stats' && req.method === 'GET')
      return json(200, { ...stats(), credits: ctx.account.balance() });
    // The account balance, readable and settable (e.g. to drive a balance watcher).
    if (url.pathname === '/_sim/credits' && req.method === 'GET')
      return json(200, { credits: ctx.account.balance() });
    // Every Veo generation received, e.g. to prove that no job submitted its video twice.
    if (url.pathname === '/_sim/tasks' && req.method === 'GET')
      return json(200, { tasks: veoTasks.all().map((t) => veoTasks.view(t)) });
    // Every Market task received, oldest first.
    if (url.pathname === '/_sim/market-tasks' && req.method === 'GET')
      return json(200, { tasks: market.all().map((t) => market.view(t)) });
    const m = /^\/_sim\/tasks\/([^/]+)$/.exec(url.pathname);
    if (m && req.method === 'GET') {
      const id = decodeURIComponent(m[1]!);
      const veo = veoTasks.get(id);
      const mk = veo ? undefined : market.get(id);
      if (veo) return json(200, veoTasks.view(veo));
      if (mk) return json(200, market.view(mk));
      return json(404, { error: `unknown task ${id}` });
    }
    json(404, { error: 'unknown control endpoint' });
  }

  const stats = () => ({ ...ctx.counters, callbacksSent: ctx.callbacks.sent() });

  // ---- server ---------------------------------------------------------------------------------
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://kie-sim');
    const fileMatch = FILE_PATH.exec(url.pathname);
    let work: Promise<void>;
    if (fileMatch && (req.method === 'GET' || req.method === 'HEAD')) {
      work = handleFile(req, res, fileMatch[1]!, fileMatch[2]!);
    } else if (url.pathname.startsWith('/_sim/')) {
      work = handleControl(req, res, url);
    } else {
      work = handleApi(req, res, url);
    }
    work.catch((err: unknown) => {
      o.log(
        `simulator error on ${req.method} ${url.pathname}: ${err instanceof Error ? err.stack : String(err)}`,
      );
      if (!res.headersSent) sendReply(res, fail(500), o.mirrorHttpStatus);
      else res.destroy();
    });
  });
  // Short keep-alive, so clients' pooled sockets do not hold close() up.
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  baseUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  o.log(`KIE simulator listening on ${baseUrl} (seed ${o.seed})`);

  let closing: Promise<void> | null = null;
  return {
    url: baseUrl,
    close() {
      closing ??= new Promise<void>((resolve) => {
        scheduler.close();
        ctx.callbacks.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
    setFaults,
    task(taskId) {
      const t = veoTasks.get(taskId);
      return t ? veoTasks.view(t) : undefined;
    },
    marketTask(taskId) {
      const t = market.get(taskId);
      return t ? market.view(t) : undefined;
    },
    videoSha256(taskId: string, variant: VideoVariant) {
      const size = fileFaults(taskId).fixed.videoBytes;
      const key = `${taskId}:${variant}:${size ?? 0}`;
      let sha = shaCache.get(key);
      if (!sha) {
        sha = sha256Of(videoMedia(taskId, variant, size));
        shaCache.set(key, sha);
      }
      return sha;
    },
    fileSha256(url: string) {
      const file = ctx.files.fromUrl(url);
      return file ? sha256Of(mediaOf(file, fileFaults(file.taskId))) : undefined;
    },
    credits: () => ctx.account.balance(),
    setCredits(credits: number) {
      if (!isCredits(credits)) throw new RangeError('credits must be a finite number of at least 0');
      ctx.account.set(credits);
    },
    stats,
  };
}

const isCredits = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
