/**
 * The operator's actions: users and API keys, credit grants, the spend breaker. Each is one ledger
 * transaction; a missing user is the domain's NotFound. Knows nothing of HTTP.
 */
import { InvalidInput, NotFound } from '../domain/index.js';
import {
  CreditLimitError,
  UnknownUserError,
  type Balance,
  type Breaker,
  type Ledger,
} from '../ledger/index.js';

export interface AdminServiceDeps {
  ledger: Ledger;
  /** Caps for users created without their own. */
  userDefaults: { concurrencyCap?: number | undefined; dailySpendCap?: number | undefined };
}

export interface BreakerView {
  open: boolean;
  reason: string | null;
  openedAt: string | null;
}

export function createAdminService({ ledger, userDefaults }: AdminServiceDeps) {
  return {
    /** A user with its first key (the plaintext, shown once) and optional initial credits. */
    async createUser(u: {
      name: string;
      concurrencyCap?: number | undefined;
      dailySpendCap?: number | undefined;
      credits?: number | undefined;
    }) {
      const { user, key } = await ledger.createUserWithKey({
        name: u.name,
        concurrencyCap: u.concurrencyCap ?? userDefaults.concurrencyCap ?? null,
        dailySpendCap: u.dailySpendCap ?? userDefaults.dailySpendCap ?? null,
        credits: u.credits,
      });
      return { id: user.id, name: user.name, apiKey: key.key, keyId: key.id };
    },

    async issueKey(userId: string) {
      const key = await knownUser(() => ledger.issueApiKey(userId));
      return { id: key.id, apiKey: key.key, prefix: key.prefix };
    },

    /** Revoking an unknown or already revoked key changes nothing (and is not an error). */
    async revokeKey(keyId: string): Promise<void> {
      await ledger.revokeApiKey(keyId);
    },

    /** Idempotent by `idempotencyKey`; answers the balance after the grant. */
    async grant(
      userId: string,
      g: { amount: number; idempotencyKey: string; note?: string | undefined },
    ): Promise<Balance> {
      try {
        return (await knownUser(() => ledger.grantCredits({ userId, ...g }))).balance;
      } catch (err) {
        if (err instanceof CreditLimitError)
          throw new InvalidInput('amount', `the balance would exceed ${err.limit} credits`);
        throw err;
      }
    },

    balance: (userId: string): Promise<Balance> => knownUser(() => ledger.balance(userId)),

    breaker: async (): Promise<BreakerView> => breakerView(await ledger.breaker()),

    async setBreaker(s: { open: boolean; reason?: string | undefined }): Promise<BreakerView> {
      const b = s.open
        ? await ledger.openBreaker(s.reason ?? 'opened by an operator')
        : await ledger.closeBreaker();
      return breakerView(b);
    },
  };
}

async function knownUser<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    if (err instanceof UnknownUserError) throw new NotFound('User');
    throw err;
  }
}

function breakerView(b: Breaker): BreakerView {
  return { open: b.open, reason: b.reason, openedAt: b.openedAt ? b.openedAt.toISOString() : null };
}

export type AdminService = ReturnType<typeof createAdminService>;
