#!/usr/bin/env bash
# Times the collection's playbooks the way users run them (SSH with pipelining) on fresh systemd
# containers, next to the floor: the same steps as a shell sequence over SSH (scripts/benchmark_baseline.sh),
# on identical fresh hosts, with the role's default Consul settings. Prints one table; scripts/test.sh does
# not run it.
#   scripts/benchmark.sh              3 servers + 1 client and 5 servers + 20 clients, 3 repetitions
#                                     (about 40 minutes on 2 cores; installs what it needs first, as test.sh does)
#   scripts/benchmark.sh quick        3 servers + 1 client, 1 repetition (about 5 minutes)
#   scripts/benchmark.sh decisions    only the first table, the role's decisions on the controller (seconds)
#   BENCH_REPEAT=N BENCH_SIZES="3+1 5+20" scripts/benchmark.sh   any repetitions and sizes (servers+clients)
# First table: the role's decisions (plugins/plugin_utils/_cluster.py) on synthetic inventories of 10 to 5,000
# hosts, controller CPU only (scripts/benchmark_decisions.py).
# Second table, per size and per row, baseline and playbook side by side (median and spread of the repetitions):
# a fresh bootstrap with each consul_cluster_bootstrap_flag_removal, a re-run on the bootstrapped datacenter
# (must change nothing), playbooks/rolling_restart.yml. Baseline and playbook alternate on the same fresh hosts.
# Hosts: podman containers of the host image with an SSH server (bench-server1.., bench-client1.. on
# 10.89.65.0/24, network quorum-bench), made here and removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh >/dev/null
source scripts/env.sh
# The collection's plugins byte-compiled, as pip does for an installed package and Python on a first import. A
# checkout has none, and where PYTHONDONTWRITEBYTECODE is set (CI machines) Python never writes any: then every
# Ansible worker that uses one of the collection's filters compiles all of them again, a cost users do not pay.
# (The plugin_utils they import are compiled from source in every worker either way: Ansible's collection loader.)
python3 -m compileall -q plugins >/dev/null
python3 scripts/benchmark_decisions.py
case ${1:-} in
  decisions) exit 0 ;;
  quick) repeat=${BENCH_REPEAT:-1} sizes=${BENCH_SIZES:-3+1} ;;
  '') repeat=${BENCH_REPEAT:-3} sizes=${BENCH_SIZES:-3+1 5+20} ;;
  *) echo "usage: $0 [quick|decisions]" >&2; exit 2 ;;
esac
echo
CONSUL_BINARY_SRC=$(scripts/get-consul.sh)
scratch=$(mktemp -d /var/tmp/quorum-bench.XXXXXX)
network=quorum-bench
image=localhost/quorum-consul-bench:bookworm
export CONSUL_BINARY_SRC BENCH_SSH_KEY=$scratch/id_ed25519
# profile_tasks lists the slowest tasks at the end of each playbook log. SSH as the baseline uses it: Ansible's
# default ssh_args add -C, and compressing the 65 MB binary costs more CPU than sending it (about 2 s per host here).
export ANSIBLE_PIPELINING=true ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks ANSIBLE_NOCOLOR=1 \
  ANSIBLE_SSH_ARGS='-o ControlMaster=auto -o ControlPersist=60s'
# BENCH_KIND=playbook or baseline times only that side (rows without a ratio)
kinds=${BENCH_KIND:-baseline playbook}
remove_hosts() { podman ps -aq --filter label=quorum-bench | xargs -r podman rm -f -t 0 >/dev/null; }
trap 'remove_hosts; podman network rm -f $network >/dev/null 2>&1 || true; rm -rf "$scratch"/id_ed25519* "$scratch"/cp' EXIT
ssh-keygen -q -t ed25519 -N '' -f "$BENCH_SSH_KEY"
podman network exists $network || podman network create --subnet 10.89.65.0/24 $network >/dev/null

