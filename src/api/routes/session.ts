/**
 * /v1/session: sign in with an API key to get the session cookie the studio page uses (HttpOnly,
 * SameSite=Lax, Secure over https), see who is signed in, sign out. See auth.ts for what a session
 * carries and how it is checked.
 */
import { z } from 'zod';
import type { Ledger } from '../../ledger/index.js';
import { assertSameOrigin, setSessionCookie, type SessionSettings } from '../auth.js';
import { unauthorized } from '../problem.js';
import { defineRoute } from '../route.js';
import { problem } from '../schemas.js';

const SignInBody = z.strictObject({
  apiKey: z.string().min(1, 'apiKey must not be empty').max(200).meta({ description: 'A user API key' }),
});

const SessionSchema = z.object({
  signedIn: z.boolean(),
  user: z.object({ id: z.string(), name: z.string() }).nullable(),
  via: z
    .enum(['session', 'bearer'])
    .nullable()
    .meta({ description: 'How this request was authenticated: the session cookie or a bearer key' }),
  expiresAt: z.string().nullable().meta({ description: 'When the session cookie stops working' }),
});
type Session = z.infer<typeof SessionSchema>;

const signedOut: Session = { signedIn: false, user: null, via: null, expiresAt: null };

export function sessionRoutes(ledger: Ledger, sessions: SessionSettings) {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/session',
      summary: 'Sign in with an API key: sets the session cookie the API then accepts like the key',
      tags: ['session'],
      auth: 'none',
      body: SignInBody,
      responses: {
        200: { description: 'Signed in; Set-Cookie carries the session', schema: SessionSchema },
        401: problem('Unknown or revoked API key'),
        403: problem('Cross-site request'),
        422: problem('Invalid body'),
      },
      handler: async ({ body, req, res }) => {
        // A sign-in forced by another site would put the victim in the attacker's account.
        assertSameOrigin(req, sessions.publicBaseUrl);
        const found = await ledger.authenticateApiKey(body.apiKey);
        if (!found) throw unauthorized('Unknown or revoked API key.');
        const session = sessions.tokens.issue(found.keyId, sessions.ttlSeconds);
        setSessionCookie(req, res, sessions, session);
        return {
          body: {
            signedIn: true,
            user: { id: found.user.id, name: found.user.name },
            via: 'session',
            expiresAt: session.expiresAt.toISOString(),
          } satisfies Session,
          headers: { 'cache-control': 'no-store' },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/session',
      summary: 'Who is signed in (signedIn false without a valid session or key)',
      tags: ['session'],
      auth: 'none',
      responses: { 200: { description: 'The caller', schema: SessionSchema } },
      handler: async ({ req }) => {
        const { user, credential } = req;
        const body: Session =
          user && credential
            ? {
                signedIn: true,
                user,
                via: credential.via,
                expiresAt: credential.expiresAt?.toISOString() ?? null,
              }
            : signedOut;
        return { body, headers: { 'cache-control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/session',
      summary: 'Sign out: clears the session cookie',
      tags: ['session'],
      auth: 'none',
      responses: {
        200: { description: 'Signed out', schema: SessionSchema },
        403: problem('Cross-site request'),
      },
      handler: async ({ req, res }) => {
        assertSameOrigin(req, sessions.publicBaseUrl);
        setSessionCookie(req, res, sessions, null);
        return { body: signedOut, headers: { 'cache-control': 'no-store' } };
      },
    }),
  ];
}
