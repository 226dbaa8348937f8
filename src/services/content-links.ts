/**
 * Playable links to archived files: what the job views put in `url`, so a `<video>` element (or a
 * plain download) works without an Authorization header.
 * - Local storage: our own content route with a signature (src/security/content-signature.ts).
 * - S3: a presigned GetObject URL, optionally served through a CDN (its origin replaces S3's; the CDN
 *   must forward path and query string to the bucket endpoint, as CloudFront does with an S3 origin).
 *
 * Expiries are rounded up to a step (at most 5 minutes), so a link stays the same across the polls
 * of one period — a front end that re-renders `<video src>` does not restart playback — and is valid
 * for at least the configured time.
 */
import type { VideoStorage } from '../storage/index.js';
import type { ContentSignatures } from '../security/content-signature.js';
import type { ArchivedFile, Variant } from '../domain/index.js';

export interface ContentLink {
  url: string;
  expiresAt: string;
}

export interface ContentLinkOptions {
  signatures: ContentSignatures;
  storage: VideoStorage;
  /** How long a link is valid, at least. */
  ttlSeconds: number;
  /** The API's stable path of a file (its content route): the API layer knows its routes, we do not. */
  path: (jobId: string, variant: Variant) => string;
  /** S3 only: serve presigned URLs through this origin (e.g. https://cdn.example.com). */
  cdnBaseUrl?: string | undefined;
  clock?: () => Date;
}

export function createContentLinks(opts: ContentLinkOptions) {
  const clock = opts.clock ?? (() => new Date());
  const step = Math.max(1, Math.min(300, Math.floor(opts.ttlSeconds / 4)));

  /** The period this moment falls in, and the expiry shared by every link issued during it. */
  function period(): { start: number; expires: number } {
    const start = Math.floor(clock().getTime() / 1000 / step) * step;
    return { start, expires: start + step + opts.ttlSeconds };
  }

  return {
    ttlSeconds: opts.ttlSeconds,
    path: opts.path,

    async link(
      jobId: string,
      file: Pick<ArchivedFile, 'variant' | 'key' | 'contentType'>,
    ): Promise<ContentLink> {
      const { start, expires } = period();
      const expiresAt = new Date(expires * 1000).toISOString();
      if (opts.storage.presign) {
        const url = await opts.storage.presign(file.key, {
          signedAt: new Date(start * 1000),
          expiresInSeconds: expires - start,
          contentType: file.contentType,
          filename: fileName(jobId, file.variant, file.contentType),
        });
        return { url: opts.cdnBaseUrl ? throughCdn(url, opts.cdnBaseUrl) : url, expiresAt };
      }
      const sig = opts.signatures.sign(jobId, file.variant, expires);
      return { url: `${opts.path(jobId, file.variant)}&expires=${expires}&sig=${sig}`, expiresAt };
    },
  };
}

const EXTENSIONS: Record<string, string> = {
  'video/mp4': 'mp4',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
};

/** What a downloaded file is called: job, variant and the extension of its content type. */
export function fileName(jobId: string, variant: string, contentType: string): string {
  return `${jobId}-${variant}.${EXTENSIONS[contentType] ?? 'bin'}`;
}

function throughCdn(presigned: string, cdnBaseUrl: string): string {
  const u = new URL(presigned);
  return `${cdnBaseUrl.replace(/\/+$/, '')}${u.pathname}${u.search}`;
}

export type ContentLinks = ReturnType<typeof createContentLinks>;
