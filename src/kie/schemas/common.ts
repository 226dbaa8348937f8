/**
 * Small `data` payloads: the `{ taskId }` every create call answers (Veo generate/extend, Market
 * createTask), credits (§4) and download-url (§4).
 */
import { z } from 'zod';
import { numberSchema } from './primitives.js';

/** `{ taskId }`; a seed also claims `recordId` on Market createTask — allowed, never required (§6 #15). */
export const taskIdDataSchema = z
  .looseObject({ taskId: z.string().trim().min(1) })
  .transform((d) => ({ taskId: d.taskId }));

/** Credits: a plain number, possibly fractional (1234.5); seed 001 says integer (§6 #16). */
export const creditsDataSchema = numberSchema.pipe(z.number().finite());

/** download-url: a fresh URL string, valid about 20 minutes. */
export const downloadUrlDataSchema = z
  .string()
  .trim()
  .pipe(z.url({ protocol: /^https?$/ }));
