#!/usr/bin/env bash
# Stops what slurm-up.sh started (by the PIDs it recorded) and waits, up to
# 15 s each, until the daemons have exited, so that slurm-up.sh can start
# them again straight away.
STATE=${SLURM_CI_STATE:-/tmp/slurm-ci}
running() {   # alive and not a zombie waiting to be reaped
  local s
  s=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$s" ] && [ "${s#Z}" = "$s" ]
}
pids=""
for p in "$STATE/slurmd.pid" "$STATE/slurmctld.pid" /run/munge/munged.pid; do
  [ -s "$p" ] || continue
  pid=$(cat "$p")
  if kill -TERM "$pid" 2>/dev/null; then pids="$pids $pid"; fi
  case "$p" in "$STATE"/*) rm -f "$p" ;; esac
done
for pid in $pids; do
  for _ in $(seq 150); do running "$pid" || break; sleep 0.1; done
  running "$pid" && echo "slurm-down: process $pid is still running after 15 s" >&2
done
true
