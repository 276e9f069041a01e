#!/bin/sh
# Runs one service (or the CLI) from the compiled build.
set -e
service="${1:-gateway}"
shift || true
case "$service" in
  ingest|aggregator|pricing-fx|gateway|cli) exec node "/app/dist/apps/$service/src/main.js" "$@" ;;
  *) echo "usage: mai-usage ingest|aggregator|pricing-fx|gateway|cli [args]" >&2; exit 2 ;;
esac
