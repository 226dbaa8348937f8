/**
 * POST /v1/videos for runs under faults: retried with the same Idempotency-Key on 5xx and network
 * errors (Temporal, Postgres or a process down), so a retry finds the first attempt's job and never
 * makes a second one.
 */
import { api, sleep } from './api.js';

export type SubmitResult = { ok: true; id: string; state: string } | { ok: false; error: string };

export async function submitVideo(args: {
  base: string;
  key: string;
  body: Record<string, unknown>;
  idempotencyKey: string;
  /** Epoch ms: give up after. */
  deadline: () => number;
}): Promise<SubmitResult> {
  let last = '';
  while (Date.now() < args.deadline()) {
    try {
      const r = await api(args.base, 'POST', '/v1/videos', args.key, args.body, {
        'idempotency-key': args.idempotencyKey,
      });
      if (r.status === 202 || r.status === 200) {
        const { id, state } = r.json as { id: string; state: string };
        return { ok: true, id, state };
      }
      last = `${r.status} ${JSON.stringify(r.json).slice(0, 200)}`;
      if (r.status < 500) return { ok: false, error: `POST /v1/videos answered ${last}` };
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(500);
  }
  return { ok: false, error: `not accepted before the deadline (last answer: ${last})` };
}
