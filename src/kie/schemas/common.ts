/**
 * Small `data` payloads: the `{ taskId }` every create call answers (Veo generate/extend, Market
 * createTask), credits (docs/kie-api.md#limits-retention-pricing) and download-url (docs/kie-api.md#limits-retention-pricing).
 */
import { z } from 'zod';
import { numberSchema } from './primitives.js';

/** `{ taskId }`; a seed also claims `recordId` on Market createTask — allowed, never required (discrepancy #15 in docs/kie-api.md#discrepancies-and-choices). */
export const taskIdDataSchema = z
  .looseObject({ taskId: z.string().trim().min(1) })
  .transform((d) => ({ taskId: d.taskId }));

/** Credits: a plain number, possibly fractional (1234.5); seed 001 says integer (discrepancy #16 in docs/kie-api.md#discrepancies-and-choices). */
export const creditsDataSchema = numberSchema.pipe(z.number().finite());

/** download-url: a fresh URL string, valid about 20 minutes. */
export const downloadUrlDataSchema = z
  .string()
  .trim()
  .pipe(z.url({ protocol: /^https?$/ }));
