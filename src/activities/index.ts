/** The activities of generateVideo, built from their dependencies (DESIGN §7.2). */
import { createArchiveActivity } from './archive-activity.js';
import type { ActivityDeps } from './deps.js';
import { createKieActivities } from './kie-activities.js';
import { createLedgerActivities } from './ledger-activities.js';

export type { ActivityDeps } from './deps.js';

export function createVideoActivities(deps: ActivityDeps) {
  return {
    ...createLedgerActivities(deps),
    ...createKieActivities(deps),
    ...createArchiveActivity(deps),
  };
}
