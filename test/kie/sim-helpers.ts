/** Shared bits for the client-against-simulator tests. */
import { createHash } from 'node:crypto';
import type { KieError } from '../../src/kie/index.js';
import { rejectsWithKieError } from './assert-kie-error.js';
import { FAST_SIM } from '../support/simulator.js';
import { waitFor } from '../support/wait-for.js';

/** A distinctive key, so a leak anywhere is easy to spot. */
export const SIM_KEY = 'sk-sim-91c4e07b2d6a4f35';

/** Short lifecycles: whole scenarios run in well under a second each. */
export const FAST = { ...FAST_SIM, apiKeys: [SIM_KEY] };

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
