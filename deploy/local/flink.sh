#!/usr/bin/env bash
# The Flink CLI against the local cluster: deploy/local/flink.sh list | cancel ID | stop --savepointPath DIR ID | savepoint ID
set -euo pipefail
source "$(dirname "$0")/env.sh"
export FLINK_CONF_DIR="$FLINK_CONF" FLINK_PLUGINS_DIR="$FLINK_PLUGINS"
# shellcheck disable=SC2046
exec "$JAVA" $(flink_java_opts) -Dlog.file="$LOGS/client.log" -Dlog4j.configurationFile="file:$FLINK_CONF/log4j.properties" \
  -Djava.io.tmpdir="$WORK/tmp" -cp "$FLINK_LIB/*" org.apache.flink.client.cli.CliFrontend "$@"
