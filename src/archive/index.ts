export { archiveFromUrl, type ArchiveOptions, type ArchivedObject } from './archive-from-url.js';
export { ArchiveError, type ArchiveErrorKind } from './archive-error.js';
export { hostAllowed, hostOf } from './host-allow-list.js';
export { hasFtypSignature, type Progress } from './download-verifier.js';
