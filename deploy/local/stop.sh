#!/usr/bin/env bash
# Stops every process that start.sh started (pid files in .work/pids): TaskManagers, JobManager,
# then Kafka. Data stays in .work (remove it for a fresh start: deploy/local/stop.sh --clean).
set -euo pipefail
source "$(dirname "$0")/env.sh"
shopt -s nullglob
for f in "$PIDS"/taskmanager-*.pid; do stop_process "$(basename "$f" .pid)"; done
stop_process jobmanager
stop_process kafka
if [[ "${1:-}" == "--clean" ]]; then rm -rf "$WORK"; echo "removed $WORK"; fi
