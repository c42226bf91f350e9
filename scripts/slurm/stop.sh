#!/bin/bash
# Stops what scripts/slurm/start.sh started: slurmd, slurmctld, munged, each by the pid in its pid file
# (checked against the process name, never killed by name). Jobs still running are killed with slurmd.
set -uo pipefail
stop() { # stop PIDFILE NAME
  local pidfile="$1" name="$2" pid
  if [ ! -s "$pidfile" ]; then echo "$name: not running"; return 0; fi
  pid="$(cat "$pidfile")"
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$name" ]; then
    echo "$name: stale pid file ($pid), removed"; rm -f "$pidfile"; return 0
  fi
  kill -TERM "$pid"
  for _ in $(seq 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  if [ -d "/proc/$pid" ]; then kill -KILL "$pid"; echo "$name: killed ($pid)"; else echo "$name: stopped ($pid)"; fi
  rm -f "$pidfile"
}
stop /run/slurmd.pid slurmd
stop /run/slurmctld.pid slurmctld
stop /run/munge/munged.pid munged
