# Shared settings of the deploy/local scripts (sourced, not run). Every value can be overridden
# from the environment, e.g. KAFKA_PORT=19092 FLINK_REST_PORT=18081 deploy/local/start.sh
LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$LOCAL_DIR/../.." && pwd)"
CONF_SRC="$ROOT/deploy/conf"
WORK="${WORK:-$LOCAL_DIR/.work}"
PIDS="$WORK/pids"
LOGS="$WORK/logs"
FLINK_CONF="$WORK/flink-conf"
KAFKA_LIB="$LOCAL_DIR/kafka/target/lib"
FLINK_LIB="$LOCAL_DIR/flink/target/lib"
FLINK_PLUGINS="$LOCAL_DIR/flink/target/plugins"
JOB_JAR="${JOB_JAR:-$ROOT/job/target/carbonstream-job-0.1.0-SNAPSHOT-flink.jar}"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
FLINK_RPC_PORT="${FLINK_RPC_PORT:-6123}"
FLINK_REST_PORT="${FLINK_REST_PORT:-8081}"
TASKMANAGERS="${TASKMANAGERS:-2}"
# The Prometheus reporter of Flink 2.2 listens on all interfaces (no host option): off by
# default here; METRICS=prom turns it on (ports 9249-9252).
METRICS="${METRICS:-none}"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
JAVA="${JAVA:-java}"

# Copies a flat "key<sep>value" file, replacing the keys given as "key<sep>value" arguments.
# usage: override_file SRC DEST SEP KEY=VALUE...  (SEP is ':' for config.yaml, '=' for .properties)
override_file() {
  local src="$1" dest="$2" sep="$3"; shift 3
  local keys=() kv
  for kv in "$@"; do keys+=("${kv%%=*}"); done
  local pattern
  pattern="^($(printf '%s|' "${keys[@]}" | sed 's/|$//; s/\./\\./g'))[[:space:]]*$sep"
  {
    grep -Ev "$pattern" "$src"
    echo
    echo "# deploy/local overrides"
    for kv in "$@"; do
      if [[ "$sep" == ":" ]]; then echo "${kv%%=*}: ${kv#*=}"; else echo "$kv"; fi
    done
  } >"$dest"
}

# Starts a command in the background with its pid in $PIDS/NAME.pid and its output in $LOGS/NAME.out.
start_process() {
  local name="$1"; shift
  if [[ -f "$PIDS/$name.pid" ]] && kill -0 "$(cat "$PIDS/$name.pid")" 2>/dev/null; then
    echo "$name is already running (pid $(cat "$PIDS/$name.pid"))"
    return 0
  fi
  mkdir -p "$PIDS" "$LOGS"
  nohup "$@" >"$LOGS/$name.out" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
  echo "started $name (pid $!)"
}

# Stops the process of $PIDS/NAME.pid: TERM, up to 30 s, then KILL.
stop_process() {
  local name="$1" pidfile="$PIDS/$1.pid" pid
  [[ -f "$pidfile" ]] || return 0
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$name (pid $pid) did not stop in 30 s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "stopped $name (pid $pid)"
  fi
  rm -f "$pidfile"
}

# Waits (polling) until CMD succeeds, at most SECONDS.
wait_for() {
  local what="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then echo "timed out after ${seconds}s waiting for $what" >&2; return 1; fi
    sleep 0.5
  done
}

# env.java.opts.all of deploy/conf/flink/config.yaml: what bin/*.sh would add to every java command line.
flink_java_opts() { sed -n 's/^env\.java\.opts\.all:[[:space:]]*//p' "$CONF_SRC/flink/config.yaml"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

require_libs() {
  if [[ ! -d "$KAFKA_LIB" || ! -d "$FLINK_LIB" ]]; then
    echo "Kafka/Flink libs missing: run deploy/local/assemble.sh first" >&2
    exit 1
  fi
}
