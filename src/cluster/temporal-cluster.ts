/**
 * A real Temporal cluster on this machine: the server binary (src/temporal/server-provision.ts) on a
 * Postgres server, configured by the files docker-compose.yml uses too (deploy/temporal/): the schema
 * is brought up to date first, the namespace and search attributes registered after.
 * Ports are picked free at start and kept across restarts, so clients reconnect to the same address.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import net from 'node:net';
import type { PostgresTarget } from './postgres-target.js';
import { inheritedEnv, supervise, type SupervisedProcess } from './supervised-process.js';

const run = promisify(execFile);

export interface TemporalClusterOptions {
  projectRoot: string;
  serverPath: string;
  sqlToolPath: string;
  cliPath: string;
  postgres: PostgresTarget;
  databases: { temporal: string; visibility: string };
  namespace: string;
  logDir: string;
  /** The frontend's gRPC port; 0 = a free one. */
  port?: number;
}

export interface TemporalCluster {
  address: string;
  metricsUrl: string;
  process: SupervisedProcess;
  /** Stops the server (gracefully) and starts it again; resolves when its frontend answers. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function deployDir(projectRoot: string): string {
  return path.join(projectRoot, 'deploy', 'temporal');
}

/** Env shared by setup-schema.sh and the server's config template (deploy/temporal/config/production.yaml). */
function dbEnv(opts: TemporalClusterOptions): Record<string, string> {
  return {
    POSTGRES_SEEDS: opts.postgres.host,
    DB_PORT: String(opts.postgres.port),
    POSTGRES_USER: opts.postgres.user,
    POSTGRES_PWD: opts.postgres.password,
    DBNAME: opts.databases.temporal,
    VISIBILITY_DBNAME: opts.databases.visibility,
  };
}

async function runScript(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout } = await run('/bin/sh', [script], { env, timeout: 180_000 });
    return stdout.trim();
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${path.basename(script)} failed: ${e.message}\n${e.stderr ?? ''}${e.stdout ?? ''}`);
  }
}

export async function startTemporalCluster(opts: TemporalClusterOptions): Promise<TemporalCluster> {
  const deploy = deployDir(opts.projectRoot);
  await runScript(path.join(deploy, 'setup-schema.sh'), {
    ...inheritedEnv(),
    ...dbEnv(opts),
    TEMPORAL_SQL_TOOL: opts.sqlToolPath,
  });

  const grpc = opts.port || (await freeLowPort());
  const ports: Record<string, number> = { FRONTEND_GRPC_PORT: grpc };
  for (const name of [
    'FRONTEND_HTTP_PORT',
    'FRONTEND_MEMBERSHIP_PORT',
    'HISTORY_GRPC_PORT',
    'HISTORY_MEMBERSHIP_PORT',
    'MATCHING_GRPC_PORT',
    'MATCHING_MEMBERSHIP_PORT',
    'WORKER_GRPC_PORT',
    'WORKER_MEMBERSHIP_PORT',
  ])
    ports[name] = await freeLowPort();
  const metricsPort = await freeLowPort();
  const address = `127.0.0.1:${grpc}`;

  const server = supervise({
    name: 'temporal',
    command: opts.serverPath,
    args: ['--root', deploy, '--config', 'config', '--env', 'production', '--allow-no-auth', 'start'],
    env: {
      ...inheritedEnv(),
      ...dbEnv(opts),
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      PROMETHEUS_ENDPOINT: `127.0.0.1:${metricsPort}`,
      DYNAMIC_CONFIG_FILE_PATH: path.join(deploy, 'config', 'dynamicconfig', 'production.yaml'),
      TEMPORAL_LOG_LEVEL: 'warn',
    },
    logFile: path.join(opts.logDir, 'temporal.log'),
  });

  const temporal = await startRestartable(server, address, `http://127.0.0.1:${metricsPort}/metrics`, () =>
    waitForFrontend(address, server),
  );
  try {
    await runScript(path.join(deploy, 'setup-namespace.sh'), {
      ...inheritedEnv(),
      TEMPORAL_CLI: opts.cliPath,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: opts.namespace,
    });
  } catch (err) {
    await server.stop();
    throw err;
  }
  return temporal;
}

/**
 * Starts a Temporal server process and waits until `ready`; restart() is the same after a graceful
 * stop. Shared by the real server and the dev server (temporal-dev-process.ts).
 */
export async function startRestartable(
  server: SupervisedProcess,
  address: string,
  metricsUrl: string,
  ready: () => Promise<void>,
): Promise<TemporalCluster> {
  const startAndWait = async () => {
    server.start();
    await ready();
  };
  await startAndWait();
  return {
    address,
    metricsUrl,
    process: server,
    async restart() {
      await server.stop();
      await startAndWait();
    },
    stop: () => server.stop(),
  };
}

/** Until the frontend answers its health check (SERVING), or the process dies, or 90 s pass. */
export async function waitForFrontend(address: string, proc?: SupervisedProcess): Promise<void> {
  const deadline = Date.now() + 90_000;
  let last: unknown;
  while (Date.now() < deadline) {
    if (proc && !proc.running()) throw new Error(`${proc.name} exited while starting:\n${proc.tail()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.healthService.check({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(
    `Temporal at ${address} did not answer within 90 s: ${String(last)}\n${proc?.tail() ?? ''}`,
  );
}

/**
 * A free port below 32768: Temporal stores membership ports in a Postgres smallint
 * (cluster_membership.rpc_port), so the kernel's ephemeral ports (32768+) make the server exit at start.
 */
export async function freeLowPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  throw new Error('no free port found between 20000 and 32000');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
