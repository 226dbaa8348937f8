/**
 * What an API key's lookup found, remembered for a few seconds, so that a user's burst of requests
 * costs one lookup instead of one each (bench:starts: a key's lookup is one of a create's two
 * statements). A hit is kept until its deadline, the key's revocation in this process, or until more
 * distinct keys push it out; only found keys are kept, so guessing keys cannot fill it.
 *
 * Safe because what is kept does not change: a key's id and user never change, and a user's name and
 * caps are set when the user is made (the hold reads the caps afresh under the user's lock anyway).
 * Only revocation ends a key: this process forgets the key at once; another process that shares the
 * database keeps it until its entry expires (docs/operations.md, `API_KEY_CACHE_SECONDS`).
 */
import type { User } from './types.js';

export interface FoundKey {
  keyId: string;
  user: User;
}

/** Most keys kept; past this, the least recently used goes. */
const MAX_KEYS = 10_000;

export interface KeyLookupCache {
  /**
   * What `read` finds for `lookup` (a key's hash, or `id:` and a key id): remembered until it expires,
   * is forgotten or pushed out. What a read finds is not kept if a key was revoked while it ran: it
   * may have read that key just before.
   */
  remembered(lookup: string, read: () => Promise<FoundKey | null>): Promise<FoundKey | null>;
  /** Every entry of this key: it was revoked. */
  forget(keyId: string): void;
}

/** `ttlMs` 0: nothing is kept, every lookup reads the database. */
export function createKeyLookupCache(ttlMs: number, clock: () => Date): KeyLookupCache {
  const entries = new Map<string, { found: FoundKey; until: number }>();
  let revocations = 0;

  function kept(lookup: string): FoundKey | undefined {
    const entry = entries.get(lookup);
    if (!entry) return undefined;
    entries.delete(lookup);
    if (entry.until <= clock().getTime()) return undefined;
    entries.set(lookup, entry); // last in the map's order: the most recently used
    return entry.found;
  }

  return {
    async remembered(lookup, read) {
      const hit = kept(lookup);
      if (hit) return hit;
      const revocationsBefore = revocations;
      const found = await read();
      if (found && ttlMs > 0 && revocations === revocationsBefore) {
        entries.delete(lookup); // another read of it may have kept it meanwhile: last, as most recent
        entries.set(lookup, { found, until: clock().getTime() + ttlMs });
        if (entries.size > MAX_KEYS) entries.delete(entries.keys().next().value!);
      }
      return found;
    },
    forget(keyId) {
      revocations++;
      for (const [lookup, entry] of entries) if (entry.found.keyId === keyId) entries.delete(lookup);
    },
  };
}
