#!/usr/bin/env bash
# Downloads a Kafka broker and a Flink runtime from Maven Central into deploy/local/{kafka,flink}/target
# (lib/ and plugins/, like the Kafka and Flink distributions) and builds the job jar.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
MVN="${MVN:-mvn}"
$MVN -B -q -pl job,deploy/local/kafka,deploy/local/flink -am install -DskipTests
ls "$KAFKA_LIB" >/dev/null && ls "$FLINK_LIB" >/dev/null && ls "$JOB_JAR"
echo "assembled: $KAFKA_LIB, $FLINK_LIB, $FLINK_PLUGINS, $JOB_JAR"
