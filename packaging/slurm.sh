#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine, for the sweep tests and for trying
# `sweet sweep run --backend slurm` without a cluster: munge, slurmctld and slurmd started
# by hand (no systemd: CI is a plain container running as root), state in one folder.
#   bash packaging/slurm.sh start|stop|status
# SWEET_SLURM_DIR (default /tmp/sweet-slurm) holds slurm.conf, state, spool, logs and pids.
# The cluster is private to that folder: clients (sbatch, squeue, scontrol) reach it only
# through `export SLURM_CONF=$SWEET_SLURM_DIR/slurm.conf`, and its daemons listen on ports
# of its own (SWEET_SLURM_PORT and the next one; default: derived from the folder's path).
# /etc/slurm is never touched: a link there once made every Slurm client of the machine
# (another user's, a second test cluster's) send its jobs to this one.
set -euo pipefail
dir=${SWEET_SLURM_DIR:-/tmp/sweet-slurm}
conf=$dir/slurm.conf
etc=/etc/slurm/slurm.conf  # only to remove the link an older slurm.sh made
export SLURM_CONF=$conf
# Two clusters in two folders get two port pairs (slurmctld, slurmd) in 20000..29998.
port=${SWEET_SLURM_PORT:-$(( 20000 + ($(printf '%s' "$dir" | cksum | cut -d' ' -f1) % 5000) * 2 ))}

need_root() {
  if [ "$(id -u)" != 0 ]; then echo "slurm.sh: the daemons must start as root (run with sudo)" >&2; exit 1; fi
}

write_conf() {
  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  # 80% of physical memory in MB: slurmd refuses a node that claims more than it has.
  mem=$(awk '/MemTotal/ {printf "%d", $2 / 1024 * 0.8}' /proc/meminfo)
  mkdir -p "$dir/state" "$dir/spool"
  cat > "$conf" <<CONF
# One-node cluster written by packaging/slurm.sh; cgroups off (containers), linuxproc
# tracking, no accounting database (states come from squeue / scontrol).
ClusterName=sweet-local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
# SIGTERM, then SIGKILL 30 s later: time for a run to write its resume checkpoint.
KillWait=30
# Finished tasks stay visible to squeue for 10 minutes (there is no accounting to ask).
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
}

running() { [ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }

start() {
  need_root
  for tool in munged slurmctld slurmd sinfo; do
    command -v "$tool" >/dev/null || { echo "slurm.sh: $tool not found (packaging/install-deps.sh installs slurm-wlm and munge)" >&2; exit 1; }
  done
  local began=$(date +%s%N)
  # Daemons already running keep the configuration (and ports) they started with.
  if running slurmctld || running slurmd; then
    [ -f "$conf" ] || { echo "slurm.sh: daemons run from $dir but $conf is gone; run stop, then start" >&2; exit 1; }
  else
    write_conf
  fi
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
  fi
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
  # A munged that answers is used as it is (and left running by stop); otherwise ours
  # starts (--force: past a stale socket of one that died).
  if ! munge -n >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged --force
    pgrep -n -u munge -x munged > "$dir/munged.pid"
    munge -n >/dev/null || { echo "slurm.sh: munged does not answer; see /var/log/munge/munged.log" >&2; exit 1; }
  fi
  running slurmctld || slurmctld
  running slurmd || slurmd
  for _ in $(seq 1 60); do
    if sinfo -h -o %T 2>/dev/null | grep -Eq 'idle|mix|alloc'; then
      echo "slurm.sh: one-node cluster up in $(( ($(date +%s%N) - began) / 1000000 )) ms ($(nproc) CPUs, ports $(grep -oP '^SlurmctldPort=\K[0-9]+' "$conf")/$(grep -oP '^SlurmdPort=\K[0-9]+' "$conf")); clients: export SLURM_CONF=$conf"
      return 0
    fi
    sleep 0.5
  done
  echo "slurm.sh: the node did not become idle in 30 s; see $dir/slurmctld.log and $dir/slurmd.log" >&2
  sinfo >&2 || true
  exit 1
}

stop() {
  for daemon in slurmd slurmctld; do
    if running $daemon; then kill "$(cat "$dir/$daemon.pid")"; fi
  done
  for _ in $(seq 1 20); do running slurmd || running slurmctld || break; sleep 0.5; done
  # A daemon stuck (e.g. on a munged that died under it) ignores SIGTERM.
  for daemon in slurmd slurmctld; do
    if running $daemon; then kill -9 "$(cat "$dir/$daemon.pid")"; fi
  done
  if [ -f "$dir/linked-etc" ] && [ -L "$etc" ]; then rm -f "$etc" "$dir/linked-etc"; fi
  # munged serves every cluster of the machine: it stays while another one's slurmctld runs.
  if [ -f "$dir/munged.pid" ]; then
    if ! pgrep -x slurmctld >/dev/null; then kill "$(cat "$dir/munged.pid")" 2>/dev/null || true; fi
    rm -f "$dir/munged.pid"
  fi
  echo "slurm.sh: stopped (state kept in $dir)"
}

status() {
  if running slurmctld && running slurmd; then
    sinfo
  else
    echo "slurm.sh: not running"
    exit 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
