/**
 * `npm run fuzz`: generated HTTP requests (fast-check) against every route of the API — enumerated from
 * its own OpenAPI document, so a new route is covered the day it is declared — and against paths no
 * route declares. The app runs in this process over real HTTP, on the `npm start` assembly: Temporal
 * dev server, worker, PGlite ledger, the KIE simulator. Prints and checks:
 *   - 5xx answers: must be 0 (each one is printed with the request and the logged error);
 *   - holds created by rejected requests: credit holds of jobs that no 2xx create answer returned,
 *     read from the ledger: must be 0;
 *   - the ledger's invariants, and the process alive (no uncaught error, /healthz answers).
 * Exits 1 on any violation.
 *
 *   npm run fuzz -- [--requests 10000] [--seed 1] [--concurrency 12]
 */
import http from 'node:http';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { jobCallbackToken, signKieCallback } from '../src/kie/index.js';
import { createLogger } from '../src/observability/logger.js';
import { loadOrCreateSecret } from '../src/runtime/secrets.js';
import { startStack, type Stack } from '../src/runtime/stack.js';
import { BENCH_ADMIN_KEY, benchConfig } from './bench/harness.js';
import {
  fuzzRequests,
  operationsOf,
  type FuzzRequest,
  type FuzzWorld,
  type OpenApiDoc,
} from './fuzz/request-arbitrary.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '12' },
  },
});
const total = Number(values.requests);
const seed = Number(values.seed);
const concurrency = Number(values.concurrency);

// Anything thrown outside a request's own handling would take a server down: count it, do not die.
const uncaught: unknown[] = [];
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (err) => {
    uncaught.push(err);
    console.error(`${event}:`, err);
  });
}

// The API's error log, kept in memory: each 5xx is reported with the error behind it.
const errorLog: Array<{ reqId?: string; msg?: string; err?: { message?: string; type?: string } }> = [];
const logSink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString().split('\n')) if (line) errorLog.push(JSON.parse(line) as never);
    done();
  },
});

// The one-process stack of the benchmarks (scripts/bench/harness.ts), with the fuzz's own settings.
const adminKey = BENCH_ADMIN_KEY;
const { dataDir, config } = await benchConfig('fuzz', {
  // The limiter answers 429 before anything else runs: keep it out of the way (its own test covers it).
  RATE_LIMIT_PER_MINUTE: '100000000',
  // Generated webhook URLs (a job's, a user's default) must never reach a host beyond this machine.
  CUSTOMER_WEBHOOK_TARGETS: 'loopback',
});
const t0 = Date.now();
const stack = await startStack({
  config,
  logger: createLogger('error', {}, logSink),
  projectRoot: path.resolve(import.meta.dirname, '..'),
  simulator: {
    seed,
    durationsMs: { veo3: 800, veo3_fast: 500, veo3_lite: 400 },
    hd1080DelayMs: 500,
    callbackRetryDelayMs: 100,
  },
  timing: {
    firstPollAfterMs: 2_000,
    pollIntervalMs: 1_000,
    hdWindowMs: 3_000,
    hdRetryIntervalMs: 300,
    retryInitialIntervalMs: 100,
  },
});
console.log(`stack up in ${Date.now() - t0} ms (Temporal dev server, worker, PGlite, simulator, API)`);

