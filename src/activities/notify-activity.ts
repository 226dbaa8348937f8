/**
 * deliverJobEvent: POSTs a finished job's event (src/domain/job-event.ts) to its customer's webhook,
 * signed as Standard Webhooks do with the user's secret, and tells Temporal what to do with the
 * outcome: 2xx delivered; 408, 429, 5xx, timeouts and network errors retried (notifyCustomer's backoff,
 * or the receiver's Retry-After); any other answer — other 4xx, a redirect — and a URL the policy
 * refuses, not retried. URL, secret and event are read from the database at each try.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { hostOf } from '../archive/index.js';
import { isFinalState, jobEventOf } from '../domain/index.js';
import { deriveKey } from '../security/derived-keys.js';
import { createSecretSealer, UnsealError } from '../security/sealed-secret.js';
import { signWebhook } from '../security/standard-webhooks.js';
import { webhookUrlProblem } from '../security/webhook-target.js';
import type { NotifyCustomerResult } from '../workflows/job-types.js';
import type { ActivityDeps } from './deps.js';
import { postWebhook, WebhookTargetRefused } from './webhook-post.js';

const POST_TIMEOUT_MS = 10_000;
/** A Retry-After is followed up to the policy's own longest wait. */
const MAX_RETRY_AFTER_S = 3600;

export function createNotifyActivity(deps: ActivityDeps) {
  const { ledger, logger, metrics } = deps;
  const targets = deps.webhookTargets ?? 'public';
  const sealer = createSecretSealer(deriveKey(deps.webhookSecret, 'sealed-secrets'));
  const count = (outcome: string) => metrics?.customerWebhooks.inc({ outcome });

  /** Not retried: the log line says why (never the URL's path or query, which may carry a token). */
  const refuse = (jobId: string, host: string, message: string, type: string) => {
    count('refused');
    logger.warn({ jobId, host, reason: message }, 'job event not delivered: not retried');
    return ApplicationFailure.nonRetryable(message, type);
  };

  return {
    async deliverJobEvent(args: { jobId: string; webhookId: string }): Promise<NotifyCustomerResult> {
      const { jobId, webhookId } = args;
      const job = await ledger.getJob(jobId);
      if (!job) throw refuse(jobId, '-', `no job ${jobId}`, 'UnknownJob');
      // Started after the capture or release: a record not final yet is one the database has not
      // caught up with; retrying waits for it.
      if (!isFinalState(job.state)) throw new Error(`job ${jobId} has not ended yet (${job.state})`);
      const event = jobEventOf(job);
      if (!event) return skipped(`a ${job.state} job is not notified`);
      const target = await ledger.jobWebhookTarget(jobId);
      const url = target?.jobUrl ?? target?.userUrl;
      if (!target || !url) return skipped('no webhook URL (the user default was cleared)');
      const host = hostOf(url);
      const problem = webhookUrlProblem(url, targets);
      if (problem) throw refuse(jobId, host, `webhook URL refused: ${problem}`, 'WebhookTargetRefused');
      if (!target.sealedSecret)
        throw refuse(jobId, host, 'the user has no webhook signing secret', 'NoWebhookSecret');
      let secret: string;
      try {
        secret = sealer.open(target.sealedSecret, target.userId);
      } catch (err) {
        if (!(err instanceof UnsealError)) throw err;
        const why = 'the signing secret does not open (WEBHOOK_SECRET changed?): rotate it';
        throw refuse(jobId, host, why, 'WebhookSecretUnreadable');
      }

      const body = JSON.stringify(event);
      const headers = signWebhook(secret, { id: webhookId, timestamp: Math.floor(Date.now() / 1000), body });
      const attempt = Context.current().info.attempt;
      let reply;
      try {
        reply = await postWebhook({
          url,
          headers: { ...headers },
          body,
          targets,
          timeoutMs: POST_TIMEOUT_MS,
        });
      } catch (err) {
        if (err instanceof WebhookTargetRefused)
          throw refuse(jobId, host, err.message, 'WebhookTargetRefused');
        count('retried');
        const message = err instanceof Error ? err.message : String(err);
        logger.info({ jobId, host, attempt, err: message }, 'job event not delivered: retrying');
        throw new Error(`POST to ${host} failed: ${message}`);
      }

      const { status } = reply;
      if (status >= 200 && status < 300) {
        count('delivered');
        logger.info({ jobId, host, status, attempt, type: event.type }, 'job event delivered');
        return { outcome: 'delivered', status };
      }
      if (status === 408 || status === 429 || status >= 500 || status < 200) {
        count('retried');
        logger.info({ jobId, host, status, attempt }, 'job event not delivered: retrying');
        const wait = reply.retryAfterSeconds;
        throw ApplicationFailure.create({
          message: `${host} answered ${status}`,
          type: 'WebhookRetry',
          ...(wait !== null ? { nextRetryDelay: `${Math.min(wait, MAX_RETRY_AFTER_S)} seconds` } : {}),
        });
      }
      if (status >= 300 && status < 400)
        throw refuse(
          jobId,
          host,
          `${host} answered ${status}: redirects are not followed`,
          'WebhookRedirect',
        );
      throw refuse(jobId, host, `${host} answered ${status}`, 'WebhookRejected');
    },
  };

  function skipped(reason: string): NotifyCustomerResult {
    count('skipped');
    return { outcome: 'skipped', reason };
  }
}
