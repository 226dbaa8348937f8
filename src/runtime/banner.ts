/**
 * What `npm start` prints once everything is up. Secrets it printed are ones it generated itself: an
 * admin key that came from the environment is the operator's and stays out of terminals and logs;
 * the demo user (and its key) exist only with the simulator, never against a real KIE account.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import type { Stack } from './stack.js';

export interface DemoUser {
  name: string;
  apiKey: string;
  available: number;
}

export const wantsDemoUser = (config: Config): boolean => config.usingSimulator;

export function startupBanner(
  stack: Pick<Stack, 'apiUrl' | 'temporal' | 'simulator' | 'storage' | 'adminApiKey'>,
  config: Config,
  demo: DemoUser | null,
): string {
  const api = stack.apiUrl!;
  const adminKey = config.env.ADMIN_API_KEY
    ? '(from ADMIN_API_KEY)'
    : (stack.adminApiKey ?? '(ADMIN_API_KEY not set: admin API disabled)');
  const lines = [
    '',
    '  Veo pipeline is running',
    `  API           ${api}   (docs: ${api}/docs)`,
    `  Studio        ${api}/create/video   (sign in with an API key${demo ? ": the demo user's is below" : ''})`,
    `  Temporal UI   ${stack.temporal.uiUrl ?? `(external cluster at ${stack.temporal.address})`}`,
    `  KIE           ${stack.simulator ? `simulator at ${stack.simulator.url}` : config.env.KIE_BASE_URL}`,
    `  Database      ${config.env.DATABASE_URL ? 'Postgres (DATABASE_URL)' : `PGlite in ${path.join(config.dataDir, 'pglite')}`}`,
    `  Videos        ${stack.storage.describe('videos/')}`,
    `  Admin key     ${adminKey}`,
    '',
    ...(demo
      ? [
          `  Demo user "${demo.name}" has ${demo.available} credits. Try:`,
          '',
          `    export VEO_API_URL=${api} VEO_API_KEY=${demo.apiKey}`,
          `    curl -s -X POST $VEO_API_URL/v1/videos -H "Authorization: Bearer $VEO_API_KEY" \\`,
          `      -H 'Content-Type: application/json' -d '{"prompt":"A red fox running through snow","hd":true}'`,
          '    npx veo generate "A red fox running through snow" --hd --wait --out fox.mp4',
        ]
      : [
          '  Real KIE account: no demo user. Create users with the admin API:',
          `    curl -s -X POST ${api}/admin/users -H "Authorization: Bearer $ADMIN_API_KEY" \\`,
          `      -H 'Content-Type: application/json' -d '{"name":"alice","credits":500}'`,
        ]),
    '',
    '  Ctrl-C to stop.',
    '',
  ];
  return lines.join('\n');
}