# The host image plus an SSH server, built once and reused: a fresh host is then a new container (under a second).
if ! podman image exists $image; then
  echo "bench: building $image (the host image with openssh-server)" >&2
  podman rm -f -t 0 quorum-bench-build >/dev/null 2>&1 || true
  podman run -d --name quorum-bench-build --network $network --systemd=always "$QUORUM_HOST_IMAGE" /sbin/init >/dev/null
  podman exec quorum-bench-build sh -c 'until [ -S /run/systemd/private ]; do sleep 0.1; done
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && apt-get install -y -qq --no-install-recommends openssh-server >/dev/null
    systemctl enable --quiet ssh && apt-get clean && rm -rf /var/lib/apt/lists/*'
  podman commit -q quorum-bench-build $image >/dev/null
  podman rm -f -t 0 quorum-bench-build >/dev/null
fi

# fresh_hosts SERVERS CLIENTS: new containers, reachable over SSH; sets BENCH_SERVERS/BENCH_CLIENTS and the inventory.
fresh_hosts() {
  local n_servers=$1 n_clients=$2 i name ip
  remove_hosts
  BENCH_SERVERS='' BENCH_CLIENTS=''
  for ((i = 1; i <= n_servers; i++)); do BENCH_SERVERS+="bench-server$i=10.89.65.$((10 + i)) "; done
  for ((i = 1; i <= n_clients; i++)); do BENCH_CLIENTS+="bench-client$i=10.89.65.$((100 + i)) "; done
  export BENCH_SERVERS BENCH_CLIENTS
  for host in $BENCH_SERVERS $BENCH_CLIENTS; do
    name=${host%%=*} ip=${host#*=}
    podman run -d --name "$name" --hostname "$name" --label quorum-bench --network $network --ip "$ip" \
      --systemd=always -v "$BENCH_SSH_KEY.pub:/root/.ssh/authorized_keys:ro" $image /sbin/init >/dev/null
  done
  for host in $BENCH_SERVERS $BENCH_CLIENTS; do
    timeout 60 sh -c "until ssh -q -o BatchMode=yes -o ConnectTimeout=1 -o StrictHostKeyChecking=no \
      -o UserKnownHostsFile=/dev/null -i $BENCH_SSH_KEY root@${host#*=} 'systemctl is-system-running --wait' \
      >/dev/null 2>&1; do sleep 0.2; done" || { echo "bench: ${host%%=*} did not come up" >&2; exit 1; }
  done
  {
    echo '[consul_servers]'
    for host in $BENCH_SERVERS; do echo "${host%%=*} ansible_host=${host#*=}"; done
    echo '[consul_clients]'
    for host in $BENCH_CLIENTS; do echo "${host%%=*} ansible_host=${host#*=}"; done
    echo '[all:vars]'
    echo 'ansible_user=root'
    echo "ansible_ssh_private_key_file=$BENCH_SSH_KEY"
    # as the README advises for real servers: no interpreter discovery (an extra round trip per host)
    echo 'ansible_python_interpreter=/usr/bin/python3'
    # new hosts every run: their keys are unknown and not worth keeping
    echo "ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR'"
    echo 'consul_cluster_install_method=copy'
    echo "consul_cluster_binary_src=$CONSUL_BINARY_SRC"
    # the binary's version, and plaintext like the baseline: the same work on both sides
    echo 'consul_cluster_version=1.8.7'
    echo 'consul_cluster_tls_enabled=false'
    echo 'consul_cluster_acl_enabled=false'
    # the snapshots a rolling restart takes first stay with the benchmark's scratch files
    echo "consul_cluster_snapshot_dir=$scratch/snapshots"
  } >"$scratch/inventory"
  # as many forks as hosts: every host works at once, as in the baseline
  export ANSIBLE_FORKS=$((n_servers + n_clients))
}

# timed SIZE ROW KIND REP CMD...: run one step, keep its log and append "SIZE ROW KIND REP SECONDS CHANGED".
timed() {
  local size=$1 row=$2 kind=$3 rep=$4 start end log changed
  shift 4
  log=$scratch/$size-$row-$kind-$rep.log
  echo "bench: $size $row $kind #$rep" >&2
  # Own SSH control sockets per step: every step pays for its connections, as a user's first run does.
  # (numbered: a socket's path must stay under 108 characters)
  steps=$((${steps:-0} + 1))
  mkdir -p "$scratch/cp/$steps"
  export ANSIBLE_SSH_CONTROL_PATH_DIR=$scratch/cp/$steps BENCH_CONTROL_DIR=$scratch/cp/$steps
  start=$EPOCHREALTIME
  "$@" >"$log" 2>&1 || { tail -n 40 "$log" >&2; exit 1; }
  end=$EPOCHREALTIME
  changed=-
  [[ $kind == baseline ]] || changed=$(grep -Eo 'changed=[0-9]+' "$log" | awk -F= '{n += $2} END {print n + 0}')
  echo "$size $row $kind $rep $(awk "BEGIN {print $end - $start}") $changed" >>"$scratch/times"
}

# The end state, checked from outside both tools: one leader, every server a voter, every client alive.
healthy() {
  local servers=$1 clients=$2
  podman exec bench-server1 python3 - "$servers" "$clients" <<'PY'
import json, sys, urllib.request
def get(path):
    with urllib.request.urlopen("http://127.0.0.1:8500" + path, timeout=5) as reply:
        return json.load(reply)
servers, clients = int(sys.argv[1]), int(sys.argv[2])
conf = get("/v1/operator/raft/configuration")["Servers"]
leaders = [s for s in conf if s["Leader"]]
voters = [s for s in conf if s["Voter"]]
alive = [m for m in get("/v1/agent/members") if m["Status"] == 1 and m["Tags"].get("role") == "node"]
if len(leaders) != 1 or len(voters) != servers or len(alive) != clients:
    sys.exit("not healthy: %d leaders, %d voters of %d servers, %d alive clients of %d"
             % (len(leaders), len(voters), servers, len(alive), clients))
PY
}

# one side of one repetition: a fresh bootstrap in each mode, with the re-run and the rolling restart after the first
run_side() {
  local size=$1 kind=$2 rep=$3 s=${1%+*} c=${1#*+}
  fresh_hosts "$s" "$c"
  timed "$size" bootstrap_leave "$kind" "$rep" "$kind" bootstrap leave
  healthy "$s" "$c"
  timed "$size" rerun "$kind" "$rep" "$kind" rerun
  [[ $kind == baseline || $(tail -n1 "$scratch/times" | cut -d' ' -f6) == 0 ]] \
    || { echo "bench: the re-run changed something" >&2; exit 1; }
  timed "$size" rolling_restart "$kind" "$rep" "$kind" rolling_restart
  healthy "$s" "$c"
  fresh_hosts "$s" "$c"
  timed "$size" bootstrap_restart "$kind" "$rep" "$kind" bootstrap restart
  healthy "$s" "$c"
}
baseline() { scripts/benchmark_baseline.sh "$@"; }
playbook() {
  case $1 in
    bootstrap) ansible-playbook -i "$scratch/inventory" playbooks/bootstrap.yml -e consul_cluster_bootstrap_flag_removal="$2" ;;
    rerun) ansible-playbook -i "$scratch/inventory" playbooks/bootstrap.yml ;;
    rolling_restart) ansible-playbook -i "$scratch/inventory" playbooks/rolling_restart.yml ;;
  esac
}

# Baseline and playbook alternate, so a slow spell of the machine hits both.
for size in $sizes; do
  for ((rep = 1; rep <= repeat; rep++)); do
    for kind in $kinds; do run_side "$size" "$kind" "$rep"; done
  done
done

python3 scripts/benchmark_table.py "$scratch"
echo "Logs: $scratch"
