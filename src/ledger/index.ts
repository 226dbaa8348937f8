/**
 * The ledger: users and API keys, credits, the spend breaker, KIE's balance and job records — one
 * object over one database (PGlite or a Postgres server, see src/db). Prices are not here: callers
 * pass amounts.
 */
import { migrate, type Db } from '../db/index.js';
import { createAccountOperations } from './accounts.js';
import { createApiKeyStore } from './api-keys.js';
import { createCreditStore } from './credits.js';
import { createCustomerWebhookStore } from './customer-webhooks.js';
import { checkInvariants } from './invariants.js';
import { createHdOnDemandSettlement } from './hd-on-demand.js';
import { createJobSettlement } from './job-settlement.js';
import { createJobStore } from './jobs.js';
import { createKieBalanceStore } from './kie-balance.js';
import { createKieSubmissionStore } from './kie-submissions.js';
import { createReconciliationStore } from './reconciliations.js';
import { createBreakerStore } from './spend-breaker.js';
import { createSpendReport } from './spend-report.js';
import { createUserStore } from './users.js';

export * from './types.js';
export * from './errors.js';
export type { JobWebhookTarget, WebhookSettings } from './customer-webhooks.js';
export { hashApiKey } from './api-keys.js';
export { MAX_CREDITS } from '../config.js';
export type { ModelSpend } from './spend-report.js';
export type { KiePace, KieSlot, KieSubmissionOutcome } from './kie-submissions.js';
export { onDemandHdIneligibility, ON_DEMAND_HD_ASPECT_RATIO } from './hd-on-demand.js';

export interface LedgerOptions {
  /** Timestamps of entries, jobs, keys and the daily-cap day; tests pass a fixed clock. */
  clock?: () => Date;
  /** Apply pending migrations first (default true). */
  migrate?: boolean;
  /**
   * How long a found API key is remembered by this ledger (API_KEY_CACHE_SECONDS; see
   * key-lookup-cache.ts). Default 0: every lookup reads the database.
   */
  apiKeyCacheMs?: number;
}

export async function createLedger(db: Db, opts: LedgerOptions = {}) {
  if (opts.migrate !== false) await migrate(db);
  const clock = opts.clock ?? (() => new Date());
  return {
    db,
    ...createUserStore(db, clock),
    ...createApiKeyStore(db, clock, opts.apiKeyCacheMs),
    ...createCreditStore(db, clock),
    ...createAccountOperations(db, clock),
    ...createBreakerStore(db, clock),
    ...createJobStore(db, clock),
    ...createJobSettlement(db, clock),
    ...createHdOnDemandSettlement(db, clock),
    ...createReconciliationStore(db, clock),
    ...createKieSubmissionStore(db),
    ...createKieBalanceStore(db, clock),
    ...createCustomerWebhookStore(db, clock),
    ...createSpendReport(db),
    checkInvariants: () => checkInvariants(db),
  };
}

export type Ledger = Awaited<ReturnType<typeof createLedger>>;
