/**
 * Runs `temporal server start-dev` as a child process: for `npm start` (SQLite file, Web UI) and for the
 * test harness (in-memory, headless, random port). The custom search attributes are registered at start.
 */
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { Socket } from 'node:net';
import { killGroup, spawnWatched } from '../dev-tools/watched-child.js';
import { videoSearchAttributes } from '../workflows/search-attributes.js';

export interface DevServerOptions {
  cliPath: string;
  ip?: string;
  port?: number; // 0 or undefined = a free port
  uiPort?: number | null; // null = headless
  dbFile?: string; // omitted = in-memory
  metricsPort?: number; // omitted = a dynamic one
  namespace?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Forwarded server output (quiet by default). */
  onOutput?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl: string | null;
  namespace: string;
  pid: number;
  stop(): Promise<void>;
  /** Synchronous SIGKILL of the server's process group, for process 'exit' handlers. */
  kill(): void;
  /**
   * Stops the server from keeping this process alive: the process may then exit on its own (its
   * 'exit' handler calls kill; the watchdog stops the server should the process die outright).
   */
  unref(): void;
}

/**
 * The CLI's arguments for a dev server on this port: our namespace, search attributes and settings.
 * Also used by the local cluster's restartable dev server (src/cluster/temporal-dev-process.ts).
 */
export function devServerArgs(
  opts: Omit<DevServerOptions, 'cliPath' | 'onOutput'> & { port: number },
): string[] {
  const ip = opts.ip ?? '127.0.0.1';
  const namespace = opts.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(opts.port), '--namespace', namespace];
  args.push('--log-level', opts.logLevel ?? 'error');
  if (opts.uiPort === null || opts.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(opts.uiPort));
  if (opts.dbFile) {
    mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
    // SQLite's default rollback journal syncs the database file and its journal on every commit; the
    // write-ahead log syncs one append instead, with the same durability (synchronous stays FULL).
    // Measured with bench:starts: plain starts 45–59 /s → 86–110 /s, and a third less server CPU.
    args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=full');
  }
  if (opts.metricsPort) args.push('--metrics-port', String(opts.metricsPort));
  for (const key of videoSearchAttributes) args.push('--search-attribute', `${key.name}=Keyword`);
  // Workflow tests set short timers; let the dev server fire them promptly and accept our query volume.
  args.push('--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true');
  // The CLI makes the server read its search attributes from the database, under one lock, on every
  // use (so attributes added at run time show at once); ours are all registered above, at launch, so
  // the server's cache (refreshed each minute) holds them. Measured with the server's metrics: 5
  // database reads per job start (the start's attributes, the version upsert, visibility) → 0.
  args.push('--dynamic-config-value', 'system.forceSearchAttributesCacheRefreshOnRead=false');
  return args;
}

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const port = opts.port || (await freePort(ip));
  const namespace = opts.namespace ?? 'default';
  const args = devServerArgs({ ...opts, port });

  // Under a watchdog: if this process dies without cleaning up, no orphan `temporal` survives.
  const child = spawnWatched(opts.cliPath, args);
  const output: string[] = [];
  const onLine = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      output.push(line);
      if (output.length > 50) output.shift();
      opts.onOutput?.(line);
    }
  };
  child.stdout?.on('data', onLine);
  child.stderr?.on('data', onLine);

  const address = `${ip}:${port}`;
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));

  try {
    await waitForServer(address, () => exited);
  } catch (err) {
    killGroup(child);
    throw new Error(`Temporal dev server did not start: ${(err as Error).message}\n${output.join('\n')}`);
  }

  return {
    address,
    uiUrl: opts.uiPort ? `http://${ip === '0.0.0.0' ? '127.0.0.1' : ip}:${opts.uiPort}` : null,
    namespace,
    pid: child.pid ?? -1,
    kill: () => killGroup(child, 'SIGKILL'),
    unref() {
      child.unref();
      // The output pipes are sockets, each a handle of its own.
      for (const pipe of [child.stdout, child.stderr]) (pipe as Socket | null)?.unref();
    },
    async stop() {
      if (exited) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

/** Until the server answers and its default namespace exists (or it exits, or 60 s pass). */
export async function waitForServer(address: string, hasExited: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error('the process exited');
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.healthService.check({});
        // The default namespace is registered a moment after the frontend answers.
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`timed out waiting for ${address}: ${String(lastError)}`);
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
