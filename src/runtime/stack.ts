/**
 * Assembles the whole system from config: Temporal (embedded dev server or a cluster), the database
 * and ledger, KIE (real or the bundled simulator), storage, the worker and the HTTP API.
 * `npm start` runs all of it in one process; the end-to-end test starts it the same way.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { createApp } from '../api/app.js';
import type { RouteSpec } from '../api/route.js';
import type { Config } from '../config.js';
import { openDatabase, type Db } from '../db/index.js';
import type { KiePace } from '../ledger/index.js';
import { createKieClient } from '../kie/index.js';
import { startKieSimulator, type KieSimulator, type SimOptions } from '../kie-sim/index.js';
import { createLedger, type Ledger } from '../ledger/index.js';
import { createLogger, type Logger } from '../observability/logger.js';
import {
  createMetrics,
  observeJobStarts,
  observeKieBalance,
  observeReconciler,
  type Metrics,
} from '../observability/metrics.js';
import { createStorage } from './storage.js';
import { createJobStarts, type JobStarts } from '../services/job-starts.js';
import type { VideoStorage } from '../storage/index.js';
import { provisionTemporalCli } from '../temporal/cli-provision.js';
import { startDevServer, type DevServer } from '../temporal/dev-server.js';
import { createVideoWorker, type VideoWorker } from '../worker/create-worker.js';
import { ensureKieBalanceSchedule } from '../worker/kie-balance-schedule.js';
import { ensureReconcileSchedule } from '../worker/reconcile-schedule.js';
import type { Timing } from '../workflows/job-types.js';
import { loadOrCreateSecret } from './secrets.js';
import { connectClient, connectWorker } from './temporal-connection.js';
import { installTemporalRuntime } from './temporal-runtime.js';

export interface StackOptions {
  config: Config;
  logger?: Logger;
  /** Which parts this process runs (production splits API and worker into separate deployments). */
  roles?: { api: boolean; worker: boolean };
  /** Overrides for tests: simulator settings, shorter workflow timings, a prebuilt workflow bundle. */
  simulator?: Partial<SimOptions>;
  timing?: Partial<Timing>;
  workflowBundle?: { code: string };
  /** KIE's window, for tests that want a short one (production: KIE_GENERATIONS_PER_10S per 10 s). */
  kiePace?: KiePace;
  /** How often progress streams read a job (production: DEFAULT_EVENT_STREAMS, 1 s); tests see fast stages. */
  eventPollMs?: number;
  projectRoot?: string;
  /** The embedded dev server's Prometheus port (bench:starts reads its database counters); any free one otherwise. */
  devServerMetricsPort?: number;
  /** Aborts the start (a Ctrl-C while starting): what was started is closed, and startStack rejects. */
  signal?: AbortSignal;
}

