#!/usr/bin/env bash
# Times the collection's playbooks the way users run them (SSH with pipelining) on fresh systemd
# containers, and prints one table. Hosts: Molecule scenario `bench` (molecule/bench, bench-server1..3
# and bench-client1 on 10.89.65.0/24), made and destroyed here; scripts/test.sh does not run it.
#   scripts/benchmark.sh             (about 6 minutes on 2 cores; installs what it needs first, as test.sh does)
#   scripts/benchmark.sh decisions   (only the first table, the role's decisions on the controller: a few seconds)
# First table: the role's decisions (plugins/plugin_utils/_cluster.py) on synthetic inventories of 10 to 5,000
# hosts, controller CPU only (scripts/benchmark_decisions.py).
# Rows: a fresh bootstrap with each consul_cluster_bootstrap_flag_removal, a re-run of the bootstrap
# on the bootstrapped datacenter (must change nothing), then playbooks/rolling_restart.yml.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh >/dev/null
source scripts/env.sh
python3 scripts/benchmark_decisions.py
[[ ${1:-} != decisions ]] || exit 0
echo
CONSUL_BINARY_SRC=$(scripts/get-consul.sh)
scratch=$(mktemp -d /var/tmp/quorum-bench.XXXXXX)
export CONSUL_BINARY_SRC BENCH_SSH_KEY=$scratch/id_ed25519 BENCH_INVENTORY=$scratch/inventory
# profile_tasks stamps every task banner with the time since the start: where the flag removal begins and ends.
export ANSIBLE_PIPELINING=true ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks ANSIBLE_NOCOLOR=1
# The playbook logs stay in $scratch (profile_tasks lists the slowest tasks at the end of each); the key goes.
trap 'molecule destroy -s bench >>"$scratch/molecule.log" 2>&1 || true; rm -rf "$scratch"/id_ed25519* "$scratch"/cp-*' EXIT
ssh-keygen -q -t ed25519 -N '' -f "$BENCH_SSH_KEY"

fresh_hosts() {
  echo "bench: fresh hosts (molecule create + prepare -s bench)" >&2
  { molecule destroy -s bench && molecule create -s bench && molecule prepare -s bench --force; } \
    >>"$scratch/molecule.log" 2>&1 || { tail -n 40 "$scratch/molecule.log" >&2; exit 1; }
}

# timed NAME PLAYBOOK [ARGS]: run one playbook, keep its log as NAME.log and its wall time in times.
timed() {
  local name=$1 start
  shift
  echo "bench: $name ($*)" >&2
  # Own SSH control sockets per run: every row pays for its connections, as a user's first run does.
  export ANSIBLE_SSH_CONTROL_PATH_DIR=$scratch/cp-$name
  start=$EPOCHREALTIME
  ansible-playbook -i "$BENCH_INVENTORY" "$@" >"$scratch/$name.log" 2>&1 \
    || { tail -n 40 "$scratch/$name.log" >&2; exit 1; }
  echo "$name $start $EPOCHREALTIME" >>"$scratch/times"
}

fresh_hosts
timed bootstrap_leave playbooks/bootstrap.yml
timed rerun playbooks/bootstrap.yml
timed rolling_restart playbooks/rolling_restart.yml
fresh_hosts
timed bootstrap_restart playbooks/bootstrap.yml -e consul_cluster_bootstrap_flag_removal=restart

python3 scripts/benchmark_table.py "$scratch"
echo "Playbook logs: $scratch"
