#!/usr/bin/env bash
# Stops what slurm-up.sh started.
STATE=${SLURM_CI_STATE:-/tmp/slurm-ci}
for p in "$STATE/slurmd.pid" "$STATE/slurmctld.pid" /run/munge/munged.pid; do
  [ -s "$p" ] && kill -TERM "$(cat "$p")" 2>/dev/null
done
true
