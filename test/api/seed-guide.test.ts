/**
 * The seed application's integration guide, replayed call by call against the whole running system
 * (Temporal dev server, worker, KIE simulator over HTTP): as its front end does — same origin, no
 * Authorization header, signed in with the session cookie — with its bodies as written.
 *
 * The guide's create body sends `mode: "t2v"` together with a `referenceImage`, which it documents as
 * i2v-only: that exact body is refused (422 naming referenceImage, nothing held) rather than run,
 * and charged, as something the user did not ask for. The same body with `mode: "i2v"` and the
 * guide's other model in t2v then go through to `completed`, `outputs` played with no header, and the
 * 1080p route from `{ video1080pUrl: null }` to its URL — charged PRICE_HD once for any number of
 * concurrent calls. Then the refusals: 9:16, a failed job, KIE refusing the 1080p, no credits for
 * it, cross-site POSTs, expired links.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { createContentSignatures } from '../../src/security/content-signature.js';
import type { VideoRequest } from '../../src/domain/index.js';
import type { JobRecord } from '../../src/ledger/index.js';
import { deriveKey } from '../../src/security/derived-keys.js';
import { hdOnDemandWorkflowId } from '../../src/workflows/job-types.js';
import { maybeRecordWorkflowHistory, startTestStack, type TestStack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import {
  assertProblem,
  call,
  client,
  credits,
  listJobs,
  type Client,
  type Reply,
} from '../support/api-client.js';

const SESSION_SECRET = 'seed-guide-session-secret-0123456789';
const PRICE_HD = 7;

/** The guide's create body, exactly as written. */
const GUIDE_BODY = {
  model: 'veo-3.1-quality',
  prompt: 'A serene mountain landscape at sunset',
  mode: 't2v',
  aspectRatio: '16:9',
  referenceImage: 'https://example.com/image.jpg',
} as const;

interface SeedStatus {
  status: string;
  outputs: string[];
  taskId: string | null;
  jobId: string;
  error: string | null;
  completed_at: string | null;
}

/** The seed's front end: its page's origin, its session cookie, never an Authorization header. */
async function seedPage(stack: TestStack, apiKey: string) {
  const base = stack.apiUrl!;
  const origin = new URL(base).origin;
  const signIn = await call(base, 'POST', '/v1/session', { body: { apiKey }, headers: { origin } });
  assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
  const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
  const fetchJson = (method: string, path: string, body?: unknown) =>
    call(base, method, path, { body, headers: { cookie, ...(method === 'GET' ? {} : { origin }) } });
  return {
    cookie,
    origin,
    /** `const { jobId, status } = await response.json()` */
    generate: (body: unknown) => fetchJson('POST', '/api/generate/video', body),
    /** `const { status, outputs } = await statusResponse.json()` */
    status: (jobId: string) => fetchJson('GET', `/api/jobs/${jobId}`),
    /** `const { video1080pUrl, status } = await response.json()` */
    hd1080: (taskId: string) => fetchJson('GET', `/api/jobs/veo/${taskId}/1080p`),
  };
}
type SeedPage = Awaited<ReturnType<typeof seedPage>>;

/** The guide's polling loop: until `completed` or `failed`; returns the statuses seen and the last reply. */
async function pollUntilDone(page: SeedPage, jobId: string) {
  const seen: string[] = [];
  const last = await waitFor(
    `job ${jobId} completed or failed`,
    async () => {
      const r = await page.status(jobId);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const body = r.body as SeedStatus;
      if (seen.at(-1) !== body.status) seen.push(body.status);
      return body.status === 'completed' || body.status === 'failed' ? body : undefined;
    },
    30_000,
  );
  return { seen, last };
}

