/**
 * "My creations": the user's jobs, videos and images alike, newest first, filtered by state, a page at
 * a time (cursor paging).
 */
import { api } from './api.js';
import { byId, h } from './dom.js';
import { FINAL, STATE_LABELS } from './labels.js';
import { isImage, media } from './media.js';
import type { Job, JobPage, JobState } from './types.js';

const PAGE_SIZE = 12;

export interface Gallery {
  /** Reloads from the first page (after a filter change or a new job). */
  reload(): Promise<void>;
}

export function gallery(onOpen: (job: Job) => void): Gallery {
  const list = byId<HTMLUListElement>('gallery-list');
  const filter = byId<HTMLSelectElement>('state-filter');
  const more = byId<HTMLButtonElement>('more');
  const status = byId('gallery-status');
  let cursor: string | null = null;
  let generation = 0;

  filter.replaceChildren(
    h('option', { value: '' }, 'Everything'),
    ...(Object.keys(STATE_LABELS) as JobState[]).map((s) => h('option', { value: s }, STATE_LABELS[s])),
  );

  async function load(reset: boolean) {
    const mine = reset ? ++generation : generation;
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (filter.value) query.set('state', filter.value);
    if (!reset && cursor) query.set('cursor', cursor);
    more.disabled = true;
    status.textContent = 'Loading…';
    try {
      const page = await api<JobPage>('GET', `/v1/videos?${query}`);
      if (mine !== generation) return; // a newer reload replaced this one
      cursor = page.nextCursor;
      const cards = page.data.map((job) => card(job, onOpen));
      if (reset) list.replaceChildren(...cards);
      else list.append(...cards);
      more.hidden = !cursor;
      const count = list.children.length;
      status.textContent = count
        ? `${count} creation${count === 1 ? '' : 's'}${cursor ? ' (more below)' : ''}`
        : filter.value
          ? `Nothing in state "${STATE_LABELS[filter.value as JobState]}".`
          : 'Nothing yet: make your first video or image above.';
    } catch (err) {
      if (mine === generation)
        status.textContent = `Could not load your creations: ${(err as Error).message}`;
    } finally {
      more.disabled = false;
    }
  }

  filter.addEventListener('change', () => void load(true));
  more.addEventListener('click', () => {
    const next = list.children.length;
    void load(false).then(() => list.children[next]?.querySelector<HTMLElement>('button, a, video')?.focus());
  });
  return { reload: () => load(true) };
}

function card(job: Job, onOpen: (job: Job) => void): HTMLLIElement {
  const when = new Date(job.createdAt);
  const open = h(
    'button',
    { type: 'button', class: 'quiet' },
    FINAL.includes(job.state) ? 'Details' : 'Follow',
  );
  open.addEventListener('click', () => onOpen(job));
  return h(
    'li',
    { class: 'card', 'data-job-id': job.id, 'data-state': job.state },
    preview(job),
    h('span', { class: `badge ${job.state}` }, STATE_LABELS[job.state]),
    h('p', { class: 'prompt', title: job.prompt }, job.prompt),
    h(
      'p',
      { class: 'meta' },
      h('time', { datetime: job.createdAt }, when.toLocaleString()),
      ` · ${job.model} · ${cost(job)}`,
    ),
    open,
  );
}

/** Every image of the job (small, side by side when several), or the video, or where the job stands. */
function preview(job: Job): HTMLElement {
  const images = job.files.filter(isImage);
  if (images.length)
    return h(
      'div',
      { class: `thumbs${images.length > 1 ? ' many' : ''}` },
      ...images.map((f) => media(job, f, { preview: true })),
    );
  const original = job.files.find((f) => f.variant === 'original');
  return original
    ? media(job, original, { preview: true })
    : h('div', { class: 'placeholder' }, STATE_LABELS[job.state]);
}

function cost(job: Job): string {
  if (job.charged !== null) return `${job.charged} credits`;
  return FINAL.includes(job.state) ? 'nothing charged' : `${job.price} credits held`;
}
