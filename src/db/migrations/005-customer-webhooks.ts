/**
 * Migration 5 — customers' webhooks (docs/operations.md#customer-webhooks): a user's default webhook
 * URL and signing secret, and a job's own URL. The secret is stored sealed (src/security/sealed-secret.ts):
 * we sign with it, so it cannot be hashed like an API key. New nullable columns rewrite no row.
 */
import type { Migration } from './migration.js';

export const customerWebhooks: Migration = {
  id: 5,
  name: "customers' webhooks: per-user default URL and sealed signing secret, per-job URL",
  sql: `
alter table users add column webhook_url text;
alter table users add column webhook_secret_sealed text;
alter table users add column webhook_secret_created_at timestamptz;
alter table jobs add column webhook_url text;
`,
};
