/** The activities of generateVideo, of the reconciler and of notifyCustomer, built from their dependencies. */
import { createArchiveActivity } from './archive-activity.js';
import type { ActivityDeps } from './deps.js';
import { createKieActivities } from './kie-activities.js';
import { createLedgerActivities } from './ledger-activities.js';
import { createNotifyActivity } from './notify-activity.js';
import { createReconcileActivity } from './reconcile-activity.js';

export type { ActivityDeps } from './deps.js';

export function createVideoActivities(deps: ActivityDeps) {
  return {
    ...createLedgerActivities(deps),
    ...createKieActivities(deps),
    ...createArchiveActivity(deps),
    ...createReconcileActivity(deps),
    ...createNotifyActivity(deps),
  };
}
