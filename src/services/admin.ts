/**
 * The operator's actions: users and API keys, credit grants, the spend breaker (with KIE's balance, which
 * can open it), customers' webhooks.
 * Each is one ledger transaction; a missing user is the domain's NotFound. Knows nothing of HTTP.
 */
import { InvalidInput, NotFound, type BreakerSource } from '../domain/index.js';
import {
  CreditLimitError,
  UnknownUserError,
  type Balance,
  type Breaker,
  type KieBalance,
  type Ledger,
  type WebhookSettings,
} from '../ledger/index.js';
import { deriveKey } from '../security/derived-keys.js';
import { createSecretSealer } from '../security/sealed-secret.js';
import { newWebhookSecret } from '../security/standard-webhooks.js';
import { webhookUrlProblem, type WebhookTargets } from '../security/webhook-target.js';

export interface AdminServiceDeps {
  ledger: Ledger;
  /** Caps for users created without their own. */
  userDefaults: { concurrencyCap?: number | undefined; dailySpendCap?: number | undefined };
  /** Root of the key that seals customers' webhook signing secrets (src/security/sealed-secret.ts). */
  webhookSecret: string;
  /** Where customers' webhooks may point (CUSTOMER_WEBHOOK_TARGETS); default `public`. */
  webhookTargets?: WebhookTargets | undefined;
}

/** A user's webhook as the operator sees it: the secret itself only in the answer that made it. */
export interface WebhookView {
  url: string | null;
  secretSet: boolean;
  secretCreatedAt: string | null;
  /** `whsec_…`: present once, in the answer that created it; stored sealed, never shown again. */
  secret?: string;
}

/** KIE's balance as the watcher last read it (docs/operations.md#kie-balance). */
export interface KieBalanceView {
  /** The last good read; null before the first. */
  credits: number | null;
  checkedAt: string | null;
  /** The low-water mark that read was held against; null = none. */
  lowWater: number | null;
  /** Why the last read failed; null when it succeeded. */
  error: string | null;
  errorAt: string | null;
}

export interface BreakerView {
  open: boolean;
  reason: string | null;
  openedAt: string | null;
  openedBy: BreakerSource | null;
  kieBalance: KieBalanceView;
}

export function createAdminService({ ledger, userDefaults, ...deps }: AdminServiceDeps) {
  const sealer = createSecretSealer(deriveKey(deps.webhookSecret, 'sealed-secrets'));
  const targets = deps.webhookTargets ?? 'public';
  const found = (s: WebhookSettings | null): WebhookSettings => {
    if (!s) throw new NotFound('User');
    return s;
  };

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

    webhook: async (userId: string): Promise<WebhookView> =>
      webhookView(found(await ledger.webhookSettings(userId))),

    /**
     * Sets (a URL) or clears (null) the user's default webhook. A user's first URL comes with its
     * signing secret, made now and shown in this answer only.
     */
    async setWebhook(userId: string, url: string | null): Promise<WebhookView> {
      const problem = url === null ? null : webhookUrlProblem(url, targets);
      if (problem) throw new InvalidInput('url', problem);
      const secret = url === null ? undefined : newWebhookSecret();
      const set = await ledger.setDefaultWebhookUrl(userId, url, secret && sealer.seal(secret, userId));
      if (!set) throw new NotFound('User');
      return webhookView(set.settings, set.secretCreated ? secret : undefined);
    },

    /** A new signing secret, shown in this answer only; the next delivery is signed with it. */
    async rotateWebhookSecret(userId: string): Promise<WebhookView> {
      const secret = newWebhookSecret();
      return webhookView(found(await ledger.setWebhookSecret(userId, sealer.seal(secret, userId))), secret);
    },

    /** Per model: jobs, credits charged, KIE credits spent (src/ledger/spend-report.ts). */
    spend: async () => ({ models: await ledger.spendByModel() }),
    breaker: async (): Promise<BreakerView> => breakerView(await ledger.breaker(), await ledger.kieBalance()),

    /** An operator's opening is never closed by the balance watcher; closing closes whoever opened it. */
    async setBreaker(s: { open: boolean; reason?: string | undefined }): Promise<BreakerView> {
      const b = s.open
        ? await ledger.openBreaker(s.reason ?? 'opened by an operator', 'operator')
        : await ledger.closeBreaker();
      return breakerView(b, await ledger.kieBalance());
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

function webhookView(s: WebhookSettings, secret?: string): WebhookView {
  return {
    url: s.url,
    secretSet: s.sealedSecret !== null,
    secretCreatedAt: s.secretCreatedAt?.toISOString() ?? null,
    ...(secret ? { secret } : {}),
  };
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

function breakerView(b: Breaker, k: KieBalance): BreakerView {
  return {
    open: b.open,
    reason: b.reason,
    openedAt: iso(b.openedAt),
    openedBy: b.openedBy,
    kieBalance: {
      credits: k.credits,
      checkedAt: iso(k.checkedAt),
      lowWater: k.lowWater,
      error: k.error,
      errorAt: iso(k.errorAt),
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
