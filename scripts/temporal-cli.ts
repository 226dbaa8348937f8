/** `npm run temporal-cli`: find or build the Temporal CLI (see src/temporal/cli-provision.ts) and print its path. */
import path from 'node:path';
import { provisionTemporalCli } from '../src/temporal/cli-provision.js';

const cli = await provisionTemporalCli({ projectRoot: path.resolve(import.meta.dirname, '..') });
console.log(`Temporal CLI (${cli.source}): ${cli.path}`);
