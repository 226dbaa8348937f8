/**
 * Child processes that cannot outlive us: each runs in its own process group under a tiny shell that
 * also watches our pid. If this Node process dies without cleaning up (SIGKILL, crash), the watchdog
 * stops the child, so no orphan survives. Used for the Temporal dev server and the local cluster.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface WatchedSpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Spawns `command args…` under the watchdog; stdout and stderr are pipes, stdin is closed. */
export function spawnWatched(command: string, args: string[], opts: WatchedSpawnOptions = {}): ChildProcess {
  const script = [
    '"$0" "$@" & child=$!',
    `trap 'kill -TERM $child 2>/dev/null; wait $child; exit 0' TERM INT`,
    `while kill -0 ${process.pid} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1 & wait $!; done`,
    // The child's own status when it ended by itself (the `sleep` above may have reaped it already: then 0).
    'if kill -0 $child 2>/dev/null; then kill -TERM $child 2>/dev/null; fi; wait $child',
  ].join('\n');
  return spawn('/bin/sh', ['-c', script, command, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
}

/** Signals the child's whole process group (the watchdog shell and the program under it). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
