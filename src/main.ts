/**
 * `npm start`: the whole system in one process on embedded defaults — Temporal dev server (SQLite
 * under .data/, Web UI on 8233), PGlite, local storage, the KIE simulator, the worker and the API.
 * Ctrl-C (or SIGTERM) shuts everything down gracefully; no `temporal` process is left behind.
 */
import path from 'node:path';
import { loadConfig, ConfigError } from './config.js';
import { createLogger } from './observability/logger.js';
import { startupBanner, wantsDemoUser } from './runtime/banner.js';
import { ensureDemoUser } from './runtime/demo-user.js';
import { startStack } from './runtime/stack.js';
import { shutdownOnSignal } from './runtime/process.js';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}
const logger = createLogger(config.env.LOG_LEVEL);
// Listening before anything starts: Ctrl-C during the start (Temporal, the database, the worker) stops it.
const shutdown = shutdownOnSignal(logger, () => logger.info('stopped; state kept in %s', config.dataDir));
const stack = await startStack({
  config,
  logger,
  projectRoot: path.resolve(import.meta.dirname, '..'),
  signal: shutdown.signal,
}).catch((err: unknown) => shutdown.startFailed(err));
shutdown.started(stack);

const demo = wantsDemoUser(config) ? await ensureDemoUser(stack, config.env.DEMO_USER_CREDITS) : null;
console.log(startupBanner(stack, config, demo));
