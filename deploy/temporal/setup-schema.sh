#!/bin/sh
# Creates Temporal's two Postgres databases and brings their schemas to the version this server
# needs. Idempotent: run it before every server start (docker-compose.yml and `npm run cluster` do);
# on an up-to-date database it changes nothing.
#
# Environment (the server config's names, see config/production.yaml):
#   POSTGRES_SEEDS, DB_PORT, POSTGRES_USER, POSTGRES_PWD, DBNAME, VISIBILITY_DBNAME
#   TEMPORAL_SQL_TOOL   the temporal-sql-tool binary (default: temporal-sql-tool on PATH)
#   SCHEMA_DIR          a schema/postgresql/v12 folder to read the versioned schemas from; unset = the
#                       schemas embedded in temporal-sql-tool (they match its server version exactly)
set -eu

tool=${TEMPORAL_SQL_TOOL:-temporal-sql-tool}
host=${POSTGRES_SEEDS:-127.0.0.1}
port=${DB_PORT:-5432}
user=${POSTGRES_USER:-temporal}

sql() {
  # The password travels in the environment (SQL_PASSWORD), never on a command line.
  SQL_PASSWORD=${POSTGRES_PWD:-} "$tool" --plugin postgres12 --endpoint "$host" --port "$port" \
    --user "$user" "$@"
}

# The tool logs every statement: keep quiet unless it fails, then show all of it.
quiet() {
  if ! out=$("$@" 2>&1); then
    printf '%s\n' "$out" >&2
    exit 1
  fi
}

setup() {
  db=$1 # temporal database name
  kind=$2 # temporal | visibility
  # create-database fails when the database exists; that is the idempotent case, anything else is not.
  if ! out=$(sql --db "$db" create-database 2>&1); then
    case $out in
      *"already exists"*) ;;
      *)
        printf '%s\n' "$out" >&2
        exit 1
        ;;
    esac
  fi
  # Version tables at 0.0 (skipped when the schema is already newer), then every versioned step.
  quiet sql --db "$db" setup-schema -v 0.0
  if [ -n "${SCHEMA_DIR:-}" ]; then
    quiet sql --db "$db" update-schema -d "$SCHEMA_DIR/$kind/versioned"
  else
    quiet sql --db "$db" update-schema --schema-name "postgresql/v12/$kind"
  fi
  echo "temporal schema: $db ($kind) is up to date"
}

setup "${DBNAME:-temporal}" temporal
setup "${VISIBILITY_DBNAME:-temporal_visibility}" visibility
