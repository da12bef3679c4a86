#!/usr/bin/env bash
# The floor scripts/benchmark.sh compares the playbooks with: the same steps as a short shell sequence
# over SSH, no Ansible, the same Consul settings as the role's defaults (consul.json, encrypt.json, the unit).
#   benchmark_baseline.sh bootstrap leave|restart   install, Node A with the flag, the other servers, join,
#                                                   wait for voters and catch-up, the flag off, the clients
#   benchmark_baseline.sh rerun                     a drift check: files, agents, voters, clients alive
#   benchmark_baseline.sh rolling_restart           servers one at a time, followers first, the leader last
# Environment (from scripts/benchmark.sh): BENCH_SERVERS and BENCH_CLIENTS ("name=ip ..."), BENCH_SSH_KEY,
# CONSUL_BINARY_SRC, BENCH_CONTROL_DIR (SSH control sockets: a first run pays for its connections).
# Every wait polls in one SSH call on the host (the API listens on 127.0.0.1 only), as the role's modules do.
set -euo pipefail

read -r -a servers <<<"$BENCH_SERVERS"
read -r -a clients <<<"${BENCH_CLIENTS:-}"
node_a=${servers[0]%%=*}
server_ips=()
for s in "${servers[@]}"; do server_ips+=("${s#*=}"); done
ssh_opts=(-o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
  -o ControlMaster=auto -o ControlPersist=120s -o "ControlPath=$BENCH_CONTROL_DIR/%h" -i "$BENCH_SSH_KEY")
