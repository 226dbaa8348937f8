/** Every binary the local cluster runs, found or built (src/dev-tools/go-tool.ts), in one call. */
import { provisionGoTool } from '../dev-tools/go-tool.js';
import { provisionTemporalCli } from '../temporal/cli-provision.js';
import { provisionTemporalServer, TEMPORAL_UI_SERVER } from '../temporal/server-provision.js';
import type { ClusterOptions } from './topology.js';

export async function provisionClusterBinaries(
  projectRoot: string,
  withUi: boolean,
  log: (line: string) => void,
): Promise<ClusterOptions['binaries']> {
  const cli = await provisionTemporalCli({ projectRoot, log });
  const { server, sqlTool } = await provisionTemporalServer({ projectRoot, log });
  let uiServer: string | null = null;
  if (withUi) {
    try {
      uiServer = (await provisionGoTool(TEMPORAL_UI_SERVER, { projectRoot, log })).path;
    } catch (err) {
      // The UI is a convenience: the cluster runs without it (the CLI reads everything too).
      log(`Temporal UI not started: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return { server: server.path, sqlTool: sqlTool.path, cli: cli.path, uiServer };
}
