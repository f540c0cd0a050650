#!/usr/bin/env bash
# tests/slurm/run.sh - reprint dist on a real Slurm: sets up a one-node
# cluster on this machine (as root, without systemd: munged, slurmctld -D
# and slurmd -D from a generated slurm.conf whose node line takes the CPUs
# and memory from nproc and free), runs the whole chain through sbatch and
# compares the bytes with scan; then makes one verify task fail on purpose
# (the cluster stage must not run) and relaunches (only that task runs,
# and the result is identical). The daemons it started are stopped by
# their process ids. Needs root; installs slurm-wlm and munge with apt-get
# when missing. See ../shared/recipes/slurm-one-node.md for the recipe.
set -u
cd "$(dirname "$0")/../.." || exit 2
BIN=${REPRINT:-build/reprint}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

if [ "$(id -u)" != 0 ]; then
    echo "slurm: skipped: needs root to start munged, slurmctld and slurmd"
    exit 0
fi
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge >/dev/null ||
        { echo "slurm: cannot install slurm-wlm and munge"; exit 1; }
fi

D=$(mktemp -d /tmp/reprint-slurm.XXXXXX)
PIDS=()
stop() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    done
    rm -rf "$D"
}
trap stop EXIT

# munge: use a running munged, else start one
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    mkdir -p /run/munge && chown munge:munge /run/munge
    [ -s /etc/munge/munge.key ] || mungekey --create >/dev/null 2>&1 ||
        { echo "slurm: no munge key"; exit 1; }
    setsid runuser -u munge -- /usr/sbin/munged --foreground </dev/null >"$D/munged.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
    # munged itself, not only the runuser that started it
    [ -s /run/munge/munged.pid ] && PIDS+=("$(cat /run/munge/munged.pid)")
fi
munge -n | unmunge >/dev/null 2>&1 || { echo "slurm: munge does not work"; cat "$D/munged.log"; exit 1; }

HOST=$(hostname -s)
CPUS=$(nproc)
MEM=$(free -m | awk '/^Mem:/ {print int($2 * 0.9)}')
mkdir -p "$D/state" "$D/spool"
export SLURM_CONF=$D/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=reprinttest
SlurmctldHost=$HOST
AuthType=auth/munge
CryptoType=crypto/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
MpiDefault=none
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
setsid slurmctld -D -f "$SLURM_CONF" </dev/null >"$D/ctld.out" 2>&1 &
PIDS+=($!)
setsid slurmd -D -f "$SLURM_CONF" </dev/null >"$D/d.out" 2>&1 &
PIDS+=($!)
up=0
for _ in $(seq 100); do
    if sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then up=1; break; fi
    sleep 0.2
done
if [ $up -ne 1 ]; then
    echo "slurm: the one-node cluster did not come up"
    tail -5 "$D/ctld.out" "$D/d.out" "$D/slurmctld.log" "$D/slurmd.log" 2>/dev/null
    exit 1
fi

W=$D/work
"$BIN" scan --json corpus >"$D/scan.json"

# 1. the whole chain through sbatch, waited for by polling squeue
if "$BIN" dist run --slurm --wait --tasks 3 --parts 2 --work "$W" --json corpus >"$D/out" 2>"$D/err"; then ok; else bad "chain: exit $?"; cat "$D/err"; fi
if cmp -s "$D/out" "$D/scan.json"; then ok; else bad "chain: bytes differ from scan"; diff "$D/scan.json" "$D/out" | head -5; fi
if grep -q "dist: components: job [0-9]*, tasks 0$" "$D/err" &&
   grep -q "dist: cluster: job [0-9]*, tasks 0,1,2$" "$D/err"; then ok; else bad "chain: no job ids"; cat "$D/err"; fi

# 2. a verify task fails on purpose: components and cluster must not run
W2=$D/work2
REPRINT_DIST_FAIL=verify.1 "$BIN" dist run --slurm --wait --tasks 3 --parts 2 --work "$W2" --json corpus >"$D/out2" 2>"$D/err2"
rc=$?
if [ $rc -eq 2 ]; then ok; else bad "failed task: exit $rc, expected 2"; cat "$D/err2"; fi
if grep -q "verify: 1 of 3 tasks did not finish" "$D/err2"; then ok; else bad "failed task: message"; cat "$D/err2"; fi
if [ ! -e "$W2/done/components.0" ] && [ ! -e "$W2/log/components_0.out" ] &&
   [ ! -e "$W2/done/cluster.0" ] && [ ! -e "$W2/log/cluster_0.out" ]; then ok
else bad "failed task: the cluster stage ran"; fi
if [ -e "$W2/done/verify.0" ] && [ -e "$W2/done/verify.2" ]; then ok; else bad "failed task: the other verify tasks did not run"; fi
if [ ! -s "$D/out2" ]; then ok; else bad "failed task: printed a result"; fi

# 3. relaunch: only the failed task, then cluster; identical bytes
"$BIN" dist run --slurm --wait --tasks 3 --parts 2 --work "$W2" --json corpus >"$D/out3" 2>"$D/err3"
rc=$?
if [ $rc -eq 0 ]; then ok; else bad "relaunch: exit $rc"; cat "$D/err3"; fi
if cmp -s "$D/out3" "$D/scan.json"; then ok; else bad "relaunch: bytes differ from scan"; fi
if grep -q "dist: verify: job [0-9]*, tasks 1$" "$D/err3" && ! grep -qE "dist: (list|plan|ids|sketch|lines|bucket):" "$D/err3"; then ok
else bad "relaunch: ran more than the failed task"; cat "$D/err3"; fi

# 4. without --wait: the job ids on stdout, then `dist output`
"$BIN" dist run --slurm --tasks 2 --work "$D/work3" corpus >"$D/ids" 2>"$D/err4"
if [ "$(cut -d' ' -f1 "$D/ids" | tr '\n' ' ')" = "list plan ids sketch lines bucket verify components cluster " ]; then ok
else bad "no --wait: job ids"; cat "$D/ids" "$D/err4"; fi
last=$(awk 'END {print $2}' "$D/ids")
for _ in $(seq 600); do [ -z "$(squeue -h -j "$last" 2>/dev/null)" ] && break; sleep 0.2; done
"$BIN" scan corpus >"$D/scan.txt"
if "$BIN" dist output --work "$D/work3" >"$D/out4" && cmp -s "$D/out4" "$D/scan.txt"; then ok
else bad "dist output after the jobs: differs"; fi

# 5. one JSON Lines file cut over the 3 plan tasks: the same bytes
python3 - "$D/corpus.jsonl" <<'PY'
import glob, json, sys
with open(sys.argv[1], "w") as f:
    for p in sorted(glob.glob("corpus/*.txt")):
        f.write(json.dumps({"id": p, "text": open(p, encoding="utf-8", errors="replace").read()}) + "\n")
PY
"$BIN" scan --json "$D/corpus.jsonl" >"$D/scan5.json"
if "$BIN" dist run --slurm --wait --tasks 3 --parts 2 --work "$D/work5" --json "$D/corpus.jsonl" >"$D/out5" 2>"$D/err5" &&
   cmp -s "$D/out5" "$D/scan5.json"; then ok
else bad "one JSON Lines file cut over the plan tasks: differs"; cat "$D/err5"; fi

echo "slurm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