declare -A ip_of
for h in "${servers[@]}" "${clients[@]}"; do ip_of[${h%%=*}]=${h#*=}; done
# shellcheck disable=SC2029,SC2317  # commands are built here to run there; parallel() calls the helpers
on() { local host=$1; shift; ssh "${ssh_opts[@]}" "root@${ip_of[$host]}" "$@"; }
names() { local h; for h in "$@"; do printf '%s ' "${h%%=*}"; done; }
# parallel HOSTS -- CMD...: CMD with the host name as $1 on every host at once; fails if any fails.
parallel() {
  local pids=() host
  for host in $1; do "${@:2}" "$host" & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid"; done
}

# One waiter, sent on stdin to python3 on the host: polls the local agent until the condition holds.
#   leader | voters N | index N | tolerance N | alive N   (prints the leader's last log index for 'voters')
waiter='
import json, sys, time, urllib.request
def get(path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:8500" + path, timeout=2) as r:
            return json.load(r)
    except Exception:
        return None
what, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0
deadline = time.time() + 180
while time.time() < deadline:
    if what == "leader" and get("/v1/status/leader"):
        break
    if what == "voters":
        conf = get("/v1/operator/raft/configuration") or {}
        voters = [s for s in conf.get("Servers", []) if s["Voter"]]
        leader = [s for s in voters if s["Leader"]]
        if len(voters) >= n and leader:
            me = get("/v1/agent/self")
            if me and me["Stats"]["raft"]["state"] == "Leader":
                print(me["Stats"]["raft"]["last_log_index"])
            break
    if what == "index":
        me = get("/v1/agent/self")
        if me and int(me["Stats"]["raft"]["last_log_index"]) >= n:
            break
    if what == "tolerance":
        health = get("/v1/operator/autopilot/health") or {}
        if health.get("Healthy") and health.get("FailureTolerance", 0) >= n:
            break
    if what == "alive":
        members = get("/v1/agent/members") or []
        if sum(1 for m in members if m["Status"] == 1) >= n:
            break
    time.sleep(0.1)
else:
    sys.exit("timed out waiting for %s %s" % (what, n))
'
# phase NAME: seconds since the start, in the log, to compare the steps with the playbook's profile
begun=$EPOCHREALTIME
phase() { awk "BEGIN {printf \"%7.2f %s\\n\", $EPOCHREALTIME - $begun, \"$1\"}"; }
wait_on() { local host=$1; shift; on "$host" python3 - "$@" <<<"$waiter"; }

# Voters and catch-up on every server: the leader's index once all are voters, then every log at that index.
converged() {
  local count=${#servers[@]} index='' attempt
  # only the server that is the leader at that moment prints its index; a leadership change in between leaves none
  for attempt in 1 2 3; do
    [[ -z $index ]] || break
    index=$(parallel "$(names "${servers[@]}")" wait_on_voters "$count" | grep -E '^[0-9]+$' | head -n1) || true
  done
  [[ -n $index ]] || { echo "no leader index after $attempt attempts" >&2; exit 1; }
  parallel "$(names "${servers[@]}")" wait_index "$index"
}
wait_on_voters() { wait_on "$2" voters "$1"; }
wait_index() { wait_on "$2" index "$1"; }

config() {
  local name=$1 server=$2 join=', "autopilot": {"server_stabilization_time": "10s"}'
  if [[ $server == false ]]; then join=$(printf '"%s",' "${server_ips[@]}"); join=", \"retry_join\": [${join%,}]"; fi
  printf '{"datacenter": "dc1", "domain": "consul", "node_name": "%s", "server": %s, "data_dir": "/opt/consul",
 "bind_addr": "%s", "client_addr": "127.0.0.1", "ports": {"http": 8500}, "log_level": "INFO",
 "performance": {"raft_multiplier": 1}%s}\n' "$name" "$server" "${ip_of[$name]}" "$join"
}

# shellcheck disable=SC2016  # $MAINPID is systemd's
unit='[Unit]
Description=Consul agent
Wants=network-online.target
After=network-online.target
ConditionFileNotEmpty=/etc/consul.d/consul.json

[Service]
User=consul
Group=consul
ExecStartPre=+/bin/chown -R consul:consul /opt/consul
ExecStart=/usr/local/bin/consul agent -config-dir=/etc/consul.d
ExecReload=/bin/kill --signal HUP $MAINPID
KillMode=process
KillSignal=SIGTERM
Restart=on-failure

[Install]
WantedBy=multi-user.target'

# Binary, user, directories, configuration, gossip key and unit on one host; the key comes on stdin.
install() {
  local host=$1 server=false
  [[ " $(names "${servers[@]}")" == *" $host "* ]] && server=true
  on "$host" 'cat > /usr/local/bin/consul && chmod 0755 /usr/local/bin/consul' <"$CONSUL_BINARY_SRC"
  on "$host" "set -e
    useradd --system --shell /usr/sbin/nologin --no-create-home consul
    install -d -o root -g consul -m 0750 /etc/consul.d
    install -d -o consul -g consul -m 0750 /opt/consul
    cat > /etc/consul.d/consul.json <<'EOF'
$(config "$host" "$server")
EOF
    (umask 027; printf '{\"encrypt\": \"%s\"}\n' \"\$(cat)\" > /etc/consul.d/encrypt.json)
    chgrp consul /etc/consul.d/*.json && chmod 0640 /etc/consul.d/*.json
    cat > /etc/systemd/system/consul.service <<'EOF'
$unit
EOF
    systemctl daemon-reload && systemctl enable --quiet consul" <<<"$gossip_key"
}
start() { on "$1" systemctl start consul; }
join_servers() { on "$1" "until consul join ${server_ips[*]} >/dev/null 2>&1; do sleep 0.1; done"; }
start_and_join() { start "$1" && wait_on "$1" leader >/dev/null; join_servers "$1"; }

bootstrap() {
  local mode=$1 others
  others=$(names "${servers[@]:1}")
  gossip_key=$(head -c 32 /dev/urandom | base64)
  parallel "$(names "${servers[@]}" "${clients[@]}")" install
  phase installed
  # Node A alone with the flag, until it leads
  on "$node_a" 'echo "{\"bootstrap\": true}" > /etc/consul.d/bootstrap.json && chgrp consul /etc/consul.d/bootstrap.json'
  start "$node_a"
  wait_on "$node_a" leader
  phase 'Node A leads'
  # the others without it; their API answers once they run; Node A joins them
  parallel "$others" start
  parallel "$others" wait_on_leaderless
  on "$node_a" "consul join ${server_ips[*]:1} >/dev/null"
  phase 'servers joined'
  converged
  phase 'all voters, caught up'
  # the flag off Node A
  if [[ $mode == leave ]]; then on "$node_a" 'consul leave >/dev/null'; phase 'Node A left'; fi
  on "$node_a" 'rm /etc/consul.d/bootstrap.json && systemctl restart consul'
  wait_on_leaderless "$node_a"
  # after a leave Node A does not rejoin by itself
  [[ $mode != leave ]] || join_servers "$node_a"
  phase 'Node A restarted without the flag'
  converged
  phase 'all voters, caught up'
  # the clients, all at once, each joining the servers
  [[ ${#clients[@]} -eq 0 ]] || parallel "$(names "${clients[@]}")" start_and_join
  wait_on "$node_a" alive $((${#servers[@]} + ${#clients[@]}))
  phase 'clients alive'
}
# the API of a server without peers answers (no leader yet): agent/self is enough
wait_on_leaderless() { on "$1" 'until curl -sf http://127.0.0.1:8500/v1/agent/self >/dev/null; do sleep 0.1; done'; }

# What a careful operator checks before saying "nothing to do": files and agent on every host, then the datacenter.
rerun() {
  binary_sum=$(sha256sum <"$CONSUL_BINARY_SRC" | cut -d' ' -f1)
  parallel "$(names "${servers[@]}" "${clients[@]}")" drift
  converged
  wait_on "$node_a" alive $((${#servers[@]} + ${#clients[@]}))
}
drift() {
  on "$1" "echo '$binary_sum  /usr/local/bin/consul' | sha256sum --check --quiet && test -s /etc/consul.d/consul.json \
    && test -s /etc/consul.d/encrypt.json && test ! -e /etc/consul.d/bootstrap.json && systemctl is-active --quiet consul"
}

rolling_restart() {
  local leader host
  leader=$(on "$node_a" 'curl -sf http://127.0.0.1:8500/v1/status/leader')
  for host in $(names "${servers[@]}"); do
    [[ $leader == "\"${ip_of[$host]}:8300\"" ]] || restart_one "$host"
  done
  for host in $(names "${servers[@]}"); do
    [[ $leader != "\"${ip_of[$host]}:8300\"" ]] || restart_one "$host"
  done
}
restart_one() {
  wait_on "$node_a" tolerance 1
  on "$1" systemctl restart consul
  converged
}

case ${1:-} in
  bootstrap) bootstrap "${2:?leave or restart}" ;;
  rerun) rerun ;;
  rolling_restart) rolling_restart ;;
  *) echo "usage: $0 bootstrap leave|restart | rerun | rolling_restart" >&2; exit 2 ;;
esac