export interface Stack {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  db: Db;
  ledger: Ledger;
  storage: VideoStorage;
  temporal: { client: Client; address: string; uiUrl: string | null };
  simulator: KieSimulator | null;
  worker: VideoWorker | null;
  apiUrl: string | null;
  /** The API's routes (empty without the API role): their schemas, for documentation and tests. */
  apiRoutes: readonly RouteSpec[];
  /** The API's job starts (null without the API role): what creates answered before their start wait for. */
  jobStarts: JobStarts | null;
  adminApiKey: string | undefined;
  close(): Promise<void>;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const { config } = opts;
  const { env } = config;
  const roles = opts.roles ?? { api: true, worker: true };
  const allInOne = roles.api && roles.worker;
  if (!allInOne) {
    // Separate API and worker processes must agree on the callback secret and on one KIE.
    if (!env.WEBHOOK_SECRET)
      throw new Error('WEBHOOK_SECRET is required when the API and the worker run separately.');
    if (!env.KIE_API_KEY) {
      throw new Error(
        'KIE_API_KEY is required when the API and the worker run separately (for a shared simulator: `npm run kie-sim`, then KIE_BASE_URL=<its URL> KIE_API_KEY=sim-key).',
      );
    }
  }
  const logger = opts.logger ?? createLogger(env.LOG_LEVEL);
  const metrics = createMetrics();
  const closers: Array<() => Promise<void>> = [];
  // Between the steps of a start: a Ctrl-C stops here, and the catch below closes what was started.
  const checkpoint = () => opts.signal?.throwIfAborted();
  // Once, whoever asks (a signal, a test, a failed start): later calls wait for the same close.
  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      for (const fn of closers.reverse()) {
        try {
          await fn();
        } catch (err) {
          logger.warn({ err }, 'error during shutdown');
        }
      }
    })());

  try {
    // Temporal: a configured cluster, or the embedded dev server with its SQLite file under DATA_DIR.
    let devServer: DevServer | null = null;
    let address = env.TEMPORAL_ADDRESS;
    if (!address) {
      const cli = await provisionTemporalCli({ projectRoot: opts.projectRoot ?? process.cwd() });
      checkpoint();
      devServer = await startDevServer({
        cliPath: cli.path,
        port: env.TEMPORAL_DEV_PORT,
        uiPort: env.TEMPORAL_UI_PORT,
        dbFile: path.join(config.dataDir, 'temporal', 'dev-server.sqlite'),
        namespace: env.TEMPORAL_NAMESPACE,
        ...(opts.devServerMetricsPort ? { metricsPort: opts.devServerMetricsPort } : {}),
      });
      closers.push(() => devServer!.stop());
      address = devServer.address;
    }
    checkpoint();
    // API and worker in one process share one native connection; apart, the API has a plain client
    // connection. Starts are plain, not eager: with the first workflow task handed back in the start's
    // answer, `npm run bench:starts` measured fewer starts per second (44–48 against 51–56) and more
    // Temporal CPU per start (16–17 ms against 13–15.5 ms) on the dev server.
    if (roles.worker) installTemporalRuntime(logger);
    const shared = allInOne ? await connectWorker(address, env) : null;
    const { client, connection } = shared
      ? { connection: shared, client: new Client({ connection: shared, namespace: env.TEMPORAL_NAMESPACE }) }
      : await connectClient(address, env);
    closers.push(() => connection.close());

    const db = await openDatabase(
      env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: path.join(config.dataDir, 'pglite') },
    );
    closers.push(() => db.close());
    const ledger = await createLedger(db, { apiKeyCacheMs: env.API_KEY_CACHE_SECONDS * 1000 });
    checkpoint();
    const storage = await createStorage(config);

    const webhookSecret = env.WEBHOOK_SECRET ?? loadOrCreateSecret(config.dataDir, 'webhook-secret');
    const adminApiKey =
      env.ADMIN_API_KEY ?? (devServer ? loadOrCreateSecret(config.dataDir, 'admin-api-key') : undefined);

    // KIE: the real API with a key; otherwise the simulator on loopback, signing its callbacks.
    let simulator: KieSimulator | null = null;
    let kieBaseUrl = env.KIE_BASE_URL;
    let kieApiKey = env.KIE_API_KEY;
    let kieHmacKey = env.KIE_WEBHOOK_HMAC_KEY;
    const hostList = (list: string) =>
      list
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean);
    let downloadHosts = hostList(env.KIE_DOWNLOAD_HOSTS);
    let localDownloadHosts = hostList(env.KIE_DOWNLOAD_LOCAL_HOSTS);
    if (config.usingSimulator) {
      kieHmacKey ??= loadOrCreateSecret(config.dataDir, 'sim-hmac-key');
      simulator = await startKieSimulator({
        port: env.KIE_SIM_PORT,
        apiKeys: ['sim-key'],
        hmacKey: kieHmacKey,
        durationsMs: { veo3: 12_000, veo3_fast: 6_000, veo3_lite: 4_000 },
        hd1080DelayMs: 4_000,
        ...opts.simulator,
      });
      closers.push(() => simulator!.close());
      kieBaseUrl = simulator.url;
      kieApiKey = 'sim-key';
      // Our own simulator on loopback, over http: its host is exempt from the public-address rule.
      downloadHosts = [new URL(simulator.url).hostname];
      localDownloadHosts = downloadHosts;
    }
    const kie = createKieClient({
      baseUrl: kieBaseUrl,
      apiKey: kieApiKey ?? '',
      timeoutMs: env.KIE_TIMEOUT_MS,
      onCall: (e) => {
        metrics.kieCalls.inc({ endpoint: e.endpoint, code: String(e.code) });
        metrics.kieCallSeconds.observe({ endpoint: e.endpoint }, e.durationMs / 1000);
      },
    });

    // HTTP first (port known), so the callback base URL can point at it when nothing else is set.
    let apiUrl: string | null = null;
    let apiRoutes: readonly RouteSpec[] = [];
    let publicBaseUrl = env.PUBLIC_BASE_URL ?? null;
    let jobStarts: JobStarts | null = null;
    if (roles.api) {
      // The reconciler and the balance watcher run in workers; what they find is in the database,
      // published where /metrics is.
      observeReconciler(metrics, () => ledger.reconcilerStats());
      observeKieBalance(metrics, () => ledger.kieBalance());
      jobStarts = createJobStarts(
        { inFlight: env.JOB_STARTS_IN_FLIGHT, backlog: env.JOB_START_BACKLOG },
        logger,
      );
      const starts = jobStarts;
      observeJobStarts(metrics, () => starts.counts());
      // Closed after the HTTP server (closers run last first): the starts of creates already answered
      // are made before the Temporal connection goes.
      closers.push(() => starts.drain());
      const app = createApp({
        temporal: client,
        taskQueue: env.TEMPORAL_TASK_QUEUE,
        ledger,
        storage,
        logger,
        metrics,
        prices: config.prices,
        webhookSecret,
        sessionSecret: env.SESSION_SECRET,
        publicBaseUrl: env.PUBLIC_BASE_URL,
        sessionTtlSeconds: env.SESSION_TTL_SECONDS,
        contentUrlTtlSeconds: env.CONTENT_URL_TTL_SECONDS,
        contentCdnBaseUrl: env.CONTENT_CDN_BASE_URL,
        kieHmacKey,
        adminApiKey,
        timing: jobTiming(opts.timing, env.KIE_GENERATION_DEADLINE_S),
        webhookTargets: env.CUSTOMER_WEBHOOK_TARGETS,
        jobStarts: starts,
        startWaitLimitMs: env.RECONCILE_GRACE_MS / 2,
        rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
        eventStreams: {
          maxPerUser: env.SSE_MAX_STREAMS_PER_USER,
          maxLifeMs: env.SSE_MAX_STREAM_SECONDS * 1000,
          ...(opts.eventPollMs ? { pollMs: opts.eventPollMs } : {}),
        },
        userDefaults: { concurrencyCap: env.USER_CONCURRENCY_CAP, dailySpendCap: env.USER_DAILY_SPEND_CAP },
        readiness: {
          db: async () => void (await db.query('select 1')),
          temporal: async () => void (await connection.healthService.check({})),
        },
      });
      apiRoutes = app.routes;
      const server = http.createServer(app);
      server.listen(env.PORT, env.HOST);
      await once(server, 'listening');
      checkpoint();
      const { port } = server.address() as AddressInfo;
      apiUrl = `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${port}`;
      closers.push(async () => {
        server.closeIdleConnections();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
        await closed;
      });
      if (!publicBaseUrl && simulator) publicBaseUrl = apiUrl;
    }

    let worker: VideoWorker | null = null;
    if (roles.worker) {
      const workerConnection = shared ?? (await connectWorker(address, env));
      if (!shared) closers.push(() => workerConnection.close());
      checkpoint();
      worker = await createVideoWorker({
        connection: workerConnection,
        namespace: env.TEMPORAL_NAMESPACE,
        taskQueue: env.TEMPORAL_TASK_QUEUE,
        ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : {}),
        sizing: {
          maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
          maxConcurrentWorkflowTaskExecutions: env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
          maxConcurrentActivityTaskExecutions: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
          kieSubmitConcurrency: env.KIE_SUBMIT_CONCURRENCY,
        },
        deps: {
          ledger,
          kie,
          storage,
          logger,
          metrics,
          publicBaseUrl,
          webhookSecret,
          webhookTargets: env.CUSTOMER_WEBHOOK_TARGETS,
          downloadHosts,
          localDownloadHosts,
          maxDownloadBytes: env.ARCHIVE_MAX_BYTES,
          temporal: client,
          reconcileGraceMs: env.RECONCILE_GRACE_MS,
          kieBalanceWatch: { lowWater: env.KIE_BALANCE_LOW_WATER, autoClose: env.KIE_BALANCE_AUTO_CLOSE },
          kiePace: opts.kiePace ?? kiePaceOf(env.KIE_GENERATIONS_PER_10S),
        },
      });
      const running = worker.run().catch((err: unknown) => {
        // A worker that stops on its own (lost connection for good, fatal bug) must not go unnoticed.
        logger.fatal({ err }, 'worker stopped unexpectedly');
        process.exitCode = 1;
      });
      closers.push(async () => {
        worker!.shutdown();
        await running;
      });
      checkpoint();
      await ensureReconcileSchedule(client, {
        taskQueue: env.TEMPORAL_TASK_QUEUE,
        everyMs: env.RECONCILE_EVERY_MS,
        logger,
      });
      await ensureKieBalanceSchedule(client, {
        taskQueue: env.TEMPORAL_TASK_QUEUE,
        everyMs: env.KIE_BALANCE_EVERY_MS,
        logger,
      });
      checkpoint();
    }

    return {
      config,
      logger,
      metrics,
      db,
      ledger,
      storage,
      temporal: { client, address, uiUrl: devServer?.uiUrl ?? null },
      simulator,
      worker,
      apiUrl,
      apiRoutes,
      jobStarts,
      adminApiKey,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The timing the API gives each job: the tests' overrides, and the operator's generation deadline. */
function jobTiming(overrides: Partial<Timing> | undefined, deadlineS: number | undefined) {
  if (deadlineS === undefined) return overrides;
  return { ...overrides, generationDeadlineMs: deadlineS * 1000 };
}

/**
 * KIE counts generations per 10 s on its clock, we count ours when we let a call go: a call held up
 * on its way could land in KIE's next window beside its successors. Half a second of margin keeps
 * our window the stricter one (docs/architecture.md#kie-pacing).
 */
export function kiePaceOf(generationsPer10s: number): KiePace {
  return { max: generationsPer10s, windowMs: 10_500 };
}
