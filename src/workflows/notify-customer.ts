/**
 * notifyCustomer: tells the customer's system that a job ended — one POST signed as Standard Webhooks
 * do (src/activities/notify-activity.ts), retried with backoff for up to 24 hours. It is a workflow of
 * its own, id `notify-<jobId>`, which generateVideo starts as it ends and then leaves to itself: the
 * job never waits for a customer's endpoint, nor fails because of one (docs/architecture.md#customer-webhooks).
 *
 * Its input is the job id only: URL, signing secret and final state are read from the database by
 * the activity, so no secret is ever in a workflow payload.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  CancellationScope,
  log,
  patched,
  proxyActivities,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { createVideoActivities } from '../activities/index.js';
import {
  notifyWorkflowId,
  type GenerateVideoInput,
  type NotifyCustomerInput,
  type NotifyCustomerResult,
} from './job-types.js';

type NotifyActivities = Pick<ReturnType<typeof createVideoActivities>, 'deliverJobEvent'>;

export async function notifyCustomer(input: NotifyCustomerInput): Promise<NotifyCustomerResult> {
  const { deliverJobEvent } = proxyActivities<NotifyActivities>({
    // The POST itself is cut at 10 s; the rest is the database and DNS.
    startToCloseTimeout: '30 seconds',
    // Every try together: an endpoint down for a day misses the event (the workflow then fails, which
    // is how operators find undelivered events: docs/operations.md#customer-webhooks).
    scheduleToCloseTimeout: '24 hours',
    retry: {
      initialInterval: input.retryInitialIntervalMs ?? '10 seconds',
      backoffCoefficient: 2,
      maximumInterval: '1 hour',
    },
  });
  return deliverJobEvent.executeWithOptions({ summary: `POST the end of ${input.jobId}` }, [
    // The workflow id is the event's webhook-id: one per job, the same on every try.
    { jobId: input.jobId, webhookId: workflowInfo().workflowId },
  ]);
}

/**
 * generateVideo's last step, once the job's credits are captured or released: starts notifyCustomer
 * when the job has somewhere to notify, and returns as soon as it has started. Never throws: a
 * notification that cannot start is logged, and the job ends as it would have.
 */
export async function notifyCustomerOfEnd(input: GenerateVideoInput, allPatches: boolean): Promise<void> {
  // patched: histories recorded before this step existed replay without it; a job started with
  // generateVideo's ALL_PATCHES_MARKER has it already.
  if (!input.notify || !(allPatches || patched('notify-customer'))) return;
  const { jobId } = input;
  // Also after a cancellation: a canceled job is an end the customer is told about.
  await CancellationScope.nonCancellable(async () => {
    try {
      await startChild(notifyCustomer, {
        workflowId: notifyWorkflowId(jobId),
        args: [
          {
            jobId,
            ...(input.timing?.retryInitialIntervalMs
              ? { retryInitialIntervalMs: input.timing.retryInitialIntervalMs }
              : {}),
          },
        ],
        // It outlives the job, and is never canceled with it.
        parentClosePolicy: 'ABANDON',
        cancellationType: 'ABANDON',
        // Once per job; one that failed (its 24 h ran out) may be started again by an operator.
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        staticSummary: `notify the customer: ${jobId} ended`,
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return; // already notified, or under way
      log.warn('could not start notifyCustomer; the job is not affected', { jobId, error: String(err) });
    }
  });
}
