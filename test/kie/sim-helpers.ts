/** Shared bits for the client-against-simulator tests. */
import { createHash } from 'node:crypto';
import type { KieError } from '../../src/kie/index.js';
import { rejectsWithKieError } from './assert-kie-error.js';
import { waitFor } from '../helpers/wait-for.js';

/** A distinctive key, so a leak anywhere is easy to spot. */
export const SIM_KEY = 'sk-sim-91c4e07b2d6a4f35';

/** Short lifecycles: whole scenarios run in well under a second each. */
export const FAST = {
  apiKeys: [SIM_KEY],
  durationsMs: { veo3: 150, veo3_fast: 150, veo3_lite: 150, extend: 150, fourK: 250, market: 150 },
  hd1080DelayMs: 250,
  callbackRetryDelayMs: 50,
};

export { waitFor };

/** A KieError with `fields`, and no trace of the key (the simulator's by default). */
export const rejectsWith = (p: Promise<unknown>, fields: Partial<KieError>, key = SIM_KEY) =>
  rejectsWithKieError(p, fields, key);

export async function download(url: string): Promise<{ status: number; sha256: string | null }> {
  const res = await fetch(url);
  if (!res.ok) {
    await res.body?.cancel();
    return { status: res.status, sha256: null };
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, sha256: createHash('sha256').update(bytes).digest('hex') };
}
