/** Credit and job-record activities: thin, idempotent wrappers over the ledger's transactions. */
import {
  type ArchivedFile,
  type JobProgress,
  type ReservationResult,
  type VideoRequest,
} from '../domain/index.js';
import { discardJobFiles } from './job-files.js';
import type { HdReservation } from '../workflows/job-types.js';
import type { ActivityDeps } from './deps.js';
import { recordJobMetrics } from './job-metrics.js';

export function createLedgerActivities({ ledger, metrics, storage }: ActivityDeps) {
  return {
    /** Holds the price and records the job, in one transaction; replays return the first answer. */
    async reserveCredits(args: {
      jobId: string;
      userId: string;
      price: number;
      request: VideoRequest;
      idempotency?: { key: string; requestHash: string } | undefined;
    }): Promise<ReservationResult> {
      const result = await ledger.reserveAndRecordJob({
        job: {
          id: args.jobId,
          userId: args.userId,
          model: args.request.model,
          request: args.request,
          price: args.price,
          ...(args.idempotency
            ? { idempotencyKey: args.idempotency.key, requestHash: args.idempotency.requestHash }
            : {}),
        },
        amount: args.price,
      });
      if (!result.ok) metrics?.jobsRejected.inc({ reason: result.reason });
      return result.ok ? { ok: true } : { ok: false, reason: result.reason, message: result.message };
    },

    /**
     * Mirrors the workflow's progress into the job record at every stage: the API reads jobs from the
     * database (one indexed row) instead of querying the workflow (a worker round trip per poll).
     */
    async recordJobState({ jobId, progress }: { jobId: string; progress: JobProgress }): Promise<void> {
      await ledger.updateJob(jobId, {
        state: progress.state,
        ...(progress.kieTaskId ? { kieTaskId: progress.kieTaskId } : {}),
        progress,
      });
    },

    /**
     * Capture `amount` (the whole hold when absent: workflows from before 1080p had a price) + final
     * record in one transaction.
     */
    async finalizeJob(args: { jobId: string; progress: JobProgress; amount?: number }): Promise<void> {
      const settlement = await ledger.finalizeJob({
        jobId: args.jobId,
        patch: finalPatch(args.progress),
        amount: args.amount,
      });
      if (settlement.applied && metrics) recordJobMetrics(metrics, args.progress);
    },

    /** On-demand 1080p (src/ledger/hd-on-demand.ts): hold its price, replays answer the same. */
    async reserveHdOnDemand(args: { jobId: string; userId: string; amount: number }): Promise<HdReservation> {
      return ledger.reserveHdOnDemand(args);
    },

    /** On-demand 1080p delivered: capture + its file on the job, in one transaction. */
    async deliverHdOnDemand(args: { jobId: string; file: ArchivedFile }): Promise<void> {
      await ledger.deliverHdOnDemand(args);
    },

    /** On-demand 1080p given up on: release + why, in one transaction. */
    async abandonHdOnDemand(args: { jobId: string; note: string }): Promise<void> {
      await ledger.abandonHdOnDemand(args);
    },

    /**
     * Release (or the cancel policy's charge) + final record in one transaction: the end of every job
     * without a video. Its files go too: only a succeeded job has downloadable files, so a cancel that
     * arrives while the 1080p is archived leaves nothing of the original behind.
     */
    async compensateJob(args: { jobId: string; progress: JobProgress; charge?: number }): Promise<void> {
      const progress = { ...args.progress, files: [] };
      const settlement = await ledger.compensateJob({
        jobId: args.jobId,
        patch: finalPatch(progress),
        charge: args.charge,
      });
      if (settlement.applied && metrics) recordJobMetrics(metrics, progress);
      // After the record is final: an archive finishing late sees that and removes its own file
      // (src/activities/archive-activity.ts), so no order of the two leaves one behind.
      // (A job that succeeded first keeps its files: this call then changed nothing.)
      const record = await ledger.getJob(args.jobId);
      if (record?.state !== 'succeeded') await discardJobFiles(storage, args.jobId, record?.request ?? null);
    },
  };
}

function finalPatch(p: JobProgress) {
  return {
    state: p.state,
    kieTaskId: p.kieTaskId,
    detectionChannel: p.detection?.channel ?? null,
    hdState: p.hd,
    files: p.files,
    error: p.error,
    progress: p,
  };
}
