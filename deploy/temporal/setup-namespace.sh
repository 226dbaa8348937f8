#!/bin/sh
# Registers the namespace and the custom search attributes the workflows set and the UI filters on.
# Idempotent: run it after every server start (docker-compose.yml and `npm run cluster` do).
#
# Environment:
#   TEMPORAL_ADDRESS     the frontend (default 127.0.0.1:7233)
#   TEMPORAL_NAMESPACE   (default "default")
#   NAMESPACE_RETENTION  how long closed jobs stay in Temporal (default 168h: a week of history to debug)
#   TEMPORAL_CLI         the Temporal CLI binary (default: temporal on PATH)
set -eu

cli=${TEMPORAL_CLI:-temporal}
ns=${TEMPORAL_NAMESPACE:-default}
export TEMPORAL_ADDRESS=${TEMPORAL_ADDRESS:-127.0.0.1:7233}

# The frontend answers SERVING a little before it accepts namespace calls: retry for a minute.
retry() {
  n=0
  until "$@" >/dev/null 2>&1; do
    n=$((n + 1))
    if [ "$n" -ge 60 ]; then
      "$@" # once more, with its error shown
      return 1
    fi
    sleep 1
  done
}

if ! "$cli" operator namespace describe --namespace "$ns" >/dev/null 2>&1; then
  retry "$cli" operator namespace create --namespace "$ns" --retention "${NAMESPACE_RETENTION:-168h}"
fi

# name:type, as src/workflows/search-attributes.ts defines them (the workflow upserts them).
for attr in VideoUserId:Keyword VideoState:Keyword VideoModel:Keyword; do
  name=${attr%%:*}
  type=${attr#*:}
  if ! "$cli" operator search-attribute list --namespace "$ns" 2>/dev/null | grep -q "^ *$name "; then
    # A new namespace takes a few seconds to reach every frontend: retry until it is known.
    retry "$cli" operator search-attribute create --namespace "$ns" --name "$name" --type "$type"
  fi
done
echo "temporal namespace: $ns with search attributes VideoUserId, VideoState, VideoModel"
