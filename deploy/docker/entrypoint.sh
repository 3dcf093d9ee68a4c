#!/bin/sh
# Container entrypoint: the first argument picks the process; everything else comes from env.
set -eu

app="${1:-}"
[ "$#" -gt 0 ] && shift

case "$app" in
  ingest) exec node dist/apps/ingest/src/main.js "$@" ;;
  query) exec node dist/apps/query/src/main.js "$@" ;;
  export) exec node dist/apps/export/src/main.js "$@" ;;
  # A bounded heap keeps the worker's peak memory flat however many rows an export has
  # (docs/adr/0151-flat-export-worker-memory.md); NODE_OPTIONS given to the container wins.
  export-worker)
    NODE_OPTIONS="--max-old-space-size=256 ${NODE_OPTIONS:-}" exec node dist/apps/export/src/worker/main.js "$@"
    ;;
  maintenance) exec node dist/apps/maintenance/src/main.js "$@" ;;
  setup) exec node dist/apps/setup/src/main.js "$@" ;;
  security) exec node dist/scripts/opensearch-security/cli.js apply "$@" ;;
  *)
    echo "usage: <ingest|query|export|export-worker|maintenance|setup|security> (got: '${app}')" >&2
    exit 64
    ;;
esac
