#!/usr/bin/env bash
# Local demo: 3 Consul servers and 1 client in systemd containers, bootstrapped
# by playbooks/bootstrap.yml, left running. Installs what it needs first.
# Tear down with scripts/demo-down.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
source scripts/env.sh
CONSUL_BINARY_SRC=$(scripts/get-consul.sh)
export CONSUL_BINARY_SRC

# create + converge of the `demo` scenario: the hosts, then the bootstrap
# playbook, whose last task prints the cluster summary. A second run re-checks
# the running cluster and changes nothing.
molecule converge -s demo
# The same outside checks as the tests: one leader, all voters, caught up,
# no bootstrap flag left, the client alive.
molecule verify -s demo

network=quorum-demo
printf '\nThe demo datacenter is running (podman network %s):\n' "$network"
for name in $(podman ps --filter "network=$network" --format '{{.Names}}' | sort); do
  ip=$(podman inspect --format "{{(index .NetworkSettings.Networks \"$network\").IPAddress}}" "$name")
  printf '  %-14s %s\n' "$name" "$ip"
  [[ -n ${first_ip:-} || $name != *server* ]] || first_ip=$ip
done
printf '\nAs the API at %s sees it now:\n' "$first_ip"
python3 - "http://$first_ip:8500" <<'PY'
import json, sys, urllib.request

api = sys.argv[1]
def get(path):
    with urllib.request.urlopen(api + path, timeout=10) as reply:
        return json.load(reply)
for s in get("/v1/operator/raft/configuration")["Servers"]:
    role = "leader" if s["Leader"] else "follower"
    print(f"  server {s['Node']:<14} {s['Address']:<18} {role:<8} voter={str(s['Voter']).lower()}")
status = {1: "alive", 2: "leaving", 3: "left", 4: "failed"}
for m in get("/v1/agent/members"):
    if m["Tags"].get("role") != "consul":
        print(f"  client {m['Name']:<14} {m['Addr']:<18} {status.get(m['Status'], m['Status'])}")
PY
cat <<MSG

UI:        http://$first_ip:8500/ui  (any host above, port 8500)
API:       curl http://$first_ip:8500/v1/status/leader
           curl http://$first_ip:8500/v1/operator/raft/configuration
CLI:       podman exec demo-server1 consul members
Logs:      podman exec demo-server1 journalctl -u consul
Re-run:    scripts/demo.sh   (the playbook again; changes nothing on a healthy cluster)
Tear down: scripts/demo-down.sh
MSG
