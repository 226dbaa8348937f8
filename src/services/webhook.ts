/**
 * KIE's completion callbacks (docs/kie-api.md#callbacks). The callback is only a wake-up: KIE signs the task id and a
 * timestamp, not the body, so the workflow confirms with record-info before trusting any URL.
 * Answers fast — KIE gives up after 15 s and 3 retries — and signals only a job that still waits for
 * that task, once per task (src/services/callback-gate.ts): a flood costs a lookup, not history.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { parseVeoCallbackTaskId, verifyJobCallbackToken, verifyKieSignature } from '../kie/index.js';
import type { Metrics } from '../observability/metrics.js';
import { isFinalState, type JobState } from '../domain/index.js';
import type { Ledger } from '../ledger/index.js';
import { kieCallbackSignal } from '../workflows/definitions.js';
import type { CallbackGate } from './callback-gate.js';
import { videoWorkflowId } from '../workflows/job-types.js';

export interface WebhookDeps {
  temporal: Client;
  ledger: Pick<Ledger, 'getJob'>;
  /** One per process: it remembers which callbacks were signalled. */
  gate: CallbackGate;
  logger: Logger;
  metrics?: Metrics;
  webhookSecret: string;
  kieHmacKey?: string | undefined;
}

export type WebhookOutcome =
  | {
      status: 200;
      outcome: 'signaled' | 'job_finished_or_unknown' | 'not_waiting' | 'duplicate' | 'throttled';
    }
  | { status: 400 | 401; outcome: 'bad_token' | 'bad_signature' | 'malformed'; detail: string };

export async function handleKieCallback(
  deps: WebhookDeps,
  args: { jobId: string; token: string | undefined; headers: IncomingHttpHeaders; body: unknown },
): Promise<WebhookOutcome> {
  const result = await classifyAndSignal(deps, args);
  deps.metrics?.webhooks.inc({ outcome: result.outcome });
  return result;
}

async function classifyAndSignal(
  deps: WebhookDeps,
  {
    jobId,
    token,
    headers,
    body,
  }: { jobId: string; token: string | undefined; headers: IncomingHttpHeaders; body: unknown },
): Promise<WebhookOutcome> {
  if (!token || !verifyJobCallbackToken(deps.webhookSecret, jobId, token)) {
    return { status: 401, outcome: 'bad_token', detail: 'Invalid callback token.' };
  }
  // The token already authenticates the caller for this job; a body with no task id is malformed (400),
  // and KIE's signature cannot be checked without one, so parse before verifying it.
  const parsed = parseVeoCallbackTaskId(body);
  if (!parsed) return { status: 400, outcome: 'malformed', detail: 'Callback body has no task id.' };
  if (deps.kieHmacKey) {
    const check = verifyKieSignature({
      hmacKey: deps.kieHmacKey,
      headers,
      body,
      nowSec: Math.floor(Date.now() / 1000),
    });
    if (!check.ok)
      return { status: 401, outcome: 'bad_signature', detail: `Invalid KIE signature: ${check.reason}.` };
  }

  // Acknowledged either way (200), so KIE stops retrying; only the first callback of a task, within
  // the job's budget, for a job still waiting for that task, becomes a signal.
  const decision = deps.gate.claim(jobId, parsed.taskId);
  if (decision !== 'admit') return { status: 200, outcome: decision };
  const job = await deps.ledger.getJob(jobId);
  if (!job || isFinalState(job.state)) {
    deps.logger.info({ jobId, taskId: parsed.taskId }, 'KIE callback for a finished or unknown job: ignored');
    return { status: 200, outcome: 'job_finished_or_unknown' };
  }
  // Before the submit returns, the job's task id is not known: the workflow sorts those out itself.
  if ((job.kieTaskId !== null && job.kieTaskId !== parsed.taskId) || !WAITING.has(job.state)) {
    deps.logger.info(
      { jobId, taskId: parsed.taskId, state: job.state },
      'KIE callback the job does not wait for: ignored',
    );
    return { status: 200, outcome: 'not_waiting' };
  }

  try {
    await deps.temporal.workflow.getHandle(videoWorkflowId(jobId)).signal(kieCallbackSignal, {
      taskId: parsed.taskId,
      code: parsed.code,
      msg: parsed.msg,
      receivedAt: new Date().toISOString(),
    });
    deps.logger.info(
      { jobId, taskId: parsed.taskId, code: parsed.code },
      'KIE callback forwarded to workflow',
    );
    return { status: 200, outcome: 'signaled' };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) {
      deps.gate.release(jobId, parsed.taskId); // KIE's retry may signal it then
      throw err;
    }
    // Late (job already finished) or for a job we never had: acknowledge, so KIE stops retrying.
    deps.logger.info({ jobId, taskId: parsed.taskId }, 'KIE callback for a finished or unknown job: ignored');
    return { status: 200, outcome: 'job_finished_or_unknown' };
  }
}

/** The states in which a job waits for its KIE task's result (a callback can wake it). */
const WAITING: ReadonlySet<JobState> = new Set<JobState>(['reserving', 'queued', 'submitting', 'generating']);
