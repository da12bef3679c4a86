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
# Where molecule/demo/molecule.yml keeps the CA and the management token.
secrets=$REPO_ROOT/.cache/demo/secrets
[[ -n $secrets && -f $secrets/management.token ]] || { echo "demo.sh: no secrets directory with a management token" >&2; exit 1; }
printf '\nThe demo datacenter is running (podman network %s):\n' "$network"
for name in $(podman ps --filter "network=$network" --format '{{.Names}}' | sort); do
  ip=$(podman inspect --format "{{(index .NetworkSettings.Networks \"$network\").IPAddress}}" "$name")
  printf '  %-14s %s\n' "$name" "$ip"
  [[ -n ${first_ip:-} || $name != *server* ]] || first_ip=$ip
done
export CONSUL_HTTP_ADDR=https://$first_ip:8501 CONSUL_CACERT=$secrets/consul-agent-ca.pem
export CONSUL_HTTP_TOKEN_FILE=$secrets/management.token
printf '\nAs the API at %s sees it now (HTTPS, the CA, the management token):\n' "$CONSUL_HTTP_ADDR"
python3 - <<'PY'
import json, os, ssl, urllib.error, urllib.request

api = os.environ["CONSUL_HTTP_ADDR"]
context = ssl.create_default_context(cafile=os.environ["CONSUL_CACERT"])
with open(os.environ["CONSUL_HTTP_TOKEN_FILE"]) as handle:
    token = handle.read().strip()
def get(path, token=token):
    request = urllib.request.Request(api + path, headers={"X-Consul-Token": token} if token else {})
    with urllib.request.urlopen(request, timeout=10, context=context) as reply:
        return json.load(reply)
for s in get("/v1/operator/raft/configuration")["Servers"]:
    role = "leader" if s["Leader"] else "follower"
    print(f"  server {s['Node']:<14} {s['Address']:<18} {role:<8} voter={str(s['Voter']).lower()}")
status = {1: "alive", 2: "leaving", 3: "left", 4: "failed"}
for m in get("/v1/agent/members"):
    if m["Tags"].get("role") != "consul":
        print(f"  client {m['Name']:<14} {m['Addr']:<18} {status.get(m['Status'], m['Status'])}")
try:
    get("/v1/agent/self", token=None)
    print("  an anonymous request was answered: ACLs are not denying")
except urllib.error.HTTPError as exc:
    print(f"  an anonymous request gets {exc.code} {exc.reason}: ACLs deny what no token allows")
try:
    urllib.request.urlopen(api.replace("https://", "http://").replace(":8501", ":8500") + "/v1/status/leader", timeout=5)
    print("  plain HTTP on port 8500 answered")
except (urllib.error.URLError, OSError):
    print("  plain HTTP on port 8500 is closed")
PY
cat <<MSG

The datacenter is secure by default: TLS on RPC and an HTTPS-only API, ACLs that deny
by default, gossip encryption. To reach it from this machine:

  export CONSUL_HTTP_ADDR=$CONSUL_HTTP_ADDR
  export CONSUL_CACERT=$CONSUL_CACERT
  export CONSUL_HTTP_TOKEN_FILE=$CONSUL_HTTP_TOKEN_FILE   # the management token (0600)

UI:        $CONSUL_HTTP_ADDR/ui  (any host above, port 8501; trust the CA above, log in with the token)
API:       curl --cacert "\$CONSUL_CACERT" -H "X-Consul-Token: \$(cat "\$CONSUL_HTTP_TOKEN_FILE")" $CONSUL_HTTP_ADDR/v1/status/leader
CLI:       podman exec demo-server1 consul members   (inside a host: CONSUL_HTTP_ADDR=https://127.0.0.1:8501, the same CA and token)
Logs:      podman exec demo-server1 journalctl -u consul
Re-run:    scripts/demo.sh   (the playbook again; changes nothing on a healthy cluster)
Tear down: scripts/demo-down.sh
MSG
