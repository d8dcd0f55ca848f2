#!/usr/bin/env bash
# Starts a single-node Slurm cluster on loopback (munge + slurmctld + slurmd),
# installing Debian's slurm-wlm and munge first if needed. For CI and for
# trying the Slurm path on one machine; a real cluster needs none of this.
# Run as root. State, logs and PIDs go to $SLURM_CI_STATE (/tmp/slurm-ci).
# Recipe: ../shared/notes/environment.md, section 2 (no systemd here, so the
# daemons are started by hand).
set -euo pipefail
STATE=${SLURM_CI_STATE:-/tmp/slurm-ci}
mkdir -p "$STATE"
export DEBIAN_FRONTEND=noninteractive
if ! command -v slurmctld >/dev/null; then
  apt-get update -qq
  # policy-rc.d keeps the packages from starting services: started below.
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
NODE=$(hostname -s)
read -r CPUS SOCK CORES THR MEM < <(slurmd -C | head -1 | sed -E 's/.*CPUs=([0-9]+).*SocketsPerBoard=([0-9]+).*CoresPerSocket=([0-9]+).*ThreadsPerCore=([0-9]+).*RealMemory=([0-9]+).*/\1 \2 \3 \4 \5/')
MEM=$(( MEM * 8 / 10 ))
[ -s /etc/munge/munge.key ] || { mungekey --create --force; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
install -d -o munge -g munge -m 755 /run/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do munge -n | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi
install -d -o slurm -g slurm /var/spool/slurmctld /var/log/slurm
install -d /var/spool/slurmd /run/slurm
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=ci
SlurmctldHost=${NODE}(127.0.0.1)
SlurmUser=slurm
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1,bf_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=${NODE} NodeAddr=127.0.0.1 CPUs=${CPUS} Sockets=${SOCK} CoresPerSocket=${CORES} ThreadsPerCore=${THR} RealMemory=${MEM} State=UNKNOWN
PartitionName=debug Nodes=${NODE} Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -i >"$STATE/slurmctld.out" 2>&1 & echo $! > "$STATE/slurmctld.pid"
for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.1; done
slurmd -D >"$STATE/slurmd.out" 2>&1 & echo $! > "$STATE/slurmd.pid"
for _ in $(seq 100); do sinfo -h -o %T 2>/dev/null | grep -qx idle && break; sleep 0.2; done
sinfo
