"""Session fixtures: real Consul 1.8.7 agents and a runner that calls the modules through Ansible itself.

There is no skip: without a Consul binary every test errors with the reason.
"""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

# the helpers sit next to this file; importable whatever pytest's import mode
sys.path.insert(0, str(Path(__file__).resolve().parent))

from consul_agents import (  # noqa: E402
    CLUSTER, REPO, acl_fresh_spec, acl_spec, consul_binary, leader_of, poll, start_agents, tls_spec)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "consul_waits: the time goes to Consul's own waits (autopilot, a leave, a dead member), not to "
        "Ansible; scripts/test.sh runs these on the newest ansible-core only, every module runs on each")


@pytest.fixture(scope="session")
def binary():
    try:
        return consul_binary()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def cluster(binary, tmp_path_factory, request):
    """n1 (bootstrap), n2, n3 servers and client c4, not joined: joining them is the first test's job."""
    agents = start_agents(binary, tmp_path_factory.mktemp("cluster"), CLUSTER, request.addfinalizer)
    poll(lambda: leader_of(agents["n1"]), 30, "leadership of the bootstrap server n1")
    return agents


@pytest.fixture(scope="session")
def acl_token():
    return str(uuid.uuid4())


@pytest.fixture(scope="session")
def acl_agent(binary, tmp_path_factory, request, acl_token):
    agents = start_agents(binary, tmp_path_factory.mktemp("acl"), acl_spec(acl_token), request.addfinalizer)
    agent = agents["acl5"]
    poll(lambda: leader_of(agent, token=acl_token), 30, "leadership of the ACL server")
    return agent


@pytest.fixture(scope="session")
def fresh_acl_agent(binary, tmp_path_factory, request):
    """A server with ACLs on that no one bootstrapped; status/leader needs no token."""
    agent = start_agents(binary, tmp_path_factory.mktemp("aclnew"), acl_fresh_spec(), request.addfinalizer)["acl7"]
    poll(lambda: leader_of(agent), 30, "leadership of the fresh ACL server")
    return agent


@pytest.fixture(scope="session")
def tls_agent(binary, tmp_path_factory, request):
    certdir = tmp_path_factory.mktemp("certs")
    agent = start_agents(binary, tmp_path_factory.mktemp("tls"), tls_spec(binary, certdir), request.addfinalizer)["tls6"]
    poll(lambda: leader_of(agent), 30, "leadership of the TLS server")
    return agent


@pytest.fixture(scope="session")
def collections_path(tmp_path_factory):
    """An ANSIBLE_COLLECTIONS_PATH holding this checkout as quorum.consul, as an installed copy would be."""
    root = tmp_path_factory.mktemp("collections")
    target = root / "ansible_collections" / "quorum"
    target.mkdir(parents=True)
    (target / "consul").symlink_to(REPO)
    return str(root)


class AnsibleRun:
    """Result of one ad-hoc module call: the module's result dict and everything Ansible printed."""

    def __init__(self, proc):
        self.output = proc.stdout + proc.stderr
        try:
            self.result = json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
        except (ValueError, KeyError, IndexError) as exc:
            raise AssertionError("no module result in Ansible's output (%s):\n%s" % (exc, self.output)) from exc

    def __getitem__(self, key):
        return self.result[key]

    def get(self, key, default=None):
        return self.result.get(key, default)


@pytest.fixture(scope="session")
def ansible(collections_path):
    """ansible("consul_join", {...}, check=False, env={}) runs quorum.consul.<module> ad hoc on localhost."""
    executable = Path(sys.executable).with_name("ansible")
    executable = str(executable) if executable.exists() else shutil.which("ansible")
    # the developer's own CONSUL_* settings must not leak into the modules under test
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("CONSUL_")}
    base_env.update(
        ANSIBLE_COLLECTIONS_PATH=collections_path,
        ANSIBLE_STDOUT_CALLBACK="json",
        ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_NOCOLOR="1",
    )

    def run(module, args, check=False, env=None):
        # a bare name is this collection's module; a dotted one (ansible.builtin.setup) is taken as it is
        cmd = [executable, "localhost", "-c", "local", "-m", module if "." in module else "quorum.consul." + module]
        # ansible reads an empty "{}" as raw parameters, so no arguments means no -a
        cmd += ["-a", json.dumps(args)] if args else []
        cmd += ["--check"] if check else []
        proc = subprocess.run(cmd, env=dict(base_env, **(env or {})), capture_output=True, text=True,
                              timeout=300, check=False)
        return AnsibleRun(proc)

    return run
