/**
 * `npm run temporal-server`: find or build the Temporal server and temporal-sql-tool (see
 * src/temporal/server-provision.ts) and print their paths. `npm run cluster` and its fault test use them.
 */
import path from 'node:path';
import { provisionTemporalServer } from '../src/temporal/server-provision.js';

const { server, sqlTool } = await provisionTemporalServer({
  projectRoot: path.resolve(import.meta.dirname, '..'),
});
console.log(`Temporal server (${server.source}): ${server.path}`);
console.log(`temporal-sql-tool (${sqlTool.source}): ${sqlTool.path}`);
