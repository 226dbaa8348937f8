/** Words people read for the API's states (the compiler checks every state has one). */
import type { JobState } from './types.js';

export const STATE_LABELS: Record<JobState, string> = {
  reserving: 'Holding credits',
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

export const FINAL: readonly JobState[] = ['succeeded', 'rejected', 'failed', 'canceled', 'timed_out'];

/** The pipeline's stages in order, as a job that asked for the 1080p version goes through them. */
export const PIPELINE: readonly JobState[] = [
  'reserving',
  'submitting',
  'generating',
  'fetching_hd',
  'archiving',
  'succeeded',
];
