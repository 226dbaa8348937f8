/** The simulator's shared state, handed to every part of it (one per server). */
import type { Account } from './account.js';
import type { CallbackSender } from './callbacks.js';
import type { FileStore } from './files.js';
import type { ResolvedOptions } from './options.js';
import type { Random } from './prng.js';
import type { RateLimiter } from './rate-limit.js';
import type { Scheduler } from './scheduler.js';
import type { SimFaults } from './types.js';

export interface SimContext {
  o: ResolvedOptions;
  baseUrl(): string;
  /** The scenario faults; replaced by setFaults(), its scripted queues consumed in place. */
  scenario: { faults: SimFaults };
  account: Account;
  counters: { generateCalls: number; recordInfoCalls: number; downloads: number; rateLimited: number };
  scheduler: Scheduler;
  /**
   * Separate streams, so that how often a test polls (which mints URL tokens) never shifts the
   * task ids: `ids` is drawn only when a task is created; `faults` only for a task's fault mix, so
   * turning the mix on does not change the ids either.
   */
  rng: { ids: Random; tokens: Random; misc: Random; faults: Random };
  files: FileStore;
  callbacks: CallbackSender;
  rateLimiter: RateLimiter;
}
