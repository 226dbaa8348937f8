/**
 * Where a job's files are in storage: a Veo job's original and 1080p MP4s, a Market job's results
 * (`original`, `original-2` …) as videos or images. The archive writes these keys; a job that ends
 * without succeeding has them all removed (only a succeeded job has files).
 */
import {
  isMarketRequest,
  MAX_RESULT_FILES,
  mediaKindOf,
  resultVariant,
  type JobRequest,
  type MediaKind,
} from '../domain/index.js';
import { mediaKey, type VideoStorage } from '../storage/index.js';

/** Every key the job may have written; a job whose request is unknown may have any of them. */
export function jobFileKeys(jobId: string, request: JobRequest | null): string[] {
  const veo = ['original', '1080p'].map((v) => mediaKey(jobId, v, 'video'));
  if (request && !isMarketRequest(request)) return veo;
  const results = Array.from({ length: MAX_RESULT_FILES }, (_, i) => resultVariant(i));
  const kinds: MediaKind[] = request ? [mediaKindOf(request)] : ['video', 'image'];
  return [
    ...new Set([...(request ? [] : veo), ...kinds.flatMap((k) => results.map((v) => mediaKey(jobId, v, k)))]),
  ];
}

/** Removes every file the job may have archived (idempotent: a missing file is no error). */
export async function discardJobFiles(
  storage: Pick<VideoStorage, 'delete'>,
  jobId: string,
  request: JobRequest | null,
): Promise<void> {
  await Promise.all(jobFileKeys(jobId, request).map((key) => storage.delete(key)));
}
