/**
 * What a customer's system is told when a job ends: the body of the POST to its webhook URL
 * (docs/operations.md#customer-webhooks), in Standard Webhooks' `{type, timestamp, data}` shape.
 * `data` is the job's view without the playable links: they expire, while one event's body must stay
 * the same however often and however late it is delivered (GET /v1/videos/:id gives fresh ones).
 */
import { z } from 'zod';
import { contentPath, FileViewSchema, jobViewOf, JobViewSchema, type JobViewSource } from './job-view.js';
import type { JobState } from './job.js';

/** The states a customer is told about, each its event type. A rejected job is answered by the API at once. */
export const JOB_EVENT_TYPES = {
  succeeded: 'video.succeeded',
  failed: 'video.failed',
  canceled: 'video.canceled',
  timed_out: 'video.timed_out',
} as const satisfies Partial<Record<JobState, string>>;

export const JobEventTypeSchema = z.enum(Object.values(JOB_EVENT_TYPES));
export type JobEventType = z.infer<typeof JobEventTypeSchema>;

export const JobEventSchema = z.object({
  type: JobEventTypeSchema,
  timestamp: z.string().meta({ description: 'When the job ended (its finishedAt)' }),
  data: JobViewSchema.extend({
    files: z.array(FileViewSchema.omit({ url: true, expiresAt: true })),
  }),
});
export type JobEvent = z.infer<typeof JobEventSchema>;

/** The event of a job that ended; null for one that has not, or that ended rejected (never notified). */
export function jobEventOf(record: JobViewSource): JobEvent | null {
  const type = (JOB_EVENT_TYPES as Partial<Record<JobState, JobEventType>>)[record.state];
  if (!type || !record.finishedAt) return null;
  // Only a succeeded job has files (an older record of another end may still list some).
  const files = (record.state === 'succeeded' ? (record.progress?.files ?? []) : []).map((f) => ({
    variant: f.variant,
    size: f.size,
    sha256: f.sha256,
    contentType: f.contentType,
    path: contentPath(record.id, f.variant),
  }));
  return { type, timestamp: record.finishedAt.toISOString(), data: jobViewOf(record, files) };
}
