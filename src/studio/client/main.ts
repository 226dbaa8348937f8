/**
 * The studio page: sign in with an API key (the server answers with an HttpOnly session cookie), pick
 * a model at its price, describe the video or image, follow it live, see and download it, browse past
 * ones.
 */
import { ApiError, api } from './api.js';
import { createForm } from './create-form.js';
import { byId } from './dom.js';
import { clearErrors } from './field-errors.js';
import { gallery } from './gallery.js';
import { jobPanel } from './job-view.js';
import { FINAL } from './labels.js';
import type { Catalog, Credits, Job } from './types.js';

const pageError = byId('page-error');
const signInSection = byId('sign-in');
const studio = byId('studio');
const account = byId('account');
const balance = byId('balance');

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

// Start ------------------------------------------------------------------------------------------

async function start(): Promise<void> {
  createForm(await api<Catalog>('GET', '/v1/models'), {
    created(job) {
      void refreshCredits();
      void videos.reload();
      // Not awaited: another one can be started while this one runs.
      void follow(job);
    },
    refused(err) {
      if (err.status === 401) showSignIn(err.message);
      if (err.status === 402) void refreshCredits();
    },
  });
  const session = await api<{ signedIn: boolean }>('GET', '/v1/session');
  if (!session.signedIn) return showSignIn();
  await showStudio();
}

start().catch((err: unknown) => {
  pageError.textContent = `The studio could not start: ${(err as Error).message}`;
});
