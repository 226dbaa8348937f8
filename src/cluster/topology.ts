/**
 * The production topology on one machine, as separate OS processes: a Temporal cluster on Postgres,
 * N API processes behind a round-robin load balancer, M worker processes, one shared KIE simulator,
 * optionally the Temporal Web UI. Every process shares WEBHOOK_SECRET, DATABASE_URL and the archive
 * folder, exactly as separate machines would share them. `npm run cluster` and its fault test start it;
 * `npm run chaos` starts it with the dev server as its Temporal side (`temporal: 'dev-server'`).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../temporal/dev-server.js';
import { startBalancer, type Balancer } from './balancer.js';
import { dropDatabase, ensureDatabase, type PostgresTarget } from './postgres-target.js';
import { inheritedEnv, supervise, type SupervisedProcess } from './supervised-process.js';
import { deployDir, startTemporalCluster, type TemporalCluster } from './temporal-cluster.js';
import { startTemporalDevProcess } from './temporal-dev-process.js';

export interface ClusterOptions {
  projectRoot: string;
  /** Logs (logs/<process>.log) and the shared archive (videos/) go here. */
  dataDir: string;
  postgres: PostgresTarget;
  /**
   * Databases: <prefix> (ledger), and for the real Temporal server <prefix>_temporal and
   * <prefix>_temporal_visibility.
   */
  dbPrefix: string;
  /** Drop those databases first (a clean run). */
  fresh?: boolean;
  /**
   * The Temporal side: the real server on Postgres (default; needs binaries.server and sqlTool), or
   * the CLI's dev server as a restartable process with its state in dataDir (temporal-dev-process.ts).
   */
  temporal?: 'cluster' | 'dev-server';
  binaries: { server?: string; sqlTool?: string; cli: string; uiServer?: string | null };
  apis: number;
  workers: number;
  /** The load balancer's port (0 = free); API, Temporal and simulator ports are always picked free. */
  port?: number;
  temporalPort?: number;
  uiPort?: number;
  namespace?: string;
  kie: {
    durationMs: number;
    hd1080DelayMs: number;
    rateLimit: string;
    /** The simulator's per-task fault mix, as its --fault-mix spec (src/kie-sim/fault-mix.ts). */
    faultMix?: string;
    seed?: number;
  };
  webhookSecret?: string;
  adminApiKey?: string;
  /** More variables for the API and worker processes (RATE_LIMIT_PER_MINUTE, USER_CONCURRENCY_CAP…). */
  appEnv?: Record<string, string>;
  log?: (line: string) => void;
}

export interface AppProcess {
  process: SupervisedProcess;
  /** APIs only: where it listens. */
  url?: string;
}

export interface Cluster {
  temporal: TemporalCluster;
  ui: { url: string; process: SupervisedProcess } | null;
  simulator: { url: string; process: SupervisedProcess };
  apis: AppProcess[];
  workers: AppProcess[];
  balancer: Balancer;
  databaseUrl: string;
  archiveDir: string;
  logDir: string;
  adminApiKey: string;
  /** Every process, for "is anything dead?" checks. */
  processes(): SupervisedProcess[];
  /** Starts worker i again (after a kill), resolves when it polls. */
  restartWorker(i: number): Promise<void>;
  stop(): Promise<void>;
}

