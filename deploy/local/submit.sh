#!/usr/bin/env bash
# Submits the job jar to the local session cluster (detached). Extra arguments go to the job,
# e.g. deploy/local/submit.sh --registry-file deploy/local/registry.example.json --parallelism 2
# Savepoint restore: SAVEPOINT=/path/to/savepoint deploy/local/submit.sh ...
set -euo pipefail
source "$(dirname "$0")/env.sh"
require_libs
export FLINK_CONF_DIR="$FLINK_CONF" FLINK_PLUGINS_DIR="$FLINK_PLUGINS"
restore=()
[[ -n "${SAVEPOINT:-}" ]] && restore=(-s "$SAVEPOINT")
# shellcheck disable=SC2046
exec "$JAVA" $(flink_java_opts) -Dlog.file="$LOGS/client.log" -Dlog4j.configurationFile="file:$FLINK_CONF/log4j.properties" \
  -Djava.io.tmpdir="$WORK/tmp" -cp "$FLINK_LIB/*" org.apache.flink.client.cli.CliFrontend \
  run -d "${restore[@]}" "$JOB_JAR" --bootstrap-servers "$BOOTSTRAP" "$@"
