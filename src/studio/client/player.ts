/**
 * A <video> for a job's file. Its link is signed and expires (an hour or so): when the element fails
 * to load — a page left open for long — it asks for the job again, once, and takes the fresh link.
 */
import { api } from './api.js';
import { h } from './dom.js';
import type { Job, Variant } from './types.js';

export function player(job: Job, variant: Variant, opts: { preview: boolean }): HTMLVideoElement | null {
  const file = job.files.find((f) => f.variant === variant);
  if (!file) return null;
  // A preview shows its first frame (the #t fragment stays in the browser: the signature is untouched).
  const src = (url: string) => (opts.preview ? `${url}#t=0.1` : url);
  const video = h('video', {
    src: src(file.url),
    controls: true,
    playsinline: true,
    preload: opts.preview ? 'metadata' : 'auto',
    'aria-label': `Video: ${job.prompt}`,
  });
  let renewed = false;
  video.addEventListener('error', () => {
    if (renewed) return;
    renewed = true;
    api<Job>('GET', `/v1/videos/${encodeURIComponent(job.id)}`).then(
      (fresh) => {
        const url = fresh.files.find((f) => f.variant === variant)?.url;
        if (url) video.src = src(url);
      },
      () => undefined, // the element keeps showing its own error state
    );
  });
  return video;
}
