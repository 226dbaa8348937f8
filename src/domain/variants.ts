/**
 * A job's files: `original` (KIE's result), `1080p` (Veo's upgrade), and for a Market task that
 * returns several results, `original-2` … `original-16` after the first. Plain functions, no zod:
 * the workflow bundle imports them (the schema is in job.ts).
 */
export type Variant = 'original' | '1080p' | `original-${number}`;

/** Results of one task beyond this are not archived. */
export const MAX_RESULT_FILES = 16;

export const VARIANT_PATTERN = /^(original|1080p|original-([2-9]|1[0-6]))$/;

/** The file name of the n-th result (0-based) of a task. */
export const resultVariant = (index: number): Variant => (index === 0 ? 'original' : `original-${index + 1}`);
