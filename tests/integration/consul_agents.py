"""Real Consul agents as local processes, for the integration tests and the fixture recorder.

Each agent binds its own loopback address (127.0.0.1, 127.0.0.2, ...) on the
default ports, keeps its data in its own directory and runs in its own process
group, so that stop() takes down everything it started.
"""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
# production timing: elections in about a second instead of five
BASE_CONFIG = {"performance": {"raft_multiplier": 1}, "disable_update_check": True, "log_level": "INFO"}


def consul_binary():
    """Path of the Consul 1.8.7 binary from scripts/get-consul.sh; raises when there is none."""
    proc = subprocess.run([str(REPO / "scripts" / "get-consul.sh")], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError("scripts/get-consul.sh found no Consul binary:\n" + proc.stderr)
    return proc.stdout.strip().splitlines()[-1]


def poll(check, timeout, what, interval=0.1):
    """Return check()'s first truthy value; raise TimeoutError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError("%s not reached after %ss" % (what, timeout))
        time.sleep(interval)


class Agent:
    def __init__(self, binary, workdir, name, ip, server=True, bootstrap=False, config=None):
        self.binary = binary
        self.name = name
        self.ip = ip
        self.server = server
        self.bootstrap = bootstrap
        self.dir = Path(workdir) / name
        self.config = dict(BASE_CONFIG, **(config or {}))
        https = self.config.get("ports", {}).get("https")
        self.url = "https://%s:%s" % (ip, https) if https else "http://%s:8500" % ip
        self.verify = self.config.get("ca_file", True)
        self.proc = None
        self.log = None

    def start(self):
        (self.dir / "data").mkdir(parents=True, exist_ok=True)
        config_file = self.dir / "config.json"
        # secrets such as an ACL master token live in this file, never on the command line
        config_file.write_text(json.dumps(self.config))
        config_file.chmod(0o600)
        cmd = [self.binary, "agent", "-node", self.name, "-bind", self.ip, "-client", self.ip,
               "-advertise", self.ip, "-data-dir", str(self.dir / "data"), "-config-file", str(config_file)]
        cmd += ["-server"] if self.server else []
        cmd += ["-bootstrap"] if self.bootstrap else []
        self.log = open(self.dir / "agent.log", "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def answers(self):
        if self.proc.poll() is not None:
            raise RuntimeError("agent %s exited with %s:\n%s" % (self.name, self.proc.returncode, self.log_tail()))
        try:
            requests.get(self.url + "/v1/agent/self", timeout=1, verify=self.verify)
        except requests.ConnectionError:
            return False
        return True

    def wait_ready(self, timeout=30):
        poll(self.answers, timeout, "HTTP API of %s" % self.name)
        return self

    def get(self, path, token=None, **kwargs):
        headers = {"X-Consul-Token": token} if token else {}
        return requests.get(self.url + "/v1/" + path, headers=headers, timeout=15, verify=self.verify, **kwargs)

    def put(self, path, token=None, **kwargs):
        headers = {"X-Consul-Token": token} if token else {}
        return requests.put(self.url + "/v1/" + path, headers=headers, timeout=30, verify=self.verify, **kwargs)

    def log_tail(self, lines=20):
        path = self.dir / "agent.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def pause(self):
        os.killpg(self.proc.pid, signal.SIGSTOP)

    def resume(self):
        os.killpg(self.proc.pid, signal.SIGCONT)

    def stop(self):
        """Kill the agent's whole process group; safe to call twice or after it exited on a leave."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        self.log.close()


def start_agents(binary, workdir, specs, register):
    """Start agents from (name, ip, kwargs) specs; register(agent.stop) comes first so a failed start is cleaned up."""
    agents = {}
    for name, ip, kwargs in specs:
        agent = Agent(binary, workdir, name, ip, **kwargs)
        register(agent.stop)
        agents[name] = agent.start()
    for agent in agents.values():
        agent.wait_ready()
    return agents


def leader_of(agent, token=None):
    reply = agent.get("status/leader", token=token)
    return reply.json() if reply.ok else ""


# the test cluster: a bootstrap server, two servers without the flag, a client
CLUSTER = [
    ("n1", "127.0.0.1", {"bootstrap": True}),
    ("n2", "127.0.0.2", {}),
    ("n3", "127.0.0.3", {}),
    ("c4", "127.0.0.4", {"server": False}),
]


def acl_spec(master_token):
    """A separate one-server datacenter with ACLs on and everything denied to unknown tokens."""
    config = {"datacenter": "acl", "acl": {"enabled": True, "default_policy": "deny",
                                           "tokens": {"master": master_token}}}
    return [("acl5", "127.0.0.5", {"bootstrap": True, "config": config})]


def acl_fresh_spec():
    """A one-server datacenter with ACLs on (deny) whose ACL system nobody has bootstrapped yet."""
    config = {"datacenter": "aclnew", "acl": {"enabled": True, "default_policy": "deny"}}
    return [("acl7", "127.0.0.7", {"bootstrap": True, "config": config})]


def tls_spec(binary, certdir):
    """A one-server datacenter whose HTTP API is HTTPS only, with a CA made by `consul tls`."""
    for args in (["ca", "create"], ["cert", "create", "-server", "-additional-ipaddress", "127.0.0.6"]):
        subprocess.run([binary, "tls"] + args, cwd=certdir, check=True, capture_output=True)
    config = {"datacenter": "tls", "ports": {"http": -1, "https": 8501},
              "ca_file": str(certdir / "consul-agent-ca.pem"),
              "cert_file": str(certdir / "dc1-server-consul-0.pem"),
              "key_file": str(certdir / "dc1-server-consul-0-key.pem")}
    return [("tls6", "127.0.0.6", {"bootstrap": True, "config": config})]
