/**
 * The studio page: sign in with an API key (the server answers with an HttpOnly session cookie), pick
 * a model at its price, describe the video, follow it live, play and download it, browse past ones.
 */
import { ApiError, api, newIdempotencyKey } from './api.js';
import { byId } from './dom.js';
import { clearErrors, showErrors } from './field-errors.js';
import { gallery } from './gallery.js';
import { jobPanel } from './job-view.js';
import { FINAL } from './labels.js';
import type { Catalog, Credits, GenerationType, Job } from './types.js';

const pageError = byId('page-error');
const signInSection = byId('sign-in');
const studio = byId('studio');
const account = byId('account');
const balance = byId('balance');

let catalog: Catalog;
const panel = jobPanel();
const videos = gallery((job) => {
  if (!FINAL.includes(job.state)) return void follow(job);
  panel.show(job);
  byId('job-title').focus();
});

async function refreshCredits(): Promise<void> {
  try {
    const c = await api<Credits>('GET', '/v1/credits');
    balance.textContent = `${c.available} credits available${c.held ? ` (${c.held} held)` : ''}`;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return showSignIn(err.message);
    balance.textContent = 'Balance unavailable';
  }
}

/** The sign-in form; `note` says why it is back (a session that ended). */
function showSignIn(note = ''): void {
  byId('sign-in-note').textContent = note;
  studio.hidden = true;
  account.hidden = true;
  signInSection.hidden = false;
  byId('api-key').focus();
}

async function showStudio(): Promise<void> {
  signInSection.hidden = true;
  studio.hidden = false;
  account.hidden = false;
  await Promise.all([refreshCredits(), videos.reload()]);
}

async function follow(job: Job): Promise<void> {
  try {
    await panel.follow(job);
  } catch {
    // The stream gave up (the session ended, or the job is gone): show the job as it stands now.
    try {
      panel.show(await api<Job>('GET', `/v1/videos/${encodeURIComponent(job.id)}`));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return showSignIn(err.message);
    }
  }
  await Promise.all([refreshCredits(), videos.reload()]);
}

// Sign in / out ------------------------------------------------------------------------------------

const signInForm = byId<HTMLFormElement>('sign-in-form');
signInForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const key = byId<HTMLInputElement>('api-key');
  const button = signInForm.querySelector('button')!;
  const message = byId('api-key-error');
  clearErrors(signInForm, message);
  button.disabled = true;
  api('POST', '/v1/session', { apiKey: key.value.trim() })
    .then(async () => {
      key.value = '';
      await showStudio();
      byId('prompt').focus();
    })
    .catch((err: unknown) => {
      if (!(err instanceof ApiError)) throw err;
      // Whatever the reason (unknown key, empty field, rate limit), it belongs to the key field.
      key.setAttribute('aria-invalid', 'true');
      message.textContent = err.problem.errors?.[0]?.message ?? err.problem.detail ?? err.problem.title;
      key.focus();
    })
    .finally(() => (button.disabled = false));
});

byId('sign-out').addEventListener('click', () => {
  void api('DELETE', '/v1/session').finally(() => showSignIn('Signed out.'));
});

// The create form ----------------------------------------------------------------------------------

const form = byId<HTMLFormElement>('create-form');
const model = byId<HTMLSelectElement>('model');
const prompt = byId<HTMLTextAreaElement>('prompt');
const images = byId('images');
const generationType = byId<HTMLSelectElement>('generation-type');
const imageUrls = byId<HTMLTextAreaElement>('image-urls');
const aspectRatio = byId<HTMLSelectElement>('aspect-ratio');
const seed = byId<HTMLInputElement>('seed');
const hd = byId<HTMLInputElement>('hd');
const createError = byId('create-error');
const generate = byId<HTMLButtonElement>('generate');

const mode = () => (form.elements.namedItem('mode') as RadioNodeList).value as 't2v' | 'i2v';

/** The hints that spell out KIE's limits for the current choices, and the price. */
function describe(): void {
  const { limits, models, hdPrice } = catalog;
  images.hidden = mode() !== 'i2v';
  const type = generationType.value as GenerationType;
  const { min, max } = limits.imageCounts[type];
  byId('image-urls-hint').textContent =
    type === 'REFERENCE_2_VIDEO'
      ? `${min} to ${max} images showing the subject or style. References work with ${limits.referenceModels
          .map(modelName)
          .join(' or ')} in ${limits.referenceAspectRatios.join(', ')} only.`
      : `${min} image: the video starts from it; or ${max}: the first and the last frame. ` +
        'KIE fetches them: they must be public http(s) URLs.';
  const count = prompt.value.trim().length;
  byId('prompt-hint').textContent =
    `${count} of at most ${limits.promptMaxLength} characters. KIE translates other languages into English first.`;
  byId('seed-hint').textContent =
    `A whole number from ${limits.seed.min} to ${limits.seed.max}: the same seed and prompt give a similar video. Empty: KIE picks one.`;
  const hdPossible = limits.hdAspectRatios.includes(
    aspectRatio.value as Catalog['limits']['hdAspectRatios'][number],
  );
  hd.disabled = !hdPossible;
  if (!hdPossible) hd.checked = false;
  byId('hd-hint').textContent = hdPossible
    ? `+${hdPrice} credits, charged only if the 1080p version is delivered (a minute or two after the video).`
    : `1080p exists for ${limits.hdAspectRatios.join(' and ')} only.`;
  const price = (models.find((m) => m.id === model.value)?.price ?? 0) + (hd.checked ? hdPrice : 0);
  byId('total').textContent = `This video costs ${price} credits.`;
}

function modelName(id: string): string {
  return catalog.models.find((m) => m.id === id)?.name ?? id;
}

/** The request body for POST /v1/videos, as typed: validation is the server's (its errors name the field). */
function requestBody(): Record<string, unknown> {
  const body: Record<string, unknown> = {
    prompt: prompt.value,
    model: model.value,
    aspectRatio: aspectRatio.value,
    hd: hd.checked,
  };
  if (mode() === 'i2v') {
    body.generationType = generationType.value;
    body.imageUrls = imageUrls.value
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  }
  const s = seed.value.trim();
  if (s) body.seed = /^\d+$/.test(s) ? Number(s) : s;
  return body;
}

form.addEventListener('input', describe);
form.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(form, createError);
  generate.disabled = true;
  api<Job>('POST', '/v1/videos', requestBody(), { 'idempotency-key': newIdempotencyKey() })
    .then((job) => {
      void refreshCredits();
      void videos.reload();
      // Not awaited: another video can be started while this one runs.
      void follow(job);
    })
    .catch((err: unknown) => {
      if (!(err instanceof ApiError)) throw err;
      if (err.status === 401) return showSignIn(err.message);
      showErrors(form, createError, err);
      if (err.status === 402) void refreshCredits();
    })
    .finally(() => (generate.disabled = false));
});

// Start ------------------------------------------------------------------------------------------

async function start(): Promise<void> {
  catalog = await api<Catalog>('GET', '/v1/models');
  model.replaceChildren(
    ...catalog.models.map((m) => {
      const option = document.createElement('option');
      option.value = m.id;
      option.textContent = `${m.name} · ${m.price} credits`;
      return option;
    }),
  );
  model.value = catalog.models.some((m) => m.id === 'veo3_fast')
    ? 'veo3_fast'
    : (catalog.models[0]?.id ?? '');
  describe();
  const session = await api<{ signedIn: boolean }>('GET', '/v1/session');
  if (!session.signedIn) return showSignIn();
  await showStudio();
}

start().catch((err: unknown) => {
  pageError.textContent = `The studio could not start: ${(err as Error).message}`;
});
