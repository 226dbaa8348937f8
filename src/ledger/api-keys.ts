/**
 * API keys: `veo_sk_` + 32 base64url characters (192 random bits). The plaintext is returned once at
 * creation; only its SHA-256 is stored. A fast unsalted hash is enough for a key this random (no
 * dictionary to try), and it makes lookup an index probe: no plaintext comparison, so nothing to time.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../db/index.js';
import { createKeyLookupCache, type FoundKey } from './key-lookup-cache.js';
import type { CreatedApiKey, User } from './types.js';
import { toUser, USER_COLUMNS, type UserRow } from './users.js';

const KEY_PREFIX = 'veo_sk_';
/** Shown in listings: the fixed prefix and 5 random characters, too few to help guess the rest. */
const DISPLAY_PREFIX_LENGTH = KEY_PREFIX.length + 5;

export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** `cacheMs`: how long a found key is remembered (key-lookup-cache.ts); 0, the default, not at all. */
export function createApiKeyStore(db: Db, clock: () => Date, cacheMs = 0) {
  const cache = createKeyLookupCache(cacheMs, clock);

  function authenticateApiKey(key: string): Promise<FoundKey | null> {
    const hash = hashApiKey(key);
    return cache.remembered(hash, async () => {
      const [row] = await db.query<UserRow & { key_id: string }>(
        `select k.id as key_id, ${USER_COLUMNS} from api_keys k join users u on u.id = k.user_id
         where k.key_hash = $1 and k.revoked_at is null`,
        [hash],
      );
      return row ? { keyId: row.key_id, user: toUser(row) } : null;
    });
  }

  return {
    async createApiKey(userId: string): Promise<CreatedApiKey> {
      const key = `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
      const id = `key_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
      const prefix = key.slice(0, DISPLAY_PREFIX_LENGTH);
      await db.query(
        'insert into api_keys (id, user_id, key_hash, prefix, created_at) values ($1, $2, $3, $4, $5)',
        [id, userId, hashApiKey(key), prefix, clock()],
      );
      return { id, key, prefix };
    },

    /** True when this call revoked the key; false when it was unknown or already revoked. */
    async revokeApiKey(id: string): Promise<boolean> {
      const rows = await db.query(
        'update api_keys set revoked_at = $2 where id = $1 and revoked_at is null returning id',
        [id, clock()],
      );
      cache.forget(id);
      return rows.length > 0;
    },

    /** The key's user, or null for an unknown or revoked key. */
    async findUserByApiKey(key: string): Promise<User | null> {
      return (await authenticateApiKey(key))?.user ?? null;
    },

    /** The key's id and user, or null for an unknown or revoked key (sessions remember the id). */
    authenticateApiKey,

    /** The user of a key that is still active, by the key's id: a revoked key ends its sessions. */
    async findUserByActiveApiKeyId(keyId: string): Promise<User | null> {
      const found = await cache.remembered(`id:${keyId}`, async () => {
        const [row] = await db.query<UserRow>(
          `select ${USER_COLUMNS} from api_keys k join users u on u.id = k.user_id where k.id = $1 and k.revoked_at is null`,
          [keyId],
        );
        return row ? { keyId, user: toUser(row) } : null;
      });
      return found?.user ?? null;
    },
  };
}
