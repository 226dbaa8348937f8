/** Archiving one result file: streamed into storage, hashed, checked, with heartbeats. */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { TemporalFailure } from '@temporalio/common';
import { archiveFromUrl, ArchiveError } from '../archive/index.js';
import { KieError } from '../kie/index.js';
import { newErrorRef } from '../observability/error-ref.js';
import { isFinalState, type ArchivedFile, type MediaKind, type Variant } from '../domain/index.js';
import { mediaKey } from '../storage/index.js';
import type { ActivityDeps } from './deps.js';
import { internalFailure, kieErrorFailure } from './public-failures.js';

export function createArchiveActivity({
  ledger,
  storage,
  kie,
  downloadHosts,
  localDownloadHosts,
  maxDownloadBytes,
  logger,
  metrics,
}: ActivityDeps) {
  return {
    /** `media`: what the file must be (its signature is checked); absent = a video, as before images. */
    async archiveFile(args: {
      jobId: string;
      variant: Variant;
      url: string;
      media?: MediaKind;
    }): Promise<ArchivedFile> {
      const ctx = Context.current();
      const media = args.media ?? 'video';
      const key = mediaKey(args.jobId, args.variant, media);
      const started = Date.now();
      try {
        const result = await archiveFromUrl({
          url: args.url,
          storage,
          key,
          allowedHosts: downloadHosts,
          localHosts: localDownloadHosts ?? [],
          maxBytes: maxDownloadBytes,
          // KIE result URLs expire; download-url mints a fresh one for the same file.
          refreshUrl: (expired) => kie.downloadUrl(expired),
          onProgress: (p) => ctx.heartbeat(p),
          signal: ctx.cancellationSignal,
          expect: media,
        });
        // The job may have ended while we downloaded (a cancel does not wait for this activity): its
        // release already removed its files, so remove this late one too — only a succeeded job keeps
        // files (src/activities/ledger-activities.ts compensateJob).
        const job = await ledger.getJob(args.jobId);
        if (job && isFinalState(job.state) && job.state !== 'succeeded') {
          await storage.delete(key);
          logger.info(
            { jobId: args.jobId, variant: args.variant, state: job.state },
            'archived after the job ended: removed',
          );
          throw ApplicationFailure.nonRetryable(
            `The job ended (${job.state}) while its file was archived.`,
            'JobEnded',
          );
        }
        metrics?.archiveBytes.inc(result.size);
        logger.info(
          { jobId: args.jobId, variant: args.variant, size: result.size, ms: Date.now() - started },
          'archived',
        );
        return {
          variant: args.variant,
          key,
          size: result.size,
          sha256: result.sha256,
          contentType: result.contentType,
        };
      } catch (err) {
        // Cancellation, and failures already classified, as they are.
        if (err instanceof TemporalFailure) throw err;
        // From refreshUrl: KIE's answer, classified like the KIE activities'.
        if (err instanceof KieError) throw kieErrorFailure(err);
        const context = { jobId: args.jobId, variant: args.variant };
        if (!(err instanceof ArchiveError)) {
          throw internalFailure(err, logger, {
            activity: `archiving the ${args.variant}`,
            type: 'ArchiveError',
            code: 'internal',
            context,
          });
        }
        // The message is written for the user; the cause (a path, S3's text, a reset) goes to the log,
        // under a reference the message names.
        const ref = newErrorRef();
        logger.warn({ err, ref, ...context, kind: err.kind }, 'archive attempt failed');
        throw ApplicationFailure.create({
          message: `${err.message.replace(/\.$/, '')} (ref ${ref}).`,
          type: 'ArchiveError',
          details: [err.kind],
          nonRetryable: !err.retryable,
        });
      }
    },
  };
}