const SIM_KEY = 'sim-key';

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const logDir = path.join(opts.dataDir, 'logs');
  const archiveDir = path.join(opts.dataDir, 'videos');
  mkdirSync(logDir, { recursive: true });
  mkdirSync(archiveDir, { recursive: true });
  const namespace = opts.namespace ?? 'default';
  const devServer = opts.temporal === 'dev-server';
  const dbs = {
    app: opts.dbPrefix,
    temporal: `${opts.dbPrefix}_temporal`,
    visibility: `${opts.dbPrefix}_temporal_visibility`,
  };
  const ownDbs = devServer ? [dbs.app] : Object.values(dbs);
  const stoppers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stoppers.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        log(`error while stopping: ${(err as Error).message}`);
      }
    }
  };

  try {
    if (opts.fresh) for (const db of ownDbs) await dropDatabase(opts.postgres, db);
    await ensureDatabase(opts.postgres, dbs.app);
    const databaseUrl = opts.postgres.url(dbs.app);

    const temporal = await startTemporalSide(opts, { ...dbs, namespace, logDir, log });
    stoppers.push(() => temporal.stop());

    let ui: Cluster['ui'] = null;
    if (opts.binaries.uiServer) {
      const uiPort = opts.uiPort || (await freePort());
      const proc = supervise({
        name: 'temporal-ui',
        command: opts.binaries.uiServer,
        args: ['--root', deployDir(opts.projectRoot), '--config', 'ui', '--env', 'production', 'start'],
        env: {
          ...inheritedEnv(),
          TEMPORAL_ADDRESS: temporal.address,
          TEMPORAL_UI_PORT: String(uiPort),
          TEMPORAL_DEFAULT_NAMESPACE: namespace,
        },
        logFile: path.join(logDir, 'temporal-ui.log'),
      });
      proc.start();
      stoppers.push(() => proc.stop());
      ui = { url: `http://127.0.0.1:${uiPort}`, process: proc };
      await waitForHttp(`${ui.url}/api/v1/settings`, proc);
    }

    const hmacKey = randomBytes(24).toString('base64url');
    const sim = supervise({
      name: 'kie-sim',
      command: process.execPath,
      args: [
        '--import',
        'tsx',
        'src/kie-sim/main.ts',
        '--port',
        '0',
        '--api-key',
        SIM_KEY,
        '--duration-ms',
        String(opts.kie.durationMs),
        '--hd1080-delay-ms',
        String(opts.kie.hd1080DelayMs),
        '--rate-limit',
        opts.kie.rateLimit,
        '--credits',
        '100000000',
        ...(opts.kie.faultMix ? ['--fault-mix', opts.kie.faultMix] : []),
        ...(opts.kie.seed !== undefined ? ['--seed', String(opts.kie.seed)] : []),
        '--quiet',
      ],
      // The key goes by environment, not argv: argv is readable by anyone on the box (ps), and a
      // random base64url key may start with '-', which an argument parser takes for an option.
      env: { ...inheritedEnv(), KIE_SIM_HMAC_KEY: hmacKey },
      cwd: opts.projectRoot,
      logFile: path.join(logDir, 'kie-sim.log'),
    });
    const simReady = sim.waitForLine(/^http:\/\/\S+$/, 60_000);
    sim.start();
    stoppers.push(() => sim.stop());
    const simUrl = (await simReady).trim();

    // The load balancer's port first: it is every worker's PUBLIC_BASE_URL (where KIE calls back).
    const apiPorts: number[] = [];
    for (let i = 0; i < opts.apis; i++) apiPorts.push(await freePort());
    const balancer = await startBalancer(
      apiPorts.map((port) => ({ host: '127.0.0.1', port })),
      opts.port ?? 0,
    );
    stoppers.push(() => balancer.close());

    const webhookSecret = opts.webhookSecret ?? randomBytes(32).toString('base64url');
    const adminApiKey = opts.adminApiKey ?? `veo_admin_${randomBytes(18).toString('base64url')}`;
    const shared: NodeJS.ProcessEnv = {
      ...inheritedEnv(),
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATA_DIR: opts.dataDir,
      ARCHIVE_DIR: archiveDir,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: namespace,
      WEBHOOK_SECRET: webhookSecret,
      KIE_API_KEY: SIM_KEY,
      KIE_BASE_URL: simUrl,
      KIE_WEBHOOK_HMAC_KEY: hmacKey,
      KIE_DOWNLOAD_HOSTS: new URL(simUrl).hostname,
      // The shared simulator is local and plain http: exempt from the downloads' public-address rule.
      KIE_DOWNLOAD_LOCAL_HOSTS: new URL(simUrl).hostname,
      PUBLIC_BASE_URL: balancer.url,
      ...opts.appEnv,
    };

    const apis: AppProcess[] = apiPorts.map((port, i) => {
      const proc = supervise({
        name: `api-${i + 1}`,
        command: process.execPath,
        args: ['--import', 'tsx', 'src/api-main.ts'],
        env: { ...shared, HOST: '127.0.0.1', PORT: String(port), ADMIN_API_KEY: adminApiKey },
        cwd: opts.projectRoot,
        logFile: path.join(logDir, `api-${i + 1}.log`),
      });
      return { process: proc, url: `http://127.0.0.1:${port}` };
    });
    const workers: AppProcess[] = Array.from({ length: opts.workers }, (_, i) => ({
      process: supervise({
        name: `worker-${i + 1}`,
        command: process.execPath,
        args: ['--import', 'tsx', 'src/worker-main.ts'],
        env: shared,
        cwd: opts.projectRoot,
        logFile: path.join(logDir, `worker-${i + 1}.log`),
      }),
    }));
    // Workers stop before the APIs (they may still report progress through the database), then the APIs.
    for (const a of apis) stoppers.push(() => a.process.stop());
    for (const w of workers) stoppers.push(() => w.process.stop(30_000));

    const startWorker = async (w: AppProcess) => {
      const ready = w.process.waitForLine(/"msg":"worker running"/, 120_000);
      w.process.start();
      await ready;
    };
    // One at a time: they migrate the same database and bundle the workflows (CPU-heavy) on start.
    for (const a of apis) {
      a.process.start();
      await waitForHttp(`${a.url}/readyz`, a.process);
    }
    for (const w of workers) await startWorker(w);

    return {
      temporal,
      ui,
      simulator: { url: simUrl, process: sim },
      apis,
      workers,
      balancer,
      databaseUrl,
      archiveDir,
      logDir,
      adminApiKey,
      processes: () => [
        temporal.process,
        sim,
        ...(ui ? [ui.process] : []),
        ...apis.map((a) => a.process),
        ...workers.map((w) => w.process),
      ],
      restartWorker: (i) => startWorker(workers[i]!),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startTemporalSide(
  opts: ClusterOptions,
  side: { temporal: string; visibility: string; namespace: string; logDir: string; log: (l: string) => void },
): Promise<TemporalCluster> {
  if (opts.temporal === 'dev-server') {
    side.log('Temporal: dev server…');
    return startTemporalDevProcess({
      cliPath: opts.binaries.cli,
      dataDir: opts.dataDir,
      logDir: side.logDir,
      namespace: side.namespace,
      port: opts.temporalPort,
    });
  }
  const { server, sqlTool } = opts.binaries;
  if (!server || !sqlTool) throw new Error('the Temporal cluster needs the server and SQL tool binaries');
  side.log(`Temporal: schema, server, namespace on ${opts.postgres.host}:${opts.postgres.port}…`);
  return startTemporalCluster({
    projectRoot: opts.projectRoot,
    serverPath: server,
    sqlToolPath: sqlTool,
    cliPath: opts.binaries.cli,
    postgres: opts.postgres,
    databases: { temporal: side.temporal, visibility: side.visibility },
    namespace: side.namespace,
    logDir: side.logDir,
    port: opts.temporalPort,
  });
}

/** Until GET url answers 200, or the process dies, or 120 s pass. */
export async function waitForHttp(url: string, proc: SupervisedProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!proc.running()) throw new Error(`${proc.name} exited while starting:\n${proc.tail()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${proc.name}: ${url} not ready within ${timeoutMs} ms (${last}):\n${proc.tail()}`);
}
