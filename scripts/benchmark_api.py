# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The cost of the modules' HTTP calls on each ansible-core that scripts/test.sh runs (.venv, .venv-2.16).

Starts two real Consul agents on loopback (plain HTTP, and HTTPS only with a CA made by `consul tls`), then, for
each virtualenv, in that virtualenv's Python: the time per request of the collection's client (_api.ConsulClient,
GET /v1/status/leader, the same client object for every request, as inside one module run), and the wall time of
one whole module call through Ansible (quorum.consul.consul_peers_info, ad hoc on localhost). Prints one table.

    python3 scripts/benchmark_api.py    (after scripts/setup.sh and source scripts/env.sh; about 30 seconds)
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))

from consul_agents import consul_binary, leader_of, poll, start_agents, tls_spec  # noqa: E402

VENVS = [".venv", ".venv-2.16"]
REQUESTS = 300
MODULE_CALLS = 7

# Runs inside each virtualenv: per-request seconds of the collection's client, for each scheme.
CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from ansible.release import __version__
from ansible_collections.quorum.consul.plugins.module_utils import _api
targets = json.loads(sys.argv[2])
out = dict(version=__version__, context=_api._OPEN_TAKES_CONTEXT)
for name, kwargs in targets.items():
    client = _api.ConsulClient(**kwargs)
    client.get('status/leader')
    started = time.perf_counter()
    for _ in range(int(sys.argv[3])):
        client.get('status/leader')
    out[name] = (time.perf_counter() - started) / int(sys.argv[3])
print(json.dumps(out))
"""


def module_call_seconds(venv, env, args):
    times = []
    for dummy in range(MODULE_CALLS):
        started = time.perf_counter()
        subprocess.run([str(REPO / venv / "bin" / "ansible"), "localhost", "-c", "local", "-m",
                        "quorum.consul.consul_peers_info", "-a", json.dumps(args)],
                       env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    binary = consul_binary()
    stops = []
    with tempfile.TemporaryDirectory(prefix="quorum-bench-api.") as workdir:
        try:
            certdir = Path(workdir) / "certs"
            certdir.mkdir()
            plain = start_agents(binary, workdir, [("p1", "127.0.0.11", {"bootstrap": True})], stops.append)["p1"]
            tls = start_agents(binary, workdir, tls_spec(binary, certdir), stops.append)["tls6"]
            for agent in (plain, tls):
                poll(lambda agent=agent: leader_of(agent), 30, "leadership of " + agent.name)
            ca = str(certdir / "consul-agent-ca.pem")
            targets = dict(http=dict(host="127.0.0.11"),
                           https=dict(host="127.0.0.6", port=8501, scheme="https", ca_path=ca))
            env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / ".cache" / "collections"),
                       ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
            rows = []
            for venv in VENVS:
                python = str(REPO / venv / "bin" / "python")
                child = subprocess.run([python, "-c", CHILD, env["ANSIBLE_COLLECTIONS_PATH"], json.dumps(targets),
                                        str(REQUESTS)], env=env, check=True, capture_output=True, text=True)
                found = json.loads(child.stdout)
                venv_env = dict(env, ANSIBLE_PYTHON_INTERPRETER=python)
                rows.append((found["version"], "one per run" if found["context"] else "one per request",
                             found["http"] * 1000, found["https"] * 1000,
                             module_call_seconds(venv, venv_env, targets["http"]),
                             module_call_seconds(venv, venv_env, targets["https"])))
        finally:
            for stop in stops:
                stop()
    print("ansible-core  TLS context       ms/request http  ms/request https  module call http (s)  module call https (s)")
    for row in rows:
        print("%-13s %-17s %15.2f %17.2f %21.2f %22.2f" % row)
    print("(%d requests per figure, one client; module call: median of %d ad hoc consul_peers_info runs)"
          % (REQUESTS, MODULE_CALLS))


if __name__ == "__main__":
    main()
