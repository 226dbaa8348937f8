/**
 * A process that only burns CPU, `share` of one core (busy share × 10 ms, then idle the rest of each
 * 10 ms): bench:starts runs Temporal's part of a start beside it, to show what sharing the machine's
 * cores costs the server, apart from any work of ours.
 */
import { spawn } from 'node:child_process';

export function startCpuBurner(share: number): { stop(): void } {
  if (!(share > 0 && share <= 1))
    throw new RangeError(`a burner's share of a core is in (0, 1], not ${share}`);
  const busyMs = share * 10;
  const code = `const idle = new Int32Array(new SharedArrayBuffer(4));
for (;;) { const t = performance.now(); while (performance.now() - t < ${busyMs}); Atomics.wait(idle, 0, 0, ${10 - busyMs}); }`;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  return { stop: () => void child.kill() };
}
