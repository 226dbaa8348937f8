/**
 * A reference that ties what a caller is shown ("… (ref 3f9a1c2b7d4e)") to the log line with the
 * details (paths, driver and S3 messages, stack), which never leave the process.
 */
import { randomBytes } from 'node:crypto';

export const newErrorRef = (): string => randomBytes(6).toString('hex');
