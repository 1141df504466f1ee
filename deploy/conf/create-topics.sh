#!/usr/bin/env bash
# Creates every topic listed in topics.conf (idempotent: existing topics are left alone).
# Usage: create-topics.sh BOOTSTRAP [TOPICS_FILE]
# KAFKA_TOPICS names the kafka-topics command: /opt/kafka/bin/kafka-topics.sh in the apache/kafka
# image (docker-compose), "java -cp 'lib/*' org.apache.kafka.tools.TopicCommand" in deploy/local.
set -euo pipefail
set -f  # $KAFKA_TOPICS may hold a class path wildcard: never glob it
bootstrap="${1:?usage: create-topics.sh BOOTSTRAP [TOPICS_FILE]}"
file="${2:-$(dirname "$0")/topics.conf}"
KAFKA_TOPICS="${KAFKA_TOPICS:-kafka-topics.sh}"
REPLICATION="${REPLICATION:-1}"
# One invocation per topic would start a JVM each: list once, create only what is missing.
existing="$($KAFKA_TOPICS --bootstrap-server "$bootstrap" --list)"
while read -r name partitions configs; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  if grep -qx -- "$name" <<<"$existing"; then
    echo "topic $name exists"
    continue
  fi
  args=(--bootstrap-server "$bootstrap" --create --if-not-exists --topic "$name"
        --partitions "$partitions" --replication-factor "$REPLICATION")
  if [[ "$configs" != "-" ]]; then
    IFS=';' read -ra kv <<<"$configs"  # pairs by ';': a value such as compact,delete holds commas
    for c in "${kv[@]}"; do args+=(--config "$c"); done
  fi
  $KAFKA_TOPICS "${args[@]}"
done <"$file"
