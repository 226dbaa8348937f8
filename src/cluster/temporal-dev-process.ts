/**
 * The Temporal side of the local cluster as the CLI's dev server (`temporal server start-dev`), for
 * runs that need a Temporal they can restart but not the full server on Postgres (`npm run chaos`):
 * one supervised process, its state in a SQLite file of the data folder so a restart keeps every
 * workflow, on a port picked once and kept, with the namespace and search attributes of
 * src/temporal/dev-server.ts. Same interface as the real cluster (temporal-cluster.ts).
 */
import path from 'node:path';
import { devServerArgs, freePort, waitForServer } from '../temporal/dev-server.js';
import { inheritedEnv, supervise } from './supervised-process.js';
import { startRestartable, type TemporalCluster } from './temporal-cluster.js';

export interface TemporalDevProcessOptions {
  cliPath: string;
  /** The SQLite file goes here (temporal-dev.db). */
  dataDir: string;
  logDir: string;
  namespace: string;
  /** The frontend's gRPC port; 0 = a free one. */
  port?: number;
}

export async function startTemporalDevProcess(opts: TemporalDevProcessOptions): Promise<TemporalCluster> {
  const port = opts.port || (await freePort());
  const metricsPort = await freePort();
  const address = `127.0.0.1:${port}`;
  const server = supervise({
    name: 'temporal',
    command: opts.cliPath,
    args: devServerArgs({
      port,
      metricsPort,
      namespace: opts.namespace,
      dbFile: path.join(opts.dataDir, 'temporal-dev.db'),
      logLevel: 'warn',
    }),
    env: inheritedEnv(),
    logFile: path.join(opts.logDir, 'temporal.log'),
  });
  return startRestartable(server, address, `http://127.0.0.1:${metricsPort}/metrics`, () =>
    waitForServer(address, () => !server.running()),
  );
}
