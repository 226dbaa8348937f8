export interface Migration {
  /** Applied in ascending order; recorded in schema_migrations. */
  id: number;
  name: string;
  /** Several statements; runs in the migration's transaction. */
  sql: string;
}
