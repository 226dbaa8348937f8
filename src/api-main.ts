/** The API process for production: stateless, scale horizontally behind a load balancer. */
import { loadConfig } from './config.js';
import { createLogger } from './observability/logger.js';
import { startStack } from './runtime/stack.js';
import { runUntilSignal } from './runtime/process.js';

const config = loadConfig();
const logger = createLogger(config.env.LOG_LEVEL, { role: 'api' });
const stack = await startStack({ config, logger, roles: { api: true, worker: false } });
logger.info({ url: stack.apiUrl, temporal: stack.temporal.address }, 'API listening');
runUntilSignal(stack, logger);
