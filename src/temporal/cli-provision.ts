/**
 * Finds (or builds) the Temporal CLI, which hosts the dev server we run locally and in tests.
 *
 * The TypeScript test kit downloads the CLI at run time; our machines have no internet, so we look in
 * this order (docs/architecture.md#temporal-cli-provisioning): TEMPORAL_CLI_PATH → `temporal` on PATH → a cached build under .cache/ →
 * `go install` into that cache when Go is present (both through src/dev-tools/go-tool.ts) → the SDK's
 * own download (machines with internet).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  buildGoTool,
  cachedGoToolPath,
  findGoTool,
  type FoundTool,
  type GoTool,
  type GoToolOptions,
  goToolCacheDir,
  isWorkingBinary,
} from '../dev-tools/go-tool.js';

/** v1.5.1 is the newest tag whose go.mod has no `replace` directive, so it is the newest `go install`able. */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

const TEMPORAL_CLI: GoTool = {
  label: 'Temporal CLI',
  module: TEMPORAL_CLI_MODULE,
  binary: 'temporal',
  cacheName: 'temporal-cli',
  envVar: 'TEMPORAL_CLI_PATH',
  probe: { args: ['--version'] },
  buildTime: 'a few minutes',
};

export interface TemporalCli {
  path: string;
  source: FoundTool['source'] | 'download';
}

export type ProvisionOptions = GoToolOptions;

export async function provisionTemporalCli(opts: ProvisionOptions): Promise<TemporalCli> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const found = findGoTool(TEMPORAL_CLI, opts) ?? (await buildGoTool(TEMPORAL_CLI, { ...opts, log }));
  if (found) return found;

  const cached = cachedGoToolPath(TEMPORAL_CLI, opts.projectRoot);
  if (await canReach(DOWNLOAD_HOST)) {
    log('Temporal CLI not found and Go is not installed: downloading the release the SDK uses…');
    await download(goToolCacheDir(TEMPORAL_CLI, opts.projectRoot));
    if (isWorkingBinary(TEMPORAL_CLI, cached)) return { path: cached, source: 'download' };
  }

  throw new Error(
    [
      'No Temporal CLI available, and none can be built or downloaded here.',
      'Install one of:',
      `  - Go (https://go.dev/dl) — then re-run; the project builds ${TEMPORAL_CLI_MODULE} into .cache/`,
      '  - the Temporal CLI on PATH (https://docs.temporal.io/cli), or set TEMPORAL_CLI_PATH to its binary',
    ].join('\n'),
  );
}

/** The address the TypeScript SDK itself downloads the CLI from (machines with internet only). */
const DOWNLOAD_HOST = 'https://temporal.download';

async function download(cacheDir: string): Promise<void> {
  const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
  const platform = process.platform === 'darwin' ? 'darwin' : 'linux';
  const res = await fetch(`${DOWNLOAD_HOST}/cli/archive/v1.5.1?platform=${platform}&arch=${arch}`);
  if (!res.ok || !res.body) throw new Error(`Temporal CLI download failed: HTTP ${res.status}`);
  mkdirSync(cacheDir, { recursive: true });
  const tar = spawn('tar', ['-xzf', '-', '-C', cacheDir], { stdio: ['pipe', 'inherit', 'inherit'] });
  await pipeline(Readable.fromWeb(res.body), tar.stdin);
  await new Promise<void>((resolve, reject) =>
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited ${code}`)))),
  );
}

async function canReach(url: string): Promise<boolean> {
  try {
    await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(3000) });
    return true;
  } catch {
    return false;
  }
}
