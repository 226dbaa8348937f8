/** Archiving one result file: streamed into storage, hashed, checked, with heartbeats. */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { archiveFromUrl, ArchiveError } from '../archive/index.js';
import { videoKey } from '../storage/index.js';
import type { ArchivedFile, Variant } from '../domain/index.js';
import type { ActivityDeps } from './deps.js';

export function createArchiveActivity({
  storage,
  kie,
  downloadHosts,
  maxDownloadBytes,
  logger,
  metrics,
}: ActivityDeps) {
  return {
    async archiveFile(args: { jobId: string; variant: Variant; url: string }): Promise<ArchivedFile> {
      const ctx = Context.current();
      const key = videoKey(args.jobId, args.variant);
      const started = Date.now();
      try {
        const result = await archiveFromUrl({
          url: args.url,
          storage,
          key,
          allowedHosts: downloadHosts,
          maxBytes: maxDownloadBytes,
          // KIE result URLs expire; download-url mints a fresh one for the same file.
          refreshUrl: (expired) => kie.downloadUrl(expired),
          onProgress: (p) => ctx.heartbeat(p),
          signal: ctx.cancellationSignal,
        });
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
        if (err instanceof ArchiveError && !err.retryable) {
          throw ApplicationFailure.nonRetryable(err.message, 'ArchiveError', err.kind);
        }
        throw err;
      }
    },
  };
}
