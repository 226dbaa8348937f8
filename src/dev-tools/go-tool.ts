/**
 * Finds (or builds) a development tool that is a Go program: the Temporal CLI (dev server), gofakes3
 * (an S3-compatible server for tests). Our machines have no internet but reach the Go module proxy,
 * so each tool is a pinned `go install` target built once into `.cache/<cacheName>/` (docs/architecture.md#temporal-cli-provisioning).
 *
 * Lookup order: the tool's env variable (when it has one) → its binary on PATH → the cached build →
 * `go install` into that cache when Go is present. Callers add what comes after (the Temporal CLI
 * download) and the final error.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export interface GoTool {
  /** For progress lines and errors: 'Temporal CLI'. */
  label: string;
  /** A pinned `go install` target: 'github.com/temporalio/cli/cmd/temporal@v1.5.1'. */
  module: string;
  /** The file `go install` writes: the last element of the package path. */
  binary: string;
  /** The name it is installed under on PATH when that differs (`server` → 'temporal-server'). */
  command?: string;
  /** The folder under `<projectRoot>/.cache/`. */
  cacheName: string;
  /** A variable that names the binary explicitly; when set it must work (no fallback). */
  envVar?: string;
  /** A quick run proving a binary works: exit status 0, or `output` somewhere in stdout + stderr. */
  probe: { args: string[]; output?: string };
  /** How long the first build takes, for the progress line: 'a few minutes'. */
  buildTime: string;
}

export interface GoToolOptions {
  projectRoot: string;
  env?: NodeJS.ProcessEnv;
  /** Progress lines go here (stderr by default); nothing is printed when a binary is already at hand. */
  log?: (line: string) => void;
}

export interface FoundTool {
  path: string;
  source: 'env' | 'PATH' | 'cache' | 'go-install';
}

export function goToolCacheDir(tool: GoTool, projectRoot: string): string {
  return path.join(projectRoot, '.cache', tool.cacheName);
}

export function cachedGoToolPath(tool: GoTool, projectRoot: string): string {
  return path.join(goToolCacheDir(tool, projectRoot), tool.binary);
}

/** The env variable's binary, the one on PATH, or the cached build; null when there is none yet. */
export function findGoTool(tool: GoTool, opts: GoToolOptions): FoundTool | null {
  const env = opts.env ?? process.env;
  const fromEnv = tool.envVar ? env[tool.envVar] : undefined;
  if (fromEnv) {
    if (!isWorkingBinary(tool, fromEnv))
      throw new Error(`${tool.envVar}=${fromEnv} is not an executable ${tool.label}.`);
    return { path: fromEnv, source: 'env' };
  }
  const onPath = which(tool.command ?? tool.binary, env);
  if (onPath) return { path: onPath, source: 'PATH' };
  const cached = cachedGoToolPath(tool, opts.projectRoot);
  if (isWorkingBinary(tool, cached)) return { path: cached, source: 'cache' };
  return null;
}

/** `go install`s the tool into its cache folder; null when Go is not installed. */
export async function buildGoTool(tool: GoTool, opts: GoToolOptions): Promise<FoundTool | null> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const go = which('go', env);
  if (!go) return null;
  const cacheDir = goToolCacheDir(tool, opts.projectRoot);
  const cached = cachedGoToolPath(tool, opts.projectRoot);
  log(`${tool.label} not found: building ${tool.module} with Go into ${cacheDir} (${tool.buildTime}, once)…`);
  mkdirSync(cacheDir, { recursive: true });
  await goInstall(go, tool.module, cacheDir, env, log);
  if (!isWorkingBinary(tool, cached))
    throw new Error(`go install ${tool.module} finished but ${cached} is missing.`);
  log(`${tool.label} built: ${cached}`);
  return { path: cached, source: 'go-install' };
}

/** Found or built; otherwise an error that says what to install. */
export async function provisionGoTool(tool: GoTool, opts: GoToolOptions): Promise<FoundTool> {
  const found = findGoTool(tool, opts) ?? (await buildGoTool(tool, opts));
  if (found) return found;
  throw new Error(
    [
      `No ${tool.label} available, and Go is not installed to build it.`,
      `Install Go (https://go.dev/dl) and re-run: the project builds ${tool.module} into .cache/${tool.cacheName}/.`,
      `Or put \`${tool.command ?? tool.binary}\` on PATH${tool.envVar ? `, or set ${tool.envVar} to its binary` : ''}.`,
    ].join('\n'),
  );
}

export function isWorkingBinary(tool: GoTool, file: string): boolean {
  if (!existsSync(file)) return false;
  const r = spawnSync(file, tool.probe.args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error) return false;
  return tool.probe.output === undefined
    ? r.status === 0
    : `${r.stdout}${r.stderr}`.includes(tool.probe.output);
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
  module: string,
  gobin: string,
  env: NodeJS.ProcessEnv,
  log: (l: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(go, ['install', module], {
      // CGO off: a static binary doesn't depend on the host's libc (the Temporal CLI's SQLite driver is pure Go).
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
      else reject(new Error(`go install ${module} failed (exit ${code}):\n${tail}`));
    });
  });
}
