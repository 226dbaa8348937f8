/**
 * The reconciler's sweep (docs/operations.md): jobs whose record is not final although no workflow
 * will ever finish them — terminated, timed out, reset away, deleted — and holds whose workflow never
 * started. Each gets the release every failed job gets (job-settlement.ts: the same transaction,
 * exactly once against the workflow's own capture or release), a final `failed` record with error
 * source `operator`, and its archived files removed. A running workflow is never touched.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ReconcileCandidate, ReconcileKind } from '../ledger/index.js';
import { discardJobFiles } from './job-files.js';
import type { JobError, JobProgress } from '../domain/index.js';
import { videoWorkflowId } from '../workflows/job-types.js';
import type { ActivityDeps } from './deps.js';

/**
 * Jobs looked at per sweep, in creation order from where the last sweep stopped: with more in flight,
 * each is still looked at in turn (every few sweeps), without describing thousands of workflows at once.
 */
const SWEEP_LIMIT = 500;
/** Workflows described at once. */
const PARALLEL = 8;
/**
 * Workflow ids per visibility query. One list call tells which of a hundred jobs' workflows are
 * running, where a describe each cost both processes a round trip: only the others are described.
 */
const LIST_CHUNK = 100;
/** Ids that can stand in a list filter's quoted literal as they are (ours are `job_<hex>`). */
const PLAIN_ID = /^[\w.-]+$/;

export interface SweepSummary {
  checked: number;
  /** Those whose workflow visibility did not list as running: asked about one by one. */
  described?: number;
  reconciled: number;
}

type Verdict = { kind: ReconcileKind; reason: string; message: string } | null;

const CLOSED_MESSAGES: Record<string, string> = {
  TERMINATED: 'Its workflow was terminated by an operator',
  TIMED_OUT: 'Its workflow timed out',
  CANCELLED: 'Its workflow was canceled without settling the job',
  FAILED: 'Its workflow failed',
  COMPLETED: 'Its workflow completed without settling the job',
  CONTINUED_AS_NEW: 'Its workflow continued as new without settling the job',
};

export function createReconcileActivity({
  ledger,
  temporal,
  storage,
  logger,
  metrics,
  reconcileGraceMs,
}: ActivityDeps) {
  /** What happened to the candidate's workflow, or null while it may still settle the job. */
  async function verdict(c: ReconcileCandidate): Promise<Verdict> {
    let status: string;
    try {
      status = (await temporal.workflow.getHandle(videoWorkflowId(c.jobId)).describe()).status.name;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // The API may have placed the hold and be about to start the workflow: wait out the grace period.
      if (Date.now() - c.since.getTime() < reconcileGraceMs) return null;
      return c.job
        ? { kind: 'hold', reason: 'workflow_not_found', message: 'Its workflow could not be found' }
        : { kind: 'hold', reason: 'hold_without_job', message: 'Its workflow never started' };
    }
    if (status === 'RUNNING' || status === 'UNSPECIFIED') return null;
    return {
      kind: 'job',
      reason: `workflow_${status.toLowerCase()}`,
      message: CLOSED_MESSAGES[status] ?? `Its workflow ended (${status})`,
    };
  }

  async function settle(c: ReconcileCandidate, v: NonNullable<Verdict>): Promise<boolean> {
    // No free videos: whatever was archived goes, before the record says the job failed.
    await discardJobFiles(storage, c.jobId, c.job?.request ?? null);
    const error: JobError = {
      source: 'operator',
      code: v.reason,
      message: `${v.message}; the job was stopped and its credits released.`,
    };
    const progress = c.job ? failedProgress(c, error) : null;
    const result = await ledger.reconcileJob({
      jobId: c.jobId,
      kind: v.kind,
      reason: v.reason,
      patch: { state: 'failed', error, files: [], ...(progress ? { progress } : {}) },
    });
    const changed = result.applied || result.recordChanged;
    if (changed) {
      metrics?.jobsFinished.inc({ state: 'failed' });
      logger.warn(
        { jobId: c.jobId, reason: v.reason, released: result.applied },
        'reconciler: job settled without its workflow',
      );
    }
    return changed;
  }

  /**
   * The ids among `ids` that visibility lists with a running execution. Visibility may lag: a workflow
   * it still lists as running is left for the next sweep, and one it does not list yet is described.
   */
  async function listedRunning(ids: string[]): Promise<Set<string>> {
    const running = new Set<string>();
    const plain = ids.filter((id) => PLAIN_ID.test(id));
    for (let i = 0; i < plain.length; i += LIST_CHUNK) {
      const chunk = plain.slice(i, i + LIST_CHUNK);
      Context.current().heartbeat();
      const query = `WorkflowId IN (${chunk.map((id) => `'${id}'`).join(', ')})`;
      // An id may have closed runs beside its running one (a reset): running wins.
      for await (const wf of temporal.workflow.list({ query, pageSize: 2 * chunk.length })) {
        if (wf.status.name === 'RUNNING') running.add(wf.workflowId);
      }
    }
    return running;
  }

  return {
    async sweepUnsettledJobs(): Promise<SweepSummary> {
      const ctx = Context.current();
      const { candidates: all, next: nextPage } = await ledger.reconcileCandidates(SWEEP_LIMIT);
      const running = await listedRunning(all.map((c) => videoWorkflowId(c.jobId)));
      // A running workflow is never touched; the others are described, which has the last word.
      const candidates = all.filter((c) => !running.has(videoWorkflowId(c.jobId)));
      let reconciled = 0;
      let next = 0;
      const lane = async () => {
        while (next < candidates.length) {
          const c = candidates[next++]!;
          ctx.heartbeat(next);
          const v = await verdict(c);
          if (v && (await settle(c, v))) reconciled++;
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, lane));
      await ledger.recordSweep(nextPage);
      return { checked: all.length, described: candidates.length, reconciled };
    },
  };
}

/** The job's last progress snapshot, ended: the API reads state, error and files from it. */
function failedProgress(c: ReconcileCandidate, error: JobError): JobProgress {
  const job = c.job!;
  const at = new Date().toISOString();
  const last = job.progress;
  return {
    jobId: job.id,
    kieTaskId: last?.kieTaskId ?? job.kieTaskId,
    detection: last?.detection ?? null,
    hd: last?.hd === 'pending' || last?.hd === 'ready' ? 'unavailable' : (last?.hd ?? 'not_requested'),
    hdNote: last?.hdNote ?? null,
    stages: [...(last?.stages ?? []), { state: 'failed', at }],
    callbacks: last?.callbacks ?? { received: 0, ignored: 0 },
    state: 'failed',
    files: [],
    error,
    updatedAt: at,
  };
}
