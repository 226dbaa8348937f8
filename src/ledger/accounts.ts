/**
 * What an operator or a user does to an account, each action one transaction: a user comes with its
 * first key and initial credits or not at all; a grant answers with the balance it left; a statement's
 * balance and entries agree.
 */
import type { Db } from '../db/index.js';
import { createApiKeyStore } from './api-keys.js';
import { grantIn } from './credit-operations.js';
import { createCreditStore } from './credits.js';
import { UnknownUserError } from './errors.js';
import type { Balance, CreatedApiKey, CreditEntry, NewUser, User } from './types.js';
import { createUserStore } from './users.js';

export function createAccountOperations(db: Db, clock: () => Date) {
  /** The user row, locked against credit movements (they take it FOR UPDATE) until the transaction ends. */
  const balanceIn = async (tx: Db, userId: string): Promise<Balance> => {
    const [row] = await tx.query<{ balance: number; held: number }>(
      'select balance, held from users where id = $1 for share',
      [userId],
    );
    if (!row) throw new UnknownUserError(userId);
    return { balance: row.balance, held: row.held, available: row.balance - row.held };
  };

  return {
    /** A user, its first API key and its initial grant (when `credits` > 0), committed together. */
    createUserWithKey(
      u: NewUser & { credits?: number | undefined },
    ): Promise<{ user: User; key: CreatedApiKey }> {
      return db.transaction(async (tx) => {
        const user = await createUserStore(tx, clock).createUser(u);
        const key = await createApiKeyStore(tx, clock).createApiKey(user.id);
        if (u.credits) {
          const grant = { amount: u.credits, idempotencyKey: `initial:${user.id}`, note: 'initial grant' };
          await grantIn(tx, { userId: user.id, ...grant, now: clock() });
        }
        return { user, key };
      });
    },

    /** Another key for an existing user; UnknownUserError when there is no such user. */
    issueApiKey(userId: string): Promise<CreatedApiKey> {
      return db.transaction(async (tx) => {
        await balanceIn(tx, userId);
        return createApiKeyStore(tx, clock).createApiKey(userId);
      });
    },

    /** grant (idempotent by key) and the balance after it; UnknownUserError when there is no such user. */
    grantCredits(args: {
      userId: string;
      amount: number;
      idempotencyKey: string;
      note?: string | undefined;
    }): Promise<{ applied: boolean; balance: Balance }> {
      return db.transaction(async (tx) => {
        const { applied } = await grantIn(tx, { ...args, now: clock() });
        return { applied, balance: await balanceIn(tx, args.userId) };
      });
    },

    /** The balance and the `limit` most recent entries, newest first, as of one moment. */
    statement(userId: string, limit = 50): Promise<Balance & { entries: CreditEntry[] }> {
      return db.transaction(async (tx) => {
        const balance = await balanceIn(tx, userId);
        return { ...balance, entries: await createCreditStore(tx, clock).entries(userId, limit) };
      });
    },
  };
}