let exitCode = 1;
try {
  exitCode = await fuzz(stack);
} finally {
  await stack.close();
  await rm(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);

async function fuzz(stack: Stack): Promise<number> {
  const api = new URL(stack.apiUrl!);
  // A connection per request: client and server share this process's event loop, so a kept-alive
  // socket the server closes as idle can be reused before the client has seen the close — an error
  // of the test's own making. Fresh connections make every reset the server's.
  const agent = new http.Agent({ keepAlive: false, maxSockets: concurrency });
  const send = (r: Pick<FuzzRequest, 'method' | 'path' | 'headers' | 'body'>) => sendRaw(api, agent, r);
  const json = async (method: string, p: string, key: string, body?: unknown) => {
    const res = await send({
      method,
      path: p,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (res.status >= 300) throw new Error(`${method} ${p} → ${res.status} ${res.text}`);
    return JSON.parse(res.text) as Record<string, unknown>;
  };

  // The world the requests talk about: users with and without credits, a finished job with a file,
  // another user's job, keys that may be revoked, a KIE task id.
  const fuzzUser = await json('POST', '/admin/users', adminKey, { name: 'fuzz', credits: 1_000_000 });
  const poorUser = await json('POST', '/admin/users', adminKey, { name: 'poor' });
  const otherUser = await json('POST', '/admin/users', adminKey, { name: 'other', credits: 1_000 });
  const spareKeys = await Promise.all(
    [1, 2, 3].map(() => json('POST', `/admin/users/${String(otherUser.id)}/keys`, adminKey)),
  );
  const own = await json('POST', '/v1/videos', String(fuzzUser.apiKey), { prompt: 'fuzz fixture', hd: true });
  const others = await json('POST', '/v1/videos', String(otherUser.apiKey), { prompt: 'someone else' });
  let ownJob = own;
  for (let i = 0; i < 120 && ownJob.state !== 'succeeded'; i++) {
    await new Promise((r) => setTimeout(r, 250));
    ownJob = await json('GET', `/v1/videos/${String(own.id)}`, String(fuzzUser.apiKey));
  }
  if (ownJob.state !== 'succeeded') throw new Error(`fixture job did not succeed: ${JSON.stringify(ownJob)}`);
  const setupJobs = new Set([String(own.id), String(others.id)]);

  const webhookSecret = loadOrCreateSecret(stack.config.dataDir, 'webhook-secret');
  const hmacKey = loadOrCreateSecret(stack.config.dataDir, 'sim-hmac-key');
  const world: FuzzWorld = {
    pools: {
      id: [String(own.id), String(others.id), 'job_00000000000000000000000000000000'],
      jobId: [String(own.id), String(others.id), 'job_unknown'],
      userId: [String(fuzzUser.id), String(poorUser.id), 'usr_unknown'],
      keyId: [...spareKeys.map((k) => String(k.id)), 'key_unknown'],
      taskId: [String(ownJob.kieTaskId), 'task_unknown'],
    },
    authorization: {
      user: `Bearer ${String(fuzzUser.apiKey)}`,
      'poor-user': `Bearer ${String(poorUser.apiKey)}`,
      admin: `Bearer ${adminKey}`,
      'wrong-key': 'Bearer veo_sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      malformed: 'Basic Zm9vOmJhcg==',
      none: undefined,
    },
    callbackToken: (jobId) => jobCallbackToken(webhookSecret, jobId),
    kieSignature: (taskId) => {
      const ts = Math.floor(Date.now() / 1000);
      return {
        'x-webhook-timestamp': String(ts),
        'x-webhook-signature': signKieCallback(hmacKey, taskId, ts),
      };
    },
  };

  // Read whole (sendRaw keeps only the first few KiB of an answer).
  const doc = (await (await fetch(new URL('/openapi.json', api))).json()) as OpenApiDoc;
  const operations = operationsOf(doc).map((o) => `${o.method} ${o.path}`);
  console.log(`${operations.length} operations from /openapi.json: ${operations.join(', ')}`);
  const requests = fc.sample(fuzzRequests(doc, world), { numRuns: total, seed });

  const byStatus = new Map<number, number>();
  const byOperation = new Map<string, { n: number; codes: Set<number> }>();
  const serverErrors: Array<{ req: FuzzRequest; status: number; reqId: string | undefined; text: string }> =
    [];
  const accepted = new Set<string>();
  let noAnswer = 0;
  let breakerRefusals = 0;
  let unsendable = 0;
  const noAnswerExamples: string[] = [];
  let next = 0;
  const started = Date.now();
  const inFlight = new Map<FuzzRequest, number>();
  const progress = setInterval(() => {
    const [oldest, since] = [...inFlight].sort(([, a], [, b]) => a - b)[0] ?? [];
    const waiting =
      oldest && since && Date.now() - since > 10_000
        ? `; waiting ${Math.round((Date.now() - since) / 1000)} s for ${oldest.method} ${oldest.path.slice(0, 100)}`
        : '';
    console.log(`  … ${next}/${total} sent${waiting}`);
    if (process.env.FUZZ_DEBUG)
      for (const [r, t] of inFlight)
        console.log(Date.now() - t, JSON.stringify(r).slice(0, 400), r.body?.length);
  }, 15_000);
  const workerLoop = async () => {
    for (let i = next++; i < requests.length; i = next++) {
      const req = requests[i]!;
      inFlight.set(req, Date.now());
      const res = await send(req);
      inFlight.delete(req);
      const op = byOperation.get(req.operation) ?? { n: 0, codes: new Set<number>() };
      op.n++;
      op.codes.add(res.status);
      byOperation.set(req.operation, op);
      if (res.text.startsWith('unsendable')) {
        unsendable++;
        continue;
      }
      if (res.status === 0) {
        noAnswer++;
        noAnswerExamples.push(`${req.method} ${req.path.slice(0, 120)}: ${res.text}`);
        continue;
      }
      byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
      if (res.status === 503 && res.text.includes('"reason":"breaker_open"')) {
        // The documented answer while the spend breaker is open — which the fuzz itself opens.
        breakerRefusals++;
        continue;
      }
      if (res.status >= 500)
        serverErrors.push({ req, status: res.status, reqId: res.requestId, text: res.text.slice(0, 300) });
      if (res.status >= 200 && res.status < 300 && req.method === 'POST') {
        try {
          const body = JSON.parse(res.text) as { id?: unknown; jobId?: unknown };
          const id = body.id ?? body.jobId;
          if (typeof id === 'string') accepted.add(id);
        } catch {
          // not a JSON answer: not a create
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, workerLoop));
  clearInterval(progress);
  const seconds = (Date.now() - started) / 1000;

  // Holds the ledger has for jobs that no 2xx create answer returned (nor the fixtures).
  const holds = await stack.ledger.db.query<{ job_id: string }>(
    `select job_id from credit_entries where kind = 'hold'`,
  );
  const orphanHolds = holds.filter((h) => !accepted.has(h.job_id) && !setupJobs.has(h.job_id));
  const violations = await stack.ledger.checkInvariants();
  const alive =
    (await send({ method: 'GET', path: '/healthz', headers: {} })).status === 200 && uncaught.length === 0;

  console.log(`\nper operation (requests: statuses seen)`);
  for (const [op, s] of [...byOperation].sort())
    console.log(`  ${op.padEnd(44)} ${String(s.n).padStart(5)}: ${[...s.codes].sort().join(' ')}`);
  console.log(
    `\nstatuses: ${[...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ')}`,
  );
  for (const e of serverErrors.slice(0, 10)) {
    const logged = errorLog.find((l) => l.reqId === e.reqId);
    console.log(
      `\n5xx ${e.status} for ${e.req.method} ${e.req.path.slice(0, 200)} (${e.req.operation}, auth ${e.req.auth})`,
    );
    console.log(`  headers ${JSON.stringify(e.req.headers).slice(0, 300)}`);
    console.log(`  body ${JSON.stringify(e.req.body ?? null).slice(0, 300)}`);
    console.log(`  answer ${e.text}`);
    if (logged) console.log(`  logged ${logged.msg}: ${logged.err?.type ?? ''} ${logged.err?.message ?? ''}`);
  }
  for (const e of noAnswerExamples.slice(0, 5)) console.log('no answer:', e);
  for (const err of uncaught.slice(0, 5)) console.log('uncaught:', err);
  for (const v of violations) console.log('invariant:', v);

  console.log(`
fuzz: seed ${seed}, ${operations.length} operations + unrouted paths, ${seconds.toFixed(0)} s
  requests                          ${requests.length}
  answered                          ${requests.length - noAnswer - unsendable} (no answer: ${noAnswer}; refused by Node's client: ${unsendable})
  5xx                               ${serverErrors.length} (besides ${breakerRefusals} documented 503s while the fuzz had the spend breaker open)
  jobs accepted (2xx creates)       ${accepted.size}
  holds created by rejected requests ${orphanHolds.length}
  ledger invariant violations       ${violations.length}
  process alive                     ${alive ? 'yes' : 'NO'}${uncaught.length ? ` (${uncaught.length} uncaught errors)` : ''}`);
  const ok =
    serverErrors.length === 0 &&
    orphanHolds.length === 0 &&
    violations.length === 0 &&
    alive &&
    noAnswer === 0;
  console.log(ok ? 'fuzz: OK' : 'fuzz: FAILED');
  return ok ? 0 : 1;
}

interface Answer {
  /** 0: no answer (connection error or timeout). */
  status: number;
  text: string;
  requestId: string | undefined;
}

/** One request over a raw socket, so odd paths and headers go out as generated. */
function sendRaw(
  api: URL,
  agent: http.Agent,
  r: Pick<FuzzRequest, 'method' | 'path' | 'headers' | 'body'>,
): Promise<Answer> {
  return new Promise((resolve) => {
    let req: http.ClientRequest;
    const done = (a: Answer) => {
      clearTimeout(timer);
      resolve(a);
    };
    const timer = setTimeout(() => {
      req.destroy();
      done({ status: 0, text: 'timeout', requestId: undefined });
    }, 30_000);
    try {
      req = http.request(
        {
          host: api.hostname,
          port: api.port,
          method: r.method,
          path: r.path,
          // Node frames a DELETE or OPTIONS body only when told its length: without it the body would
          // read as a second, malformed request on the connection.
          headers:
            r.body === undefined
              ? r.headers
              : { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) },
          agent,
        },
        (res) => {
          const requestId = res.headers['x-request-id'] as string | undefined;
          const status = res.statusCode ?? 0;
          // An event stream lasts as long as the job: read its first events, then hang up, as clients do.
          if (String(res.headers['content-type']).startsWith('text/event-stream')) {
            // (A stream that ended by itself has handed its socket back to the agent: not ours to destroy.)
            const hangUp = setTimeout(() => {
              res.destroy();
              done({ status, text: '', requestId });
            }, 200);
            res.on('end', () => {
              clearTimeout(hangUp);
              done({ status, text: '', requestId });
            });
            res.resume();
            return;
          }
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            if (text.length < 4096) text += c;
          });
          res.on('end', () => done({ status, text, requestId }));
          res.on('error', () => done({ status, text, requestId }));
        },
      );
    } catch (err) {
      // Node refused to send it (a header or path it will not put on the wire): not the server's doing.
      done({ status: 0, text: `unsendable: ${(err as Error).message}`, requestId: undefined });
      return;
    }
    req.on('error', (err) => {
      done({
        status: 0,
        text: `error: ${err.message} (${(err as NodeJS.ErrnoException).code})`,
        requestId: undefined,
      });
    });
    if (r.body !== undefined) req.write(r.body);
    req.end();
  });
}
