/** Words people read for the API's states and modes (the compiler checks every one has its words). */
import type { FinalState, JobState, MarketMode } from './types.js';

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

/** The modes' names on the form's radio buttons. */
export const MODE_LABELS: Record<MarketMode, string> = {
  'text-to-video': 'Text to video',
  'image-to-video': 'Image to video',
  'text-to-image': 'Text to image',
  'image-to-image': 'Image to image',
};

/** Names whose spelled-out form reads badly (KIE's "number of frames" of Sora is its length). */
const OPTION_LABELS: Record<string, string> = { nFrames: 'Length' };

/** A Market option's label from its name: outputFormat → "Output format". */
export function optionLabel(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return OPTION_LABELS[name] ?? words.charAt(0).toUpperCase() + words.slice(1);
}

/** "1 image", "1 to 10 images". */
export function imageCount({ min, max }: { min: number; max: number }): string {
  return min === max ? `${min} image${min === 1 ? '' : 's'}` : `${min} to ${max} images`;
}
