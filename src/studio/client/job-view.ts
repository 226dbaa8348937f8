/**
 * The "Your video" (or image) panel: the job's stages live from GET /v1/videos/:id/events (server-sent
 * events, one `progress` event per change) with when each began, then the video or every image, and
 * their downloads.
 */
import { byId, formatBytes, formatSeconds, h } from './dom.js';
import { FINAL, PIPELINE, STATE_LABELS } from './labels.js';
import { extensionOf, formatOf, isImage, media } from './media.js';
import type { FileView, Job, JobState } from './types.js';

export interface JobPanel {
  /** Shows `job` and follows it until it ends; resolves with its final view. */
  follow(job: Job): Promise<Job>;
  show(job: Job): void;
}

export function jobPanel(): JobPanel {
  const panel = byId('job');
  const title = byId('job-title');
  const promptEl = byId('job-prompt');
  const stagesEl = byId<HTMLOListElement>('stages');
  const status = byId('stage-status');
  const result = byId('job-result');
  /** Stops following the job shown before (its promise resolves with what was last seen). */
  let stop: (() => void) | null = null;
  /** When each state was first seen (server time, ms since the job was created). */
  let seen = new Map<JobState, number>();

  function reset(job: Job) {
    stop?.();
    stop = null;
    seen = new Map();
    panel.hidden = false;
    promptEl.textContent = job.prompt;
    result.replaceChildren();
    status.textContent = '';
  }

  function record(job: Job) {
    if (!seen.has(job.state)) seen.set(job.state, Date.parse(job.updatedAt) - Date.parse(job.createdAt));
  }

  function render(job: Job) {
    const images = job.files.filter(isImage).length;
    title.textContent = job.kind === 'image' ? `Your image${images > 1 ? 's' : ''}` : 'Your video';
    const stages = PIPELINE.filter((s) => s !== 'fetching_hd' || job.hd !== 'not_requested' || seen.has(s));
    const final = FINAL.includes(job.state);
    if (final && job.state !== 'succeeded') stages.splice(stages.indexOf('succeeded'), 1, job.state);
    const at = stages.indexOf(job.state);
    stagesEl.replaceChildren(
      ...stages.map((s, i) => {
        const ms = seen.get(s);
        const bad = s === job.state && final && s !== 'succeeded';
        return h(
          'li',
          {
            class: bad ? 'bad' : i < at || (final && i === at) ? 'done' : '',
            'aria-current': !final && i === at ? 'step' : undefined,
            'data-state': s,
          },
          h('span', { class: 'name' }, STATE_LABELS[s]),
          ms === undefined ? '' : h('time', {}, `+${formatSeconds(ms)}`),
        );
      }),
    );
    const elapsed = formatSeconds(Date.parse(job.updatedAt) - Date.parse(job.createdAt));
    status.textContent = final
      ? `${STATE_LABELS[job.state]} after ${elapsed}.`
      : `${STATE_LABELS[job.state]}… (${elapsed} so far)`;
    if (final) renderResult(job);
  }

  function renderResult(job: Job) {
    if (job.state !== 'succeeded') {
      result.replaceChildren(
        h('p', { class: 'error' }, job.error?.message ?? `The ${job.kind} could not be made.`),
        h('p', { class: 'hint' }, 'Nothing was charged: the credits held for it are available again.'),
      );
      return;
    }
    const charged = h('p', { class: 'hint' }, `Charged ${job.charged ?? 0} credits.`);
    const images = job.files.filter(isImage);
    if (images.length) {
      // Every image, each with its own download right under it.
      result.replaceChildren(
        h(
          'ul',
          { class: 'shots', 'aria-label': 'Images' },
          ...images.map((f, i) =>
            h(
              'li',
              {},
              media(job, f, { preview: false }),
              download(job, f, `Download image${images.length > 1 ? ` ${i + 1}` : ''}`),
            ),
          ),
        ),
        charged,
      );
      return;
    }
    const original = job.files.find((f) => f.variant === 'original');
    result.replaceChildren(
      original ? media(job, original, { preview: false }) : '',
      h(
        'ul',
        { class: 'downloads', 'aria-label': 'Downloads' },
        ...job.files.map((f) => h('li', {}, download(job, f, `Download ${f.variant}`))),
      ),
      job.hdNote ? h('p', { class: 'hint' }, `1080p: ${job.hdNote}`) : '',
      charged,
    );
  }

  return {
    show(job) {
      reset(job);
      record(job);
      render(job);
    },
    follow(job) {
      reset(job);
      record(job);
      render(job);
      title.focus();
      if (FINAL.includes(job.state)) return Promise.resolve(job);
      return new Promise<Job>((resolve, reject) => {
        const es = new EventSource(`/v1/videos/${encodeURIComponent(job.id)}/events`);
        let last = job;
        stop = () => {
          es.close();
          resolve(last);
        };
        es.addEventListener('progress', (e) => {
          last = JSON.parse((e as MessageEvent<string>).data) as Job;
          record(last);
          render(last);
        });
        es.addEventListener('end', () => {
          stop = null;
          es.close();
          resolve(last);
        });
        // EventSource reconnects by itself after a dropped connection; CLOSED means it gave up (401, 404).
        es.addEventListener('error', () => {
          if (es.readyState !== EventSource.CLOSED) return;
          stop = null;
          reject(new Error('The progress stream closed.'));
        });
      });
    },
  };
}

/** A file's download link (signed: it works without the session), saved as `<job>-<variant>.<ext>`. */
function download(job: Job, f: FileView, text: string): HTMLAnchorElement {
  return h(
    'a',
    { class: 'button', href: f.url, download: `${job.id}-${f.variant}.${extensionOf(f)}` },
    `${text} (${formatOf(f)}, ${formatBytes(f.size)})`,
  );
}
