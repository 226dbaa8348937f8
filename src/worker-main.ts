/**
 * The worker process for production: workflows and activities against a Temporal cluster.
 * Scale by running more of these; each one polls the same task queue.
 */
import { loadConfig } from './config.js';
import { createLogger } from './observability/logger.js';
import { startStack } from './runtime/stack.js';
import { runUntilSignal } from './runtime/process.js';

const config = loadConfig();
const logger = createLogger(config.env.LOG_LEVEL, { role: 'worker' });
const stack = await startStack({ config, logger, roles: { api: false, worker: true } });
logger.info(
  { temporal: stack.temporal.address, taskQueue: config.env.TEMPORAL_TASK_QUEUE },
  'worker running',
);
runUntilSignal(stack, logger);
