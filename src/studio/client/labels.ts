/** Words people read for the API's states (the compiler checks every state has one). */
import type { FinalState, JobState } from './types.js';

export const STATE_LABELS: Record<JobState, string> = {
  reserving: 'Holding credits',
  queued: 'Waiting for a KIE slot',
  submitting: 'Sending to KIE',
  generating: 'Generating',
  fetching_hd: 'Fetching the 1080p version',
  archiving: 'Archiving',
  succeeded: 'Ready',
  rejected: 'Rejected',
  failed: 'Failed',
  canceled: 'Canceled',
  timed_out: 'Timed out',
};

/** The final states (a record, so the compiler checks it names every final state of the domain). */
const final: Record<FinalState, true> = {
  succeeded: true,
  rejected: true,
  failed: true,
  canceled: true,
  timed_out: true,
};
export const FINAL = Object.keys(final) as readonly JobState[];

/** The pipeline's stages in order, as a job that asked for the 1080p version goes through them. */
export const PIPELINE: readonly JobState[] = [
  'reserving',
  'queued',
  'submitting',
  'generating',
  'fetching_hd',
  'archiving',
  'succeeded',
];
