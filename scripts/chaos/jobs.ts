/** The jobs of a chaos run: what was submitted, and what the chaos did to each. */
import type { FollowedJob } from '../cluster-run/job-states.js';
import type { RunUser } from '../cluster-run/users.js';

export interface ChaosJob extends FollowedJob {
  index: number;
  prompt: string;
  user: RunUser;
  terminated: boolean;
  cancelRequested: boolean;
}

export function inFlight(jobs: ChaosJob[]): ChaosJob[] {
  return jobs.filter((j) => j.finishedAt === null);
}
