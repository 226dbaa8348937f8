/**
 * Sessions (POST/GET/DELETE /v1/session) and playable links, against the running system: the cookie's
 * attributes, the API accepting it like the key on user routes, cross-site unsafe requests refused,
 * forged/expired cookies and revoked keys refused; job views' signed `url`s played with no header
 * (ranges included), and refused once tampered with or expired.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createContentSignatures } from '../../src/security/content-signature.js';
import { deriveKey } from '../../src/security/derived-keys.js';
import { createSessionTokens } from '../../src/security/session-token.js';
import { startTestStack } from '../support/stack.js';
import {
  assertNothingChanged,
  assertProblem,
  call,
  client,
  credits,
  VALID_BODY,
  waitForJob,
  type JobView,
} from '../support/api-client.js';

const SESSION_SECRET = 'test-session-secret-0123456789abcdef';

/** The session cookie's `name=value` from a Set-Cookie header, and its attributes. */
function sessionCookie(headers: Headers) {
  const raw = headers.getSetCookie().find((c) => c.startsWith('veo_session='));
  assert.ok(raw, `a veo_session cookie in ${JSON.stringify(headers.getSetCookie())}`);
  const [pair, ...attrs] = raw.split(';').map((s) => s.trim());
  return { pair: pair!, attrs };
}

