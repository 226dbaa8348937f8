/**
 * One long-running program of the local cluster (Temporal server, an API, a worker, the simulator):
 * started under the watchdog (src/dev-tools/watched-child.ts), its output appended to a log file,
 * stoppable gracefully (SIGTERM, then SIGKILL after a grace period) or killed outright, restartable.
 */
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { killGroup, spawnWatched } from '../dev-tools/watched-child.js';

export interface ProcessSpec {
  /** For messages and the log file: 'api-1', 'temporal'. */
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
}

export interface SupervisedProcess {
  readonly name: string;
  readonly logFile: string;
  /** The program's pid (under its watchdog shell); -1 when not running. */
  pid(): number;
  running(): boolean;
  start(): void;
  /** SIGTERM, SIGKILL after graceMs; resolves when it is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL, no warning: a crash. Resolves when it is gone. */
  kill(): Promise<void>;
  /** Resolves with the first output line matching, rejects when the process exits first or on timeout. */
  waitForLine(match: RegExp, timeoutMs: number): Promise<string>;
  /** Called when the process ends without stop()/kill() asking it to. */
  onUnexpectedExit(fn: (code: number | null, signal: string | null) => void): void;
  /** The last lines of output, for error messages. */
  tail(): string;
}

export function supervise(spec: ProcessSpec): SupervisedProcess {
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let expectedExit = false;
  let log: WriteStream | null = null;
  const recent: string[] = [];
  const lineListeners = new Set<(line: string) => void>();
  const exitListeners = new Set<() => void>();
  const unexpected: Array<(code: number | null, signal: string | null) => void> = [];
  mkdirSync(path.dirname(spec.logFile), { recursive: true });

  const onLine = (line: string) => {
    log?.write(`${line}\n`);
    recent.push(line);
    if (recent.length > 40) recent.shift();
    for (const fn of lineListeners) fn(line);
  };

  const self: SupervisedProcess = {
    name: spec.name,
    logFile: spec.logFile,
    pid: () => (child && child.exitCode === null && child.signalCode === null ? (child.pid ?? -1) : -1),
    running: () => self.pid() !== -1,
    start() {
      if (self.running()) throw new Error(`${spec.name} is already running`);
      expectedExit = false;
      log = createWriteStream(spec.logFile, { flags: 'a' });
      log.write(`--- ${new Date().toISOString()} start ${spec.name}\n`);
      const c = spawnWatched(spec.command, spec.args, { env: spec.env, cwd: spec.cwd });
      child = c;
      createInterface({ input: c.stdout! }).on('line', onLine);
      createInterface({ input: c.stderr! }).on('line', onLine);
      exited = new Promise((resolve) => {
        c.once('exit', (code, signal) => {
          const stream = log;
          log = null;
          stream?.end(`--- ${new Date().toISOString()} exit ${spec.name} code ${code} signal ${signal}\n`);
          for (const fn of exitListeners) fn();
          if (!expectedExit) for (const fn of unexpected) fn(code, signal);
          resolve();
        });
      });
    },
    async stop(graceMs = 15_000) {
      if (!child || !self.running()) return;
      expectedExit = true;
      killGroup(child, 'SIGTERM');
      const c = child;
      const timer = setTimeout(() => killGroup(c, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (!child || !self.running()) return;
      expectedExit = true;
      killGroup(child, 'SIGKILL');
      await exited;
    },
    waitForLine(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const done = (fn: () => void) => {
          clearTimeout(timer);
          lineListeners.delete(onMatch);
          exitListeners.delete(onExit);
          fn();
        };
        const onMatch = (line: string) => {
          if (match.test(line)) done(() => resolve(line));
        };
        const onExit = () =>
          done(() => reject(new Error(`${spec.name} exited before it was ready:\n${self.tail()}`)));
        const timer = setTimeout(
          () =>
            done(() => reject(new Error(`${spec.name} not ready after ${timeoutMs} ms:\n${self.tail()}`))),
          timeoutMs,
        );
        lineListeners.add(onMatch);
        exitListeners.add(onExit);
      });
    },
    onUnexpectedExit(fn) {
      unexpected.push(fn);
    },
    tail: () => recent.join('\n'),
  };
  return self;
}

/** What a child inherits from us: only the basics, never our app or cloud settings (it gets its own). */
export function inheritedEnv(): NodeJS.ProcessEnv {
  const { PATH, HOME, TMPDIR, LANG } = process.env;
  return Object.fromEntries(Object.entries({ PATH, HOME, TMPDIR, LANG }).filter(([, v]) => v !== undefined));
}
