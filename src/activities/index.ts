/**
 * The activities of generateVideo, of the reconciler, of notifyCustomer and of the KIE balance watcher,
 * built from their dependencies.
 */
import { createArchiveActivity } from './archive-activity.js';
import type { ActivityDeps } from './deps.js';
import { createKieActivities } from './kie-activities.js';
import { createKieBalanceActivity } from './kie-balance-activity.js';
import { createLedgerActivities } from './ledger-activities.js';
import { createNotifyActivity } from './notify-activity.js';
import { withPublicFailures } from './public-failures.js';
import { createReconcileActivity } from './reconcile-activity.js';

export type { ActivityDeps } from './deps.js';

export function createVideoActivities(deps: ActivityDeps) {
  return {
    // Their failures become a job's error or hdNote, shown to its user: worded for them
    // (src/activities/public-failures.ts).
    ...withPublicFailures(
      {
        ...createLedgerActivities(deps),
        ...createKieActivities(deps),
        ...createArchiveActivity(deps),
      },
      deps.logger,
    ),
    ...createReconcileActivity(deps),
    ...createNotifyActivity(deps),
    ...createKieBalanceActivity(deps),
  };
}
