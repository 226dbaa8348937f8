export { openDatabase } from './database.js';
export type { Db, OpenDatabaseOptions } from './db.js';
export { migrate } from './migrate.js';
export { MIGRATIONS, type Migration } from './migrations/index.js';
export { isUniqueViolation } from './errors.js';
export { RolledBackAtCommitError } from './errors.js';
