#!/bin/bash
# Starts a one-node Slurm (munged, slurmctld, slurmd on localhost) and waits until the node takes jobs.
# Idempotent: daemons already running (by their pid files) are left alone. Needs root and Debian's
# slurm-wlm + munge (`apt-get install -y slurm-wlm munge`). Stop it with scripts/slurm/stop.sh.
#   SLURM_START_TIMEOUT  seconds to wait for the node (default 60)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
timeout="${SLURM_START_TIMEOUT:-60}"

for tool in slurmctld slurmd munged sinfo; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "start.sh: $tool is not installed (apt-get install -y slurm-wlm munge)" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "start.sh: must run as root (it writes /etc/slurm and starts daemons)" >&2; exit 2; }

# running PIDFILE NAME: the pid in PIDFILE is a live process called NAME (a pid can be reused: check the name)
running() {
  [ -s "$1" ] || return 1
  local pid; pid="$(cat "$1")"
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}

# 1. configuration: the template with this machine's node line
node_line="$(/usr/sbin/slurmd -C | head -n 1) NodeAddr=127.0.0.1 State=UNKNOWN"
mkdir -p /etc/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
sed "s|^NodeName=@NODE@\$|${node_line}|" "$here/slurm.conf.in" > /etc/slurm/slurm.conf.tmp
mv /etc/slurm/slurm.conf.tmp /etc/slurm/slurm.conf
node="$(hostname -s)"

# 2. munge: runs as user munge, with its socket directory and a key
install -d -o munge -g munge -m 0755 /run/munge
if [ ! -s /etc/munge/munge.key ]; then
  mungekey --create --keyfile /etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key
  chmod 0600 /etc/munge/munge.key
fi
if ! running /run/munge/munged.pid munged; then
  rm -f /run/munge/munged.pid /run/munge/munge.socket.2*
  runuser -u munge -- /usr/sbin/munged
fi
for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
munge -n | unmunge >/dev/null

# 3. the Slurm daemons (they daemonize and write their pid files)
running /run/slurmctld.pid slurmctld || /usr/sbin/slurmctld
running /run/slurmd.pid slurmd || /usr/sbin/slurmd

# 4. wait for the node; a drained/down state saved by an earlier run is cleared once
resumed=0
state=""
for _ in $(seq $((timeout * 4))); do
  state="$(sinfo -h -n "$node" -o '%T' 2>/dev/null || true)"
  case "$state" in
    idle|mixed|allocated|completing) echo "slurm is up: node $node is $state"; exit 0 ;;
    drain*|down*|inval*|fail*)
      if [ "$resumed" -eq 0 ]; then scontrol update NodeName="$node" State=RESUME >/dev/null 2>&1 || true; resumed=1; fi ;;
  esac
  sleep 0.25
done
echo "start.sh: node $node not ready after ${timeout}s (state: ${state:-unknown})" >&2
sinfo -R >&2 || true
tail -n 5 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
exit 1
