/**
 * Schema names end up inside SQL and a connection option, where parameters cannot go: accept only
 * plain lower-case identifiers, so quoting is never a question.
 */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema))
    throw new Error(`invalid schema name ${JSON.stringify(schema)}: use [a-z_][a-z0-9_]*`);
}
