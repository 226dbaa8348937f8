/**
 * The HTTP load generator of `bench:starts`, in a process of its own: the API's clients are remote, so
 * their side of each request (building it, parsing the answer) should not run on the event loop whose
 * work is measured. It still shares the machine's cores with everything else.
 *
 * Started by `httpLoad` below; sends `n` job creates, `concurrency` at a time, and writes one JSON line
 * to stdout: each call's latency, the wall time, and the created job ids in order.
 */
import { spawn } from 'node:child_process';
import { leanConnection } from './lean-http-client.js';
import { runConcurrently } from './stats.js';

export interface LoadRun {
  latencies: number[];
  seconds: number;
  jobIds: string[];
  /** The load generator's own CPU while it sent the batch (its start-up not included). */
  cpuSeconds: number;
}

export interface LoadSpec {
  api: string;
  apiKey: string;
  n: number;
  concurrency: number;
  /** Numbers the prompts (`Benchmark clip <from + i>`), so every job is distinct across batches. */
  from: number;
}

/** Runs one batch of creates in a child process and returns what it measured. */
export function httpLoad(spec: LoadSpec): Promise<LoadRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename], {
      env: { ...process.env, HTTP_LOAD_SPEC: JSON.stringify(spec) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the load generator exited with ${code}`));
      else resolve(JSON.parse(out) as LoadRun);
    });
  });
}

async function main(spec: LoadSpec): Promise<void> {
  const jobIds: string[] = new Array<string>(spec.n);
  const from = process.cpuUsage();
  // One keep-alive connection per caller at a time, as node:http's agent kept them.
  const idle: Array<ReturnType<typeof leanConnection>> = [];
  const run = await runConcurrently(spec.n, spec.concurrency, async (i) => {
    const connection = idle.pop() ?? leanConnection(spec.api);
    const body = JSON.stringify({ prompt: `Benchmark clip ${spec.from + i}` });
    const answer = await connection.post('/v1/videos', spec.apiKey, body);
    if (answer.status < 200 || answer.status > 299)
      throw new Error(`POST /v1/videos: ${answer.status} ${answer.body}`);
    jobIds[i] = (JSON.parse(answer.body) as { id: string }).id;
    idle.push(connection);
  });
  const cpu = process.cpuUsage(from);
  for (const connection of idle) connection.close();
  process.stdout.write(
    JSON.stringify({ ...run, jobIds, cpuSeconds: (cpu.user + cpu.system) / 1e6 } satisfies LoadRun),
  );
}

const given = process.env.HTTP_LOAD_SPEC;
if (given && process.argv[1] === import.meta.filename) await main(JSON.parse(given) as LoadSpec);
