/**
 * Progress streams that cannot pile up: a per-user cap (429 past it), a bounded life with resume by
 * Last-Event-ID, one poller per job whatever the number of its streams, and a stream that ends (rather
 * than hangs) when a read fails. The video service is a fake that counts its reads.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { JobState, JobView } from '../../src/domain/index.js';
import type { EventStreamSettings } from '../../src/api/http/event-streams.js';
import { startFakeApp } from '../support/fake-app.js';
import { openEvents, type OpenStream, type SseEvent } from '../support/sse.js';
import { waitFor } from '../support/wait-for.js';

function jobView(id: string, state: JobState, version: number): JobView {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, version)).toISOString();
  return {
    id,
    state,
    model: 'veo3_fast',
    kind: 'video',
    mode: 'text-to-video',
    prompt: 'A red fox',
    price: 80,
    charged: null,
    kieTaskId: null,
    detection: null,
    hd: 'not_requested',
    hdNote: null,
    files: [],
    error: null,
    createdAt: at,
    updatedAt: at,
    finishedAt: null,
  };
}

/**
 * A job that stays `generating` until `finish()`; each read is counted, and with `changing` each read
 * is a new version of it (so every read a stream sees becomes an event).
 */
async function followedJob(
  t: TestContext,
  settings: Partial<EventStreamSettings>,
  opts: { changing?: boolean; failAfter?: number } = {},
) {
  let reads = 0;
  let state: JobState = 'generating';
  const app = await startFakeApp(
    t,
    {
      videos: {
        get: async (_userId, jobId) => {
          reads++;
          if (opts.failAfter !== undefined && reads > opts.failAfter)
            throw new Error('the database went away');
          return jobView(jobId, state, opts.changing ? reads : 0);
        },
      },
    },
    { eventStreams: { pollMs: 100, ...settings } },
  );
  const user = await app.user();
  return {
    app,
    user,
    open: (jobId = 'job_sse', lastEventId?: string, key = user.apiKey) =>
      openEvents(`${app.apiUrl}/v1/videos/${jobId}/events`, key, lastEventId ? { lastEventId } : {}),
    finish: () => (state = 'succeeded'),
    reads: () => reads,
  };
}

/** Collects a stream's events in the background. */
function collect(stream: OpenStream) {
  const events: SseEvent[] = [];
  const done = (async () => {
    for await (const e of stream.events) events.push(e);
  })();
  return { events, done };
}

const stateOf = (e: SseEvent) => (e.data as { state: string }).state;

void describe('HTTP layer: event streams', () => {
  void it('a stream ends after its life; Last-Event-ID resumes it with the current state and the next id', async (t) => {
    const job = await followedJob(t, { maxLifeMs: 500 });
    const first = collect(await job.open());
    await first.done; // ended by the server: its life ran out
    assert.deepEqual(
      first.events.map((e) => [e.id, e.event, stateOf(e)]),
      [['1', 'progress', 'generating']],
      'the current state, then nothing (no change), and no `end`: the job goes on',
    );

    const resumed = collect(await job.open('job_sse', '1'));
    await waitFor('the resumed stream to send the current state', async () => resumed.events[0]);
    job.finish();
    await resumed.done;
    assert.deepEqual(
      resumed.events.map((e) => [e.id, e.event]),
      [
        ['2', 'progress'],
        ['3', 'progress'],
        [undefined, 'end'],
      ],
    );
    assert.deepEqual(resumed.events.map(stateOf), ['generating', 'succeeded', 'succeeded']);
  });

  void it('the streams of one job share one poller', async (t) => {
    const job = await followedJob(t, {}, { changing: true });
    const a = collect(await job.open());
    await waitFor('a few polls', async () => (a.events.length >= 3 ? true : undefined));
    const b = collect(await job.open());
    await waitFor('b to see polls too', async () => (b.events.length >= 3 ? true : undefined));
    job.finish();
    await Promise.all([a.done, b.done]);

    // Every read became an event of `a` (each read is a new version): one read per stream opened,
    // plus the poller's reads, which `a` saw all of, and `b` shared from the moment it joined.
    const versions = (s: { events: SseEvent[] }) =>
      s.events.filter((e) => e.event === 'progress').map((e) => (e.data as JobView).updatedAt);
    const polledByA = versions(a).length - 1;
    assert.equal(job.reads(), 2 + polledByA, 'the poller read once per period, not once per stream');
    const polledForB = versions(b).slice(1);
    assert.ok(
      polledForB.every((v) => versions(a).includes(v)),
      `b's updates are a's: ${polledForB.join()} ⊆ ${versions(a).join()}`,
    );
    assert.equal(b.events.at(-1)?.event, 'end');
  });

  void it('at most SSE_MAX_STREAMS_PER_USER open streams per user: 429 problem past it, a slot again once one closes', async (t) => {
    const job = await followedJob(t, { maxPerUser: 2 });
    const open = [await job.open('job_a'), await job.open('job_b')];
    assert.deepEqual(
      open.map((s) => s.status),
      [200, 200],
    );
    const refused = await job.open('job_c');
    assert.equal(refused.status, 429);
    const problem = refused.problem as { status: number; title: string; detail: string; limit: number };
    assert.equal(problem.status, 429);
    assert.match(problem.detail, /at most 2 per user/);
    assert.equal(problem.limit, 2);

    const other = await job.app.user();
    const theirs = await job.open('job_c', undefined, other.apiKey);
    assert.equal(theirs.status, 200, "another user's cap is their own");
    theirs.close();

    open[0]!.close();
    const again = await waitFor('a slot to free up', async () => {
      const s = await job.open('job_c');
      return s.status === 200 ? s : undefined;
    });
    again.close();
    open[1]!.close();
  });

  void it('a read that fails ends the stream (no hang); the server carries on', async (t) => {
    const job = await followedJob(t, {}, { failAfter: 1 });
    const stream = collect(await job.open());
    await stream.done;
    assert.deepEqual(stream.events.map(stateOf), ['generating']);
    assert.equal((await fetch(`${job.app.apiUrl}/healthz`)).status, 200);
  });
});
