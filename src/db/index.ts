export { openDatabase, type Db, type OpenDatabaseOptions } from './database.js';
export { migrate } from './migrate.js';
export { MIGRATIONS, type Migration } from './migrations/index.js';
export { isUniqueViolation } from './errors.js';
