/**
 * Customers' webhooks (docs/operations.md#customer-webhooks): a user's default URL and signing secret
 * (stored sealed by the caller: src/security/sealed-secret.ts), and where a finished job's event goes.
 */
import type { Db } from '../db/index.js';

export interface WebhookSettings {
  /** The user's default URL: jobs created without their own are notified there. */
  url: string | null;
  /** The signing secret, sealed; null until the operator creates one. */
  sealedSecret: string | null;
  secretCreatedAt: Date | null;
}

/** Where one job's event goes, and what signs it. */
export interface JobWebhookTarget {
  userId: string;
  /** The job's own URL (its request's webhookUrl). */
  jobUrl: string | null;
  /** The user's default URL, as it is now. */
  userUrl: string | null;
  sealedSecret: string | null;
}

interface SettingsRow {
  webhook_url: string | null;
  webhook_secret_sealed: string | null;
  webhook_secret_created_at: Date | null;
}

const SETTINGS = 'webhook_url, webhook_secret_sealed, webhook_secret_created_at';

const toSettings = (r: SettingsRow): WebhookSettings => ({
  url: r.webhook_url,
  sealedSecret: r.webhook_secret_sealed,
  secretCreatedAt: r.webhook_secret_created_at ? new Date(r.webhook_secret_created_at) : null,
});

export function createCustomerWebhookStore(db: Db, clock: () => Date) {
  const one = async (sql: string, params: unknown[]) => {
    const [row] = await db.query<SettingsRow>(sql, params);
    return row ? toSettings(row) : null;
  };
  return {
    /** Null for an unknown user. */
    webhookSettings(userId: string): Promise<WebhookSettings | null> {
      return one(`select ${SETTINGS} from users where id = $1`, [userId]);
    },

    /**
     * Sets (or, with null, clears) the user's default URL. `sealedSecretIfNone` becomes the user's
     * signing secret only if it has none yet, in the same statement: a URL is never without a secret.
     */
    async setDefaultWebhookUrl(
      userId: string,
      url: string | null,
      sealedSecretIfNone?: string,
    ): Promise<{ settings: WebhookSettings; secretCreated: boolean } | null> {
      const [row] = await db.query<SettingsRow & { secret_created: boolean }>(
        `update users set webhook_url = $2,
           webhook_secret_created_at = case when webhook_secret_sealed is null and $3::text is not null
             then $4 else webhook_secret_created_at end,
           webhook_secret_sealed = coalesce(webhook_secret_sealed, $3::text)
         where id = $1
         returning ${SETTINGS}, coalesce(webhook_secret_sealed = $3::text, false) as secret_created`,
        [userId, url, sealedSecretIfNone ?? null, clock()],
      );
      return row ? { settings: toSettings(row), secretCreated: row.secret_created } : null;
    },

    /** Replaces the user's signing secret (sealed); null for an unknown user. */
    setWebhookSecret(userId: string, sealedSecret: string): Promise<WebhookSettings | null> {
      return one(
        `update users set webhook_secret_sealed = $2, webhook_secret_created_at = $3 where id = $1
         returning ${SETTINGS}`,
        [userId, sealedSecret, clock()],
      );
    },

    /** Null for an unknown job. */
    async jobWebhookTarget(jobId: string): Promise<JobWebhookTarget | null> {
      const [row] = await db.query<{
        user_id: string;
        job_url: string | null;
        user_url: string | null;
        webhook_secret_sealed: string | null;
      }>(
        `select j.user_id, j.webhook_url as job_url, u.webhook_url as user_url, u.webhook_secret_sealed
         from jobs j join users u on u.id = j.user_id where j.id = $1`,
        [jobId],
      );
      return row
        ? {
            userId: row.user_id,
            jobUrl: row.job_url,
            userUrl: row.user_url,
            sealedSecret: row.webhook_secret_sealed,
          }
        : null;
    },
  };
}
