/**
 * `npm start`: the whole system in one process on embedded defaults — Temporal dev server (SQLite
 * under .data/, Web UI on 8233), PGlite, local storage, the KIE simulator, the worker and the API.
 * Ctrl-C (or SIGTERM) shuts everything down gracefully; no `temporal` process is left behind.
 */
import path from 'node:path';
import { loadConfig, ConfigError } from './config.js';
import { createLogger } from './observability/logger.js';
import { ensureDemoUser } from './runtime/demo-user.js';
import { startStack } from './runtime/stack.js';
import { runUntilSignal } from './runtime/process.js';

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
const stack = await startStack({ config, logger, projectRoot: path.resolve(import.meta.dirname, '..') });

runUntilSignal(stack, logger, () => logger.info('stopped; state kept in %s', config.dataDir));

const demo = await ensureDemoUser(stack, config.env.DEMO_USER_CREDITS);
const api = stack.apiUrl!;
const lines = [
  '',
  '  Veo pipeline is running',
  `  API           ${api}   (docs: ${api}/docs)`,
  `  Temporal UI   ${stack.temporal.uiUrl ?? `(external cluster at ${stack.temporal.address})`}`,
  `  KIE           ${stack.simulator ? `simulator at ${stack.simulator.url}` : config.env.KIE_BASE_URL}`,
  `  Database      ${config.env.DATABASE_URL ? 'Postgres (DATABASE_URL)' : `PGlite in ${path.join(config.dataDir, 'pglite')}`}`,
  `  Videos        ${stack.storage.describe('videos/')}`,
  `  Admin key     ${stack.adminApiKey ?? '(ADMIN_API_KEY not set: admin API disabled)'}`,
  '',
  `  Demo user "${demo.name}" has ${demo.available} credits. Try:`,
  '',
  `    export VEO_API_URL=${api} VEO_API_KEY=${demo.apiKey}`,
  `    curl -s -X POST $VEO_API_URL/v1/videos -H "Authorization: Bearer $VEO_API_KEY" \\`,
  `      -H 'Content-Type: application/json' -d '{"prompt":"A red fox running through snow","hd":true}'`,
  '    npx veo generate "A red fox running through snow" --hd --wait --out fox.mp4',
  '',
  '  Ctrl-C to stop.',
  '',
];
console.log(lines.join('\n'));
