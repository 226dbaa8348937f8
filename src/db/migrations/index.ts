/** Every migration, in the order applied. Append new ones; never edit or reorder shipped ones. */
import { ledgerTables } from './001-ledger-tables.js';
import { ledgerGuards } from './002-ledger-guards.js';
import { reconciliations } from './003-reconciliations.js';
import { creditParts } from './004-credit-parts.js';
import { customerWebhooks } from './005-customer-webhooks.js';
import { kiePacing } from './006-kie-pacing.js';
import { kieSubmissionTask } from './007-kie-submission-task.js';
import { kieBalance } from './008-kie-balance.js';
import { jobKieCredits } from './009-job-kie-credits.js';
import { reconcilerCursor } from './010-reconciler-cursor.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [
  ledgerTables,
  ledgerGuards,
  reconciliations,
  creditParts,
  customerWebhooks,
  kiePacing,
  kieSubmissionTask,
  kieBalance,
  jobKieCredits,
  reconcilerCursor,
];
