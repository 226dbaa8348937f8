/**
 * Finds (or builds) the Temporal server and its schema tool, for `npm run cluster` and the fault test:
 * the same server the pinned CLI embeds, run as a real cluster on Postgres instead of the dev server.
 *
 * Lookup order, as for the CLI (src/dev-tools/go-tool.ts): TEMPORAL_SERVER_PATH / TEMPORAL_SQL_TOOL_PATH
 * → `temporal-server` / `temporal-sql-tool` on PATH → a cached build → `go install` into .cache/.
 */
import { type FoundTool, type GoTool, type GoToolOptions, provisionGoTool } from '../dev-tools/go-tool.js';

/** The server version the Temporal CLI v1.5.1 embeds; its go.mod has no `replace`, so it builds with `go install`. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';

export const TEMPORAL_SERVER: GoTool = {
  label: 'Temporal server',
  module: `go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
  binary: 'server',
  command: 'temporal-server',
  cacheName: 'temporal-server',
  envVar: 'TEMPORAL_SERVER_PATH',
  probe: { args: ['--version'], output: TEMPORAL_SERVER_VERSION },
  buildTime: 'about 3 minutes',
};

export const TEMPORAL_SQL_TOOL: GoTool = {
  label: 'temporal-sql-tool',
  module: `go.temporal.io/server/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
  binary: 'sql',
  command: 'temporal-sql-tool',
  cacheName: 'temporal-server',
  envVar: 'TEMPORAL_SQL_TOOL_PATH',
  probe: { args: ['--version'], output: TEMPORAL_SERVER_VERSION },
  buildTime: 'a minute after the server',
};

export interface TemporalServerBinaries {
  server: FoundTool;
  sqlTool: FoundTool;
}

/** Both binaries, built one after the other (the second reuses the first's Go build cache). */
export async function provisionTemporalServer(opts: GoToolOptions): Promise<TemporalServerBinaries> {
  const server = await provisionGoTool(TEMPORAL_SERVER, opts);
  const sqlTool = await provisionGoTool(TEMPORAL_SQL_TOOL, opts);
  return { server, sqlTool };
}

/** The Web UI server the CLI v1.5.1 embeds (its assets are compiled in), run standalone next to a cluster. */
export const TEMPORAL_UI_SERVER: GoTool = {
  label: 'Temporal UI server',
  module: 'github.com/temporalio/ui-server/v2/cmd/server@v2.42.1',
  binary: 'server',
  command: 'temporal-ui-server',
  cacheName: 'temporal-ui-server',
  envVar: 'TEMPORAL_UI_SERVER_PATH',
  probe: { args: ['--version'], output: 'Temporal UI version 2.42.1' },
  buildTime: 'about a minute',
};
