/**
 * A job's file as the page shows it: a <video> for a video, an <img> for an image (its alt text the
 * prompt). Its link is signed and expires (an hour or so): when the element fails to load — a page
 * left open for long — it asks for the job again, once, and takes the fresh link.
 */
import { api } from './api.js';
import { h } from './dom.js';
import type { FileView, Job } from './types.js';

export const isImage = (file: FileView) => file.contentType.startsWith('image/');

/** "PNG", "JPEG", "MP4": the format of a file, from its content type. */
export const formatOf = (file: FileView) => (file.contentType.split('/')[1] ?? '').toUpperCase();

/** The extension a download is saved under. */
export const extensionOf = (file: FileView) => {
  const ext = file.contentType.split('/')[1] ?? 'bin';
  return ext === 'jpeg' ? 'jpg' : ext;
};

export function media(
  job: Job,
  file: FileView,
  opts: { preview: boolean },
): HTMLVideoElement | HTMLImageElement {
  let el: HTMLVideoElement | HTMLImageElement;
  // A video's preview shows its first frame (the #t fragment stays in the browser: the signature is untouched).
  let src = (url: string) => url;
  if (isImage(file)) {
    el = h('img', {
      src: file.url,
      alt: altText(job, file),
      loading: opts.preview ? 'lazy' : 'eager',
      decoding: 'async',
    });
  } else {
    if (opts.preview) src = (url) => `${url}#t=0.1`;
    el = h('video', {
      src: src(file.url),
      controls: true,
      playsinline: true,
      preload: opts.preview ? 'metadata' : 'auto',
      'aria-label': `Video: ${job.prompt}`,
    });
  }
  let renewed = false;
  el.addEventListener('error', () => {
    if (renewed) return;
    renewed = true;
    api<Job>('GET', `/v1/videos/${encodeURIComponent(job.id)}`).then(
      (fresh) => {
        const url = fresh.files.find((f) => f.variant === file.variant)?.url;
        if (url) el.src = src(url);
      },
      () => undefined, // the element keeps showing its own error state
    );
  });
  return el;
}

/** The prompt describes the image; with several, which one it is. */
function altText(job: Job, file: FileView): string {
  const images = job.files.filter(isImage);
  return images.length > 1
    ? `${job.prompt} (image ${images.indexOf(file) + 1} of ${images.length})`
    : job.prompt;
}
