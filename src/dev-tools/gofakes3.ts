/**
 * gofakes3: an S3-compatible server in one Go binary, built from the Go module proxy like the
 * Temporal CLI. The S3 storage tests run against it on loopback, with its in-memory backend.
 */
import { spawn } from 'node:child_process';
import type { GoTool } from './go-tool.js';

export const GOFAKES3: GoTool = {
  label: 'gofakes3',
  module: 'github.com/johannesboyne/gofakes3/cmd/gofakes3@v1.2.0',
  binary: 'gofakes3',
  cacheName: 'gofakes3',
  // It has no --version, and `-help` exits 1: its usage text is the proof.
  probe: { args: ['-help'], output: '-backend' },
  buildTime: 'about a minute',
};

export interface FakeS3 {
  /** http://127.0.0.1:<port>, for the S3 client's `endpoint` (path-style addressing). */
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `gofakes3 -backend memory` on `host` and a port the kernel picks (it logs which), so no
 * other process can take the port between choosing and binding it.
 *
 * It runs under a small shell holding the read end of a pipe whose write end only this Node
 * process holds: when the pipe closes — stop(), or this process exiting in any way, SIGKILL
 * included — the shell kills the server, so no gofakes3 outlives its test run.
 */
export async function startFakeS3(opts: { binPath: string; host?: string }): Promise<FakeS3> {
  const host = opts.host ?? '127.0.0.1';
  const script = [
    'exec 3<&0',
    '"$0" "$@" 3<&- </dev/null & server=$!',
    // A background list reads /dev/null as stdin, hence the pipe on fd 3.
    '(read _ <&3; kill -TERM $server 2>/dev/null) &',
    'wait $server',
  ].join('\n');
  const args = ['-backend', 'memory', '-host', `${host}:0`, '-quiet'];
  const child = spawn('/bin/sh', ['-c', script, opts.binPath, ...args], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Closing the pipe after the shell is gone may report EPIPE: nothing left to stop then.
  child.stdin.on('error', () => undefined);
  const stop = async () => {
    child.stdin.end();
    await exited;
  };

  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('gofakes3 did not start within 15 s')), 15_000);
    child.stderr.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
      const m = /using port: (\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gofakes3 exited (${code}) before listening`));
    });
    child.once('error', reject);
  }).catch(async (err: Error) => {
    await stop();
    throw new Error(`${err.message}:\n${output}`);
  });

  return { endpoint: `http://${host}:${port}`, pid: child.pid ?? -1, stop };
}
