#!/usr/bin/env bash
# Starts the local cluster on 127.0.0.1: a Kafka broker (KRaft, broker + controller in one JVM),
# the topics of deploy/conf/topics.conf, a Flink JobManager and $TASKMANAGERS TaskManagers (one JVM each).
set -euo pipefail
source "$(dirname "$0")/env.sh"
require_libs
mkdir -p "$WORK" "$PIDS" "$LOGS" "$WORK/kafka" "$WORK/tmp" "$FLINK_CONF"

# --- Kafka -------------------------------------------------------------------------------------
override_file "$CONF_SRC/kafka/server.properties" "$WORK/kafka/server.properties" "=" \
  "listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT" \
  "advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT" \
  "controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT" \
  "log.dirs=$WORK/kafka/data"
if [[ ! -f "$WORK/kafka/data/meta.properties" ]]; then
  cluster_id="$("$JAVA" -cp "$KAFKA_LIB/*" kafka.tools.StorageTool random-uuid)"
  "$JAVA" -cp "$KAFKA_LIB/*" -Dlog4j2.configurationFile="$CONF_SRC/kafka/log4j2.properties" -Dkafka.logs.dir="$LOGS" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$WORK/kafka/server.properties" --ignore-formatted
fi
start_process kafka "$JAVA" -Xms256m -Xmx512m -Djava.io.tmpdir="$WORK/tmp" \
  -Dlog4j2.configurationFile="$CONF_SRC/kafka/log4j2.properties" -Dkafka.logs.dir="$LOGS" \
  -cp "$KAFKA_LIB/*" kafka.Kafka "$WORK/kafka/server.properties"
wait_for "Kafka on $BOOTSTRAP" 60 port_open "$KAFKA_PORT"
KAFKA_TOPICS="$JAVA -cp $KAFKA_LIB/* org.apache.kafka.tools.TopicCommand"
export KAFKA_TOPICS
for attempt in 1 2 3; do
  "$CONF_SRC/create-topics.sh" "$BOOTSTRAP" && break
  [[ $attempt == 3 ]] && exit 1
  echo "retrying topic creation (broker still starting)"; sleep 2
done

# --- Flink -------------------------------------------------------------------------------------
overrides=(
  "jobmanager.rpc.address=127.0.0.1" "jobmanager.bind-host=127.0.0.1" "jobmanager.rpc.port=$FLINK_RPC_PORT"
  "taskmanager.bind-host=127.0.0.1" "taskmanager.host=127.0.0.1"
  "taskmanager.rpc.port=0" "taskmanager.data.port=0" "blob.server.port=0"
  "rest.address=127.0.0.1" "rest.bind-address=127.0.0.1" "rest.port=$FLINK_REST_PORT"
  "execution.checkpointing.dir=file://$WORK/checkpoints" "execution.checkpointing.savepoint-dir=file://$WORK/savepoints"
  "io.tmp.dirs=$WORK/tmp" "web.tmpdir=$WORK/tmp/web" "web.submit.enable=true"
  "taskmanager.memory.process.size=1280m" "jobmanager.memory.process.size=800m"
)
if [[ "$METRICS" != "prom" ]]; then overrides+=("metrics.reporters=none"); fi
override_file "$CONF_SRC/flink/config.yaml" "$FLINK_CONF/config.yaml" ":" "${overrides[@]}"
cp "$CONF_SRC/flink/log4j.properties" "$FLINK_CONF/log4j.properties"
export FLINK_CONF_DIR="$FLINK_CONF" FLINK_PLUGINS_DIR="$FLINK_PLUGINS" FLINK_LIB_DIR="$FLINK_LIB"

# What bin/jobmanager.sh and bin/taskmanager.sh would compute: -Xmx/-Xms/... and -D memory sizes.
resource_params() {
  "$JAVA" -cp "$FLINK_LIB/*" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$FLINK_CONF" 2>/dev/null \
    | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://'
}
log_opts() { echo "$(flink_java_opts) -Dlog.file=$LOGS/$1.log -Dlog4j.configurationFile=file:$FLINK_CONF/log4j.properties -Djava.io.tmpdir=$WORK/tmp"; }

mapfile -t jm < <(resource_params GET_JM_RESOURCE_PARAMS)
# shellcheck disable=SC2086
start_process jobmanager "$JAVA" ${jm[0]} $(log_opts jobmanager) -cp "$FLINK_LIB/*" \
  org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$FLINK_CONF" --executionMode cluster ${jm[1]}
mapfile -t tm < <(resource_params GET_TM_RESOURCE_PARAMS)
for n in $(seq 1 "$TASKMANAGERS"); do
  # shellcheck disable=SC2086
  start_process "taskmanager-$n" "$JAVA" ${tm[0]} $(log_opts "taskmanager-$n") -cp "$FLINK_LIB/*" \
    org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$FLINK_CONF" ${tm[1]} -D "taskmanager.resource-id=tm-$n"
done
wait_for "$TASKMANAGERS TaskManagers" 90 bash -c "[[ \$(curl -sf http://127.0.0.1:$FLINK_REST_PORT/taskmanagers | grep -o '\"id\"' | wc -l) -ge $TASKMANAGERS ]]"
echo "Kafka: $BOOTSTRAP   Flink web UI / REST: http://127.0.0.1:$FLINK_REST_PORT   logs: $LOGS"
