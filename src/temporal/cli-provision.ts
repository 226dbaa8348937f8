/**
 * Finds (or builds) the Temporal CLI, which hosts the dev server we run locally and in tests.
 *
 * The TypeScript test kit downloads the CLI at run time; our machines have no internet, so we look in
 * this order (DESIGN §1): TEMPORAL_CLI_PATH → `temporal` on PATH → a cached build under .cache/ →
 * `go install` into that cache when Go is present → the SDK's own download (machines with internet).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** v1.5.1 is the newest tag whose go.mod has no `replace` directive, so it is the newest `go install`able. */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export interface TemporalCli {
  path: string;
  source: 'env' | 'PATH' | 'cache' | 'go-install' | 'download';
}

export interface ProvisionOptions {
  projectRoot: string;
  env?: NodeJS.ProcessEnv;
  /** Progress lines go here (stderr by default); nothing is printed when a binary is already at hand. */
  log?: (line: string) => void;
}

export async function provisionTemporalCli(opts: ProvisionOptions): Promise<TemporalCli> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  const fromEnv = env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv))
      throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable Temporal CLI.`);
    return { path: fromEnv, source: 'env' };
  }

  const onPath = which('temporal', env);
  if (onPath) return { path: onPath, source: 'PATH' };

  const cacheDir = path.join(opts.projectRoot, '.cache', 'temporal-cli');
  const cached = path.join(cacheDir, 'temporal');
  if (isExecutable(cached)) return { path: cached, source: 'cache' };

  const go = which('go', env);
  if (go) {
    log(
      `Temporal CLI not found: building ${TEMPORAL_CLI_MODULE} with Go into ${cacheDir} (a few minutes, once)…`,
    );
    mkdirSync(cacheDir, { recursive: true });
    await goInstall(go, cacheDir, env, log);
    if (isExecutable(cached)) {
      log(`Temporal CLI built: ${cached}`);
      return { path: cached, source: 'go-install' };
    }
    throw new Error(`go install ${TEMPORAL_CLI_MODULE} finished but ${cached} is missing.`);
  }

  if (await canReach(DOWNLOAD_HOST)) {
    log('Temporal CLI not found and Go is not installed: downloading the release the SDK uses…');
    await download(cacheDir);
    if (isExecutable(cached)) return { path: cached, source: 'download' };
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

export function cliPath(cli: TemporalCli): string {
  return cli.path;
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

function isExecutable(file: string): boolean {
  if (!existsSync(file)) return false;
  const r = spawnSync(file, ['--version'], { stdio: 'ignore', timeout: 30_000 });
  return r.status === 0;
}

function which(bin: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, bin);
    if (existsSync(candidate)) return candidate;
  }
  // Go's default install location is often not on PATH in CI shells.
  const goDefault = bin === 'go' ? '/usr/local/go/bin/go' : null;
  return goDefault && existsSync(goDefault) ? goDefault : null;
}

function goInstall(
  go: string,
  gobin: string,
  env: NodeJS.ProcessEnv,
  log: (l: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(go, ['install', TEMPORAL_CLI_MODULE], {
      // CGO off: the CLI's SQLite driver is pure Go, and a static binary doesn't depend on the host's libc.
      env: { ...env, GOBIN: gobin, CGO_ENABLED: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let downloaded = 0;
    const started = Date.now();
    const ticker = setInterval(() => {
      log(
        `  … still building (${Math.round((Date.now() - started) / 1000)} s, ${downloaded} modules fetched)`,
      );
    }, 15_000);
    let tail = '';
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      downloaded += text.split('go: downloading').length - 1;
      tail = (tail + text).slice(-4000);
    });
    child.on('error', (err) => {
      clearInterval(ticker);
      reject(err);
    });
    child.on('close', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new Error(`go install ${TEMPORAL_CLI_MODULE} failed (exit ${code}):\n${tail}`));
    });
  });
}

async function canReach(url: string): Promise<boolean> {
  try {
    await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(3000) });
    return true;
  } catch {
    return false;
  }
}