/** Fetches a URL as a `<video src>` does: no header at all. */
async function play(stack: TestStack, url: string, range?: string) {
  const res = await fetch(new URL(url, stack.apiUrl!), range ? { headers: { range } } : {});
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The user's credits and jobs, to show a refused request changed neither. */
async function snapshot(api: Client) {
  const c = await credits(api);
  return {
    balance: c.balance,
    held: c.held,
    entries: c.entries.length,
    jobs: (await listJobs(api, '?limit=100')).data.length,
  };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const hdEntries = (stack: TestStack, jobId: string) =>
  stack.db.query<{ kind: string; amount: number; part: string }>(
    `select kind, amount, part from credit_entries where job_id = $1 order by id`,
    [jobId],
  );

describe("the seed application's guide, replayed verbatim", () => {
  it('signed in by cookie: create, poll to completed, play outputs, 1080p on demand charged once', async (t) => {
    const stack = await startTestStack(t, {
      env: { SESSION_SECRET, PRICE_HD: String(PRICE_HD) },
      sim: { hd1080DelayMs: 2_000 },
      timing: { hdWindowMs: 15_000 },
    });
    const user = await stack.user(1000);
    const page = await seedPage(stack, user.apiKey);
    const api = client(stack, user.apiKey); // the test's own view of the ledger, not the page's

    await t.test(
      'the guide body as written (t2v with a referenceImage) → 422 naming referenceImage',
      async () => {
        const before = await snapshot(api);
        const r = await page.generate(GUIDE_BODY);
        const problem = assertProblem(r, 422, 'referenceImage');
        assert.match(problem.detail ?? '', /referenceImage goes with mode "i2v"/);
        assert.deepEqual(await snapshot(api), before);
      },
    );

    const created: Record<'i2v' | 't2v', { jobId: string; status: string }> = {} as never;
    await t.test('i2v with the referenceImage, and Veo 3.1 Fast t2v → { jobId, status }', async () => {
      const bodies = {
        i2v: { ...GUIDE_BODY, mode: 'i2v' },
        t2v: { model: 'veo-3.1-fast', prompt: GUIDE_BODY.prompt, mode: 't2v', aspectRatio: '16:9' },
      } as const;
      for (const mode of ['i2v', 't2v'] as const) {
        const r = await page.generate(bodies[mode]);
        assert.equal(r.status, 202, JSON.stringify(r.body));
        const { jobId, status } = r.body as { jobId: string; status: string };
        assert.match(jobId, /^job_/);
        assert.equal(status, 'pending');
        created[mode] = { jobId, status };
      }
      const i2v = (await stack.ledger.getJob(created.i2v.jobId))! as JobRecord & { request: VideoRequest };
      assert.deepEqual(
        {
          model: i2v.request.model,
          generationType: i2v.request.generationType,
          imageUrls: i2v.request.imageUrls,
          aspectRatio: i2v.request.aspectRatio,
          hd: i2v.request.hd,
        },
        {
          model: 'veo3',
          generationType: 'FIRST_AND_LAST_FRAMES_2_VIDEO',
          imageUrls: [GUIDE_BODY.referenceImage],
          aspectRatio: '16:9',
          hd: false,
        },
      );
      const t2v = (await stack.ledger.getJob(created.t2v.jobId))!;
      assert.equal(t2v.request.model, 'veo3_fast');
      assert.equal(t2v.request.generationType, 'TEXT_2_VIDEO');
      assert.deepEqual(t2v.request.imageUrls, []);
    });

    const done: Record<'i2v' | 't2v', SeedStatus> = {} as never;
    await t.test(
      'polling reads { status, outputs } until completed; outputs play with no header',
      async () => {
        for (const mode of ['i2v', 't2v'] as const) {
          const { seen, last } = await pollUntilDone(page, created[mode].jobId);
          assert.equal(last.status, 'completed', JSON.stringify(last));
          const order = ['pending', 'processing', 'completed'];
          assert.ok(
            seen.every((s, i) => i === 0 || order.indexOf(s) > order.indexOf(seen[i - 1]!)),
            seen.join(' → '),
          );
          assert.ok(last.completed_at && !Number.isNaN(Date.parse(last.completed_at)));
          assert.equal(last.outputs.length, 1);
          const { res, bytes } = await play(stack, last.outputs[0]!);
          assert.equal(res.status, 200);
          assert.equal(res.headers.get('content-type'), 'video/mp4');
          assert.equal(sha256(bytes), stack.simulator!.videoSha256(last.taskId!, 'original'));
          const part = await play(stack, last.outputs[0]!, 'bytes=4-7');
          assert.equal(part.res.status, 206);
          assert.equal(part.bytes.toString('latin1'), 'ftyp');
          done[mode] = last;
        }
        const kieTask = stack.simulator!.task(done.i2v.taskId!)!;
        assert.deepEqual(kieTask.request.imageUrls, [GUIDE_BODY.referenceImage]);
        assert.equal(kieTask.request.generationType, 'FIRST_AND_LAST_FRAMES_2_VIDEO');
        assert.equal(kieTask.request.model, 'veo3');
      },
    );

    await t.test(
      '1080p: { video1080pUrl: null, status } while it comes, then the URL; concurrent calls charge once',
      async () => {
        const { jobId, taskId } = done.i2v;
        const before = await credits(api);
        const first = await Promise.all(Array.from({ length: 8 }, () => page.hd1080(taskId!)));
        for (const r of first) {
          assert.equal(r.status, 202, JSON.stringify(r.body));
          const { video1080pUrl, status } = r.body as { video1080pUrl: string | null; status: string };
          assert.equal(video1080pUrl, null);
          assert.equal(status, 'processing');
        }
        const ready = await waitFor(
          'the on-demand 1080p',
          async () => {
            const r = await page.hd1080(taskId!);
            assert.ok(r.status === 200 || r.status === 202, JSON.stringify(r.body));
            const body = r.body as { video1080pUrl: string | null; status: string };
            return body.video1080pUrl ? body : undefined;
          },
          30_000,
        );
        assert.equal(ready.status, 'completed');
        const { res, bytes } = await play(stack, ready.video1080pUrl!);
        assert.equal(res.status, 200);
        assert.equal(sha256(bytes), stack.simulator!.videoSha256(taskId!, '1080p'));
        // More calls, concurrent again, once it is there: the same file, nothing charged again.
        const again = await Promise.all(Array.from({ length: 4 }, () => page.hd1080(taskId!)));
        assert.ok(
          again.every((r) => r.status === 200 && (r.body as { video1080pUrl: string }).video1080pUrl),
        );

        assert.deepEqual(await hdEntries(stack, jobId), [
          { kind: 'hold', amount: 250, part: 'main' },
          { kind: 'capture', amount: 250, part: 'main' },
          { kind: 'hold', amount: PRICE_HD, part: 'hd' },
          { kind: 'capture', amount: PRICE_HD, part: 'hd' },
        ]);
        const after = await credits(api);
        assert.equal(after.balance, before.balance - PRICE_HD);
        assert.equal(after.held, 0);
        const job = (await api('GET', `/v1/videos/${jobId}`)).body as { charged: number; hd: string };
        assert.equal(job.charged, 250 + PRICE_HD);
        assert.equal(job.hd, 'ready');
        // The job's status now lists both files, original first.
        const status = (await page.status(jobId)).body as SeedStatus & { video1080pUrl: string };
        assert.equal(status.outputs.length, 2);
        assert.ok(status.video1080pUrl);
        // One workflow did it.
        const runs = stack.temporal.client.workflow.list({
          query: `WorkflowId = '${hdOnDemandWorkflowId(jobId)}'`,
        });
        let count = 0;
        for await (const run of runs) {
          count++;
          assert.equal(run.status.name, 'COMPLETED');
        }
        assert.equal(count, 1);
        await stack.assertInvariants();
        await maybeRecordWorkflowHistory(
          stack,
          hdOnDemandWorkflowId(jobId),
          `hd1080_ready-${jobId.slice(4, 14)}`,
        );
      },
    );

    await t.test(
      '9:16 → 404 naming it (once done; 202 with the video status before); nothing held',
      async () => {
        const r = await page.generate({
          model: 'veo-3.1-fast',
          prompt: GUIDE_BODY.prompt,
          mode: 't2v',
          aspectRatio: '9:16',
        });
        assert.equal(r.status, 202, JSON.stringify(r.body));
        const { jobId } = r.body as { jobId: string };
        const { last } = await pollUntilDone(page, jobId);
        const problem = assertProblem(await page.hd1080(last.taskId!), 404);
        assert.match(problem.detail ?? '', /9:16; a 1080p is made on demand for 16:9 videos only/);
        assert.deepEqual(
          (await hdEntries(stack, jobId)).filter((e) => e.part === 'hd'),
          [],
        );
      },
    );

    await t.test('1:1, i2v without an image, t2v with images → 422 naming the field', async () => {
      const before = await snapshot(api);
      const cases: Array<[Record<string, unknown>, string, RegExp]> = [
        [{ ...GUIDE_BODY, mode: 'i2v', aspectRatio: '1:1' }, 'aspectRatio', /KIE has no 1:1/],
        [{ model: 'veo-3.1-fast', prompt: 'x', mode: 'i2v' }, 'referenceImage', /needs a referenceImage/],
        [
          { model: 'veo-3.1-fast', prompt: 'x', mode: 't2v', imageUrls: ['https://example.com/a.jpg'] },
          'imageUrls',
          /takes no images/,
        ],
        [{ model: 'veo-3.1-ultra', prompt: 'x', mode: 't2v' }, 'model', /veo-3.1-quality/],
        [{ model: 'veo-3.1-fast', prompt: 'x', mode: 'v2v' }, 'mode', /t2v .* or i2v/],
      ];
      for (const [body, field, message] of cases) {
        const problem = assertProblem(await page.generate(body), 422, field);
        assert.match(problem.detail ?? '', message, JSON.stringify(body));
      }
      assert.deepEqual(await snapshot(api), before);
    });

    await t.test('a failed job: status failed with its error; 1080p → 409 naming the failure', async () => {
      stack.simulator!.setFaults({
        outcome: { successFlag: 2, errorCode: 400, errorMessage: 'prompt blocked by policy' },
      });
      const r = await page.generate({
        model: 'veo-3.1-fast',
        prompt: 'blocked',
        mode: 't2v',
        aspectRatio: '16:9',
      });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      const { last } = await pollUntilDone(page, (r.body as { jobId: string }).jobId);
      stack.simulator!.setFaults({});
      assert.equal(last.status, 'failed');
      assert.match(last.error ?? '', /prompt blocked by policy/);
      assert.deepEqual(last.outputs, []);
      const problem = assertProblem(await page.hd1080(last.taskId!), 409);
      assert.match(problem.detail ?? '', /ended failed: .*prompt blocked by policy/);
    });

    await t.test('KIE refuses the 1080p: 202, then a final 404 naming why; its hold released', async () => {
      const r = await page.generate({
        model: 'veo-3.1-fast',
        prompt: 'refused 1080p',
        mode: 't2v',
        aspectRatio: '16:9',
      });
      const { last } = await pollUntilDone(page, (r.body as { jobId: string }).jobId);
      stack.simulator!.setFaults({ hd1080: 'refused' });
      const first = await page.hd1080(last.taskId!);
      assert.equal(first.status, 202, JSON.stringify(first.body));
      const final = await waitFor(
        'the final answer',
        async () => {
          const reply: Reply = await page.hd1080(last.taskId!);
          return reply.status === 202 ? undefined : reply;
        },
        30_000,
      );
      stack.simulator!.setFaults({});
      const problem = assertProblem(final, 404);
      assert.match(problem.detail ?? '', /The 1080p version is unavailable \(KIE/);
      assert.deepEqual(
        (await hdEntries(stack, last.jobId)).filter((e) => e.part === 'hd'),
        [
          { kind: 'hold', amount: PRICE_HD, part: 'hd' },
          { kind: 'release', amount: PRICE_HD, part: 'hd' },
        ],
      );
      // Final: asking again changes nothing.
      assertProblem(await page.hd1080(last.taskId!), 404);
      assert.equal((await hdEntries(stack, last.jobId)).length, 4);
      await maybeRecordWorkflowHistory(
        stack,
        hdOnDemandWorkflowId(last.jobId),
        `hd1080_unavailable-${last.jobId.slice(4, 14)}`,
      );
      await stack.assertInvariants();
    });

    await t.test('no credits left for the 1080p → 402, nothing held; once topped up it comes', async () => {
      const poor = await stack.user(80 + PRICE_HD - 1);
      const poorPage = await seedPage(stack, poor.apiKey);
      const r = await poorPage.generate({
        model: 'veo-3.1-fast',
        prompt: 'short of credits',
        mode: 't2v',
        aspectRatio: '16:9',
      });
      const { last } = await pollUntilDone(poorPage, (r.body as { jobId: string }).jobId);
      const problem = assertProblem(await poorPage.hd1080(last.taskId!), 402);
      assert.match(problem.detail ?? '', new RegExp(`costs ${PRICE_HD} credits; ${PRICE_HD - 1} available`));
      assert.deepEqual(
        (await hdEntries(stack, last.jobId)).filter((e) => e.part === 'hd'),
        [],
      );
      await stack.ledger.grant({ userId: poor.id, amount: 10, idempotencyKey: 'top-up' });
      const ready = await waitFor(
        'the 1080p after the top-up',
        async () => {
          const reply = await poorPage.hd1080(last.taskId!);
          assert.ok(reply.status === 200 || reply.status === 202, JSON.stringify(reply.body));
          return reply.status === 200 ? reply : undefined;
        },
        30_000,
      );
      assert.ok((ready.body as { video1080pUrl: string }).video1080pUrl);
      await stack.assertInvariants();
    });

    await t.test('a POST from another origin with the cookie → 403; an expired link → 403', async () => {
      const before = await snapshot(api);
      const crossSite = await call(stack.apiUrl!, 'POST', '/api/generate/video', {
        body: { ...GUIDE_BODY, mode: 'i2v' },
        headers: { cookie: page.cookie, origin: 'https://attacker.example' },
      });
      assertProblem(crossSite, 403);
      assert.deepEqual(await snapshot(api), before);

      const { jobId } = done.t2v;
      const signatures = createContentSignatures(deriveKey(SESSION_SECRET, 'content-url'));
      const past = Math.floor(Date.now() / 1000) - 1;
      const expired = `/v1/videos/${jobId}/content?variant=original&expires=${past}&sig=${signatures.sign(jobId, 'original', past)}`;
      const problem = assertProblem(await call(stack.apiUrl!, 'GET', expired), 403);
      assert.match(problem.detail ?? '', /expired/);
      const forged = done.t2v.outputs[0]!.replace(/sig=[\w-]{5}/, 'sig=AAAAA');
      assertProblem(await call(stack.apiUrl!, 'GET', forged), 403);
    });

    await stack.assertInvariants();
  });
});
