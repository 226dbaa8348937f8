// The S3 implementation is not re-exported: it loads the AWS SDK, which only S3 deployments pay for
// (src/runtime/storage.ts imports './s3.js' lazily).
export { createLocalStorage, PARTIAL_SUFFIX } from './local.js';
export { assertSafeKey, UnsafeKeyError, mediaKey } from './keys.js';
export { parseRangeHeader, resolveRange } from './byte-range.js';
export type { ByteRange, PresignOptions, PutBody, StoredObject, VideoStorage } from './types.js';
