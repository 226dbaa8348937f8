/**
 * Who may call what, in-process: bearer keys and the session cookie on user routes (401), the admin
 * key on admin routes, cross-site requests with the cookie (403). The services are fakes; keys and
 * sessions are real (a ledger on PGlite).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertProblem, client, VALID_BODY } from '../support/api-client.js';
import { ADMIN_KEY, CLOSED_BREAKER, startFakeApp } from '../support/fake-app.js';

const page = { data: [], nextCursor: null };

void describe('HTTP layer: authentication', () => {
  void it('user routes need a valid bearer key: missing, unknown, malformed or revoked → 401', async (t) => {
    const app = await startFakeApp(t, { videos: { list: async () => page } });
    const user = await app.user();
    const api = client(app, null);
    for (const authorization of [undefined, 'Bearer not-a-key', `Basic ${user.apiKey}`, 'Bearer']) {
      const headers: Record<string, string> = authorization ? { authorization } : {};
      assertProblem(await api('POST', '/v1/videos', { headers, body: VALID_BODY }), 401);
      assertProblem(await api('GET', '/v1/videos', { headers }), 401);
      assertProblem(await api('GET', '/v1/credits', { headers }), 401);
    }
    assert.equal((await api('GET', '/v1/videos', { key: user.apiKey })).status, 200);
    const [keyId] = (await app.ledger.db.query<{ id: string }>('select id from api_keys')).map((r) => r.id);
    await app.ledger.revokeApiKey(keyId!);
    assertProblem(await api('GET', '/v1/videos', { key: user.apiKey }), 401);
  });

  void it('admin routes need the admin key: a user key or a wrong key → 401', async (t) => {
    const app = await startFakeApp(t, {
      admin: { breaker: async () => CLOSED_BREAKER },
    });
    const user = await app.user();
    for (const key of [null, user.apiKey, `${ADMIN_KEY}x`]) {
      assertProblem(await client(app, key)('GET', '/admin/breaker'), 401);
    }
    assert.equal((await client(app, ADMIN_KEY)('GET', '/admin/breaker')).status, 200);
  });

  void it('the admin API is off without ADMIN_API_KEY (404)', async (t) => {
    const app = await startFakeApp(t, {}, { adminApiKey: undefined });
    assertProblem(await client(app, 'anything')('GET', '/admin/breaker'), 404);
  });

  void it('the session cookie works like the key, not cross-site, and not after sign-out', async (t) => {
    const created: string[] = [];
    const app = await startFakeApp(t, {
      videos: {
        list: async () => page,
        cancel: async (userId) => {
          created.push(userId);
          throw new Error('not reached in this test');
        },
      },
    });
    const user = await app.user();
    const api = client(app, null);
    const signIn = await api('POST', '/v1/session', { body: { apiKey: user.apiKey } });
    assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    assert.match(cookie, /^veo_session=/);
    assert.equal((await api('GET', '/v1/videos', { headers: { cookie } })).status, 200);

    // A cookie-authenticated change from another site's page is refused before the service is asked.
    const evil = { cookie, origin: 'https://evil.example' };
    assertProblem(await api('POST', '/v1/videos', { headers: evil, body: VALID_BODY }), 403);
    assertProblem(await api('POST', '/v1/videos/job_x/cancel', { headers: evil }), 403);
    assert.deepEqual(created, []);

    assertProblem(await api('POST', '/v1/session', { body: { apiKey: 'veo_sk_wrong' } }), 401);
    const out = await api('DELETE', '/v1/session', { headers: { cookie } });
    assert.ok(out.status < 300, JSON.stringify(out.body));
  });
});