describe('sessions and playable links', () => {
  it('sign in, use the API with the cookie, cross-site refusals, sign out; signed links', async (t) => {
    const stack = await startTestStack(t, { env: { SESSION_SECRET } });
    const base = stack.apiUrl!;
    const origin = new URL(base).origin;
    const user = await stack.user(1000);
    const signIn = (headers: Record<string, string> = {}, apiKey = user.apiKey) =>
      call(base, 'POST', '/v1/session', { body: { apiKey }, headers: { origin, ...headers } });
    const signedIn = await signIn();
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    const { pair: cookie, attrs } = sessionCookie(signedIn.headers);
    /** A browser on our own page: the cookie, and the Origin header browsers add to unsafe requests. */
    const page = (
      method: string,
      path: string,
      opts: { body?: unknown; headers?: Record<string, string> } = {},
    ) =>
      call(base, method, path, {
        ...opts,
        headers: { cookie, ...(method === 'GET' ? {} : { origin }), ...opts.headers },
      });

    await t.test('the cookie: HttpOnly, SameSite=Lax, Path=/, expiring; Secure only over https', async () => {
      assert.deepEqual(attrs.filter((a) => !a.startsWith('Max-Age')).sort(), [
        'HttpOnly',
        'Path=/',
        'SameSite=Lax',
      ]);
      assert.ok(attrs.includes('Max-Age=86400'), JSON.stringify(attrs));
      const body = signedIn.body as { signedIn: boolean; user: { id: string }; expiresAt: string };
      assert.equal(body.signedIn, true);
      assert.equal(body.user.id, user.id);
      const ttl = Date.parse(body.expiresAt) - Date.now();
      assert.ok(ttl > 86_000_000 && ttl <= 86_400_000, body.expiresAt);
      assert.equal(signedIn.headers.get('cache-control'), 'no-store');
      // Behind a TLS-terminating proxy on loopback (trusted), the cookie is Secure.
      const overHttps = await signIn({
        'x-forwarded-proto': 'https',
        origin: origin.replace('http:', 'https:'),
      });
      assert.equal(overHttps.status, 200, JSON.stringify(overHttps.body));
      assert.ok(sessionCookie(overHttps.headers).attrs.includes('Secure'));
    });

    await t.test('GET /v1/session tells who is signed in, and how', async () => {
      const me = await page('GET', '/v1/session');
      assert.equal(me.status, 200);
      assert.deepEqual((me.body as { user: unknown; via: string }).user, {
        id: user.id,
        name: (await stack.ledger.getUser(user.id))!.name,
      });
      assert.equal((me.body as { via: string }).via, 'session');
      const byKey = await call(base, 'GET', '/v1/session', { key: user.apiKey });
      assert.equal((byKey.body as { via: string }).via, 'bearer');
      const nobody = await call(base, 'GET', '/v1/session');
      assert.deepEqual(nobody.body, { signedIn: false, user: null, via: null, expiresAt: null });
    });

    await t.test('a wrong key does not sign in; a sign-in from another origin is refused', async () => {
      assertProblem(await signIn({}, 'veo_sk_not-a-key'), 401);
      assertProblem(await signIn({ origin: 'https://evil.example' }), 403);
      assertProblem(await call(base, 'POST', '/v1/session', { body: {} }), 422, 'apiKey');
    });

    let job: JobView;
    await t.test('the cookie works like the key: create (same origin), read, list, credits', async () => {
      const created = await page('POST', '/v1/videos', { body: { ...VALID_BODY, model: 'veo3_lite' } });
      assert.equal(created.status, 202, JSON.stringify(created.body));
      job = created.body as JobView;
      assert.equal((await page('GET', `/v1/videos/${job.id}`)).status, 200);
      assert.equal((await page('GET', '/v1/credits')).status, 200);
      assert.equal((await page('GET', `/api/jobs/${job.id}`)).status, 200);
    });

    await t.test(
      'cross-site unsafe requests with the cookie → 403, nothing held; bearer unaffected',
      async () => {
        const fresh = await stack.user(1000);
        const freshCookie = sessionCookie((await signIn({}, fresh.apiKey)).headers).pair;
        const api = client(stack, fresh.apiKey);
        const before = await credits(api);
        const tries: Array<Record<string, string>> = [
          { origin: 'https://evil.example' },
          { origin: 'null' },
          { origin: origin.replace('127.0.0.1', 'localhost') },
          { 'sec-fetch-site': 'cross-site' },
          { 'sec-fetch-site': 'same-site' },
        ];
        for (const headers of tries) {
          for (const path of ['/v1/videos', '/api/generate/video']) {
            const r = await call(base, 'POST', path, {
              body: VALID_BODY,
              headers: { cookie: freshCookie, ...headers },
            });
            const problem = assertProblem(r, 403);
            assert.match(problem.detail ?? '', /Cross-site request refused/, JSON.stringify(headers));
          }
        }
        await assertNothingChanged(stack, api, before);
        // Same origin as Sec-Fetch-Site says, or no browser header at all (not a browser): accepted.
        const sameOrigin = await call(base, 'POST', '/v1/videos', {
          body: { ...VALID_BODY, model: 'veo3_lite' },
          headers: { cookie: freshCookie, 'sec-fetch-site': 'same-origin' },
        });
        assert.equal(sameOrigin.status, 202, JSON.stringify(sameOrigin.body));
        // A bearer key from any origin: not a browser's ambient credential, not refused.
        const bearer = await call(base, 'POST', '/v1/videos', {
          key: fresh.apiKey,
          body: { ...VALID_BODY, model: 'veo3_lite' },
          headers: { origin: 'https://elsewhere.example' },
        });
        assert.equal(bearer.status, 202, JSON.stringify(bearer.body));
      },
    );

    await t.test('forged and expired cookies → 401 asking to sign in again', async () => {
      const [, keyId, exp] = cookie.split('=')[1]!.split('.');
      const forged = `veo_session=v1.${keyId}.${Number(exp) + 3600}.${'A'.repeat(43)}`;
      const past = createSessionTokens(
        deriveKey(SESSION_SECRET, 'session-cookie'),
        () => new Date(Date.now() - 7200_000),
      );
      const expired = `veo_session=${past.issue(keyId!, 3600).token}`;
      // Signed with the content-link key instead: a MAC for another purpose does not verify.
      const otherPurpose = createSessionTokens(deriveKey(SESSION_SECRET, 'content-url'));
      const crossPurpose = `veo_session=${otherPurpose.issue(keyId!, 3600).token}`;
      for (const c of [forged, expired, crossPurpose, 'veo_session=garbage']) {
        const problem = assertProblem(
          await call(base, 'GET', '/v1/credits', { headers: { cookie: c } }),
          401,
        );
        assert.match(problem.detail ?? '', /sign in again/, c);
      }
      assertProblem(await call(base, 'GET', '/v1/credits'), 401);
    });

    await t.test('job views carry signed links that play with no header, ranges included', async () => {
      const done = await waitForJob(client(stack, user.apiKey), job.id, (j) => j.state === 'succeeded');
      const file = (done as JobView & { files: Array<{ url: string; path: string; expiresAt: string }> })
        .files[0]!;
      assert.match(file.url, /^\/v1\/videos\/job_\w+\/content\?variant=original&expires=\d+&sig=[\w-]{43}$/);
      assert.equal(file.path, `/v1/videos/${job.id}/content?variant=original`);
      const ttl = Date.parse(file.expiresAt) - Date.now();
      assert.ok(ttl >= 3_590_000 && ttl <= 3_900_000, file.expiresAt);
      const whole = await fetch(new URL(file.url, base));
      assert.equal(whole.status, 200);
      assert.equal(whole.headers.get('content-type'), 'video/mp4');
      const bytes = Buffer.from(await whole.arrayBuffer());
      assert.ok(bytes.length > 1000);
      const part = await fetch(new URL(file.url, base), { headers: { range: 'bytes=10-99' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), `bytes 10-99/${bytes.length}`);
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(10, 100));
      // The stable path needs credentials; the cookie is one.
      assertProblem(await call(base, 'GET', file.path), 401);
      assert.equal((await page('GET', file.path)).status, 200);
      // The same link all period long: a re-rendered <video src> does not restart.
      const again = (await call(base, 'GET', `/v1/videos/${job.id}`, { key: user.apiKey }))
        .body as typeof done;
      assert.equal((again as unknown as { files: Array<{ url: string }> }).files[0]!.url, file.url);
    });

    await t.test(
      'tampered or expired links → 403 naming why; another job or variant is not covered',
      async () => {
        const file = ((await page('GET', `/v1/videos/${job.id}`)).body as { files: Array<{ url: string }> })
          .files[0]!;
        const url = new URL(file.url, base);
        const variant = new URL(url);
        variant.searchParams.set('variant', '1080p');
        const later = new URL(url);
        later.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
        const other = await stack.start(user.id, { model: 'veo3_lite' });
        const otherJob = new URL(url.pathname.replace(job.id, other.jobId) + url.search, base);
        for (const bad of [variant, later, otherJob]) {
          const problem = assertProblem(await call(base, 'GET', bad.pathname + bad.search), 403);
          assert.match(problem.detail ?? '', /signature does not match/);
        }
        const signatures = createContentSignatures(deriveKey(SESSION_SECRET, 'content-url'));
        const past = Math.floor(Date.now() / 1000) - 60;
        const expired = `/v1/videos/${job.id}/content?variant=original&expires=${past}&sig=${signatures.sign(job.id, 'original', past)}`;
        const problem = assertProblem(await call(base, 'GET', expired), 403);
        assert.match(problem.detail ?? '', /expired at .*get the job again/);
        await stack.wait(other.jobId);
      },
    );

    await t.test('revoking the key ends its sessions', async () => {
      const second = await call(base, 'POST', `/admin/users/${user.id}/keys`, { key: stack.adminApiKey! });
      const { id: keyId, apiKey } = second.body as { id: string; apiKey: string };
      const secondCookie = sessionCookie((await signIn({}, apiKey)).headers).pair;
      assert.equal(
        (await call(base, 'GET', '/v1/credits', { headers: { cookie: secondCookie } })).status,
        200,
      );
      const revoked = await call(base, 'DELETE', `/admin/keys/${keyId}`, { key: stack.adminApiKey! });
      assert.equal(revoked.status, 204);
      const problem = assertProblem(
        await call(base, 'GET', '/v1/credits', { headers: { cookie: secondCookie } }),
        401,
      );
      assert.match(problem.detail ?? '', /revoked/);
      // The other key's session is unaffected.
      assert.equal((await page('GET', '/v1/credits')).status, 200);
    });

    await t.test('DELETE /v1/session clears the cookie (same origin only)', async () => {
      assertProblem(
        await page('DELETE', '/v1/session', { headers: { origin: 'https://evil.example' } }),
        403,
      );
      const out = await page('DELETE', '/v1/session');
      assert.equal(out.status, 200);
      const cleared = sessionCookie(out.headers);
      assert.equal(cleared.pair, 'veo_session=');
      assert.ok(cleared.attrs.includes('Max-Age=0'));
    });

    await stack.assertInvariants();
  });
});
