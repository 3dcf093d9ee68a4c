#!/bin/sh
# Container entrypoint: the first argument picks the process; everything else comes from env.
set -eu

app="${1:-}"
[ "$#" -gt 0 ] && shift

case "$app" in
  ingest) exec node dist/apps/ingest/src/main.js "$@" ;;
  query) exec node dist/apps/query/src/main.js "$@" ;;
  export) exec node dist/apps/export/src/main.js "$@" ;;
  export-worker) exec node dist/apps/export/src/worker/main.js "$@" ;;
  maintenance) exec node dist/apps/maintenance/src/main.js "$@" ;;
  setup) exec node dist/apps/setup/src/main.js "$@" ;;
  security) exec node dist/scripts/opensearch-security/cli.js apply "$@" ;;
  *)
    echo "usage: <ingest|query|export|export-worker|maintenance|setup|security> (got: '${app}')" >&2
    exit 64
    ;;
esac
