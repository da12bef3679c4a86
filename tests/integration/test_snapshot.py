"""consul_snapshot, called through Ansible, against two real one-server datacenters (snap8 on 127.0.0.8, snap9 on
127.0.0.9): save, inspect, restore into the same datacenter and into the other one, and a corrupt file refused with
nothing changed. The tests run in order and share the file.
"""

import base64
import hashlib
import os

import pytest

from consul_agents import leader_of, poll, start_agents

KEY = "kv/quorum/snapshot-test"
state = {}


@pytest.fixture(scope="module")
def datacenters(binary, tmp_path_factory, request):
    specs = [("snap8", "127.0.0.8", {"bootstrap": True, "config": {"datacenter": "snap8"}}),
             ("snap9", "127.0.0.9", {"bootstrap": True, "config": {"datacenter": "snap9"}})]
    agents = start_agents(binary, tmp_path_factory.mktemp("snapshots"), specs, request.addfinalizer)
    for agent in agents.values():
        poll(lambda agent=agent: leader_of(agent), 30, "leadership of " + agent.name)
    state["path"] = str(tmp_path_factory.mktemp("snapfiles") / "dc.snap")
    return agents


def value(agent):
    reply = agent.get(KEY)
    return base64.b64decode(reply.json()[0]["Value"]).decode() if reply.status_code == 200 else None


def test_save_in_check_mode_writes_nothing(datacenters, ansible):
    run = ansible("consul_snapshot", {"host": "127.0.0.8", "path": state["path"]}, check=True)
    assert run.get("failed") is not True, run.get("msg")
    assert run["changed"] is True and not os.path.exists(state["path"])


def test_save_writes_a_checked_private_file(datacenters, ansible):
    assert datacenters["snap8"].put(KEY, data="before").json() is True
    run = ansible("consul_snapshot", {"host": "127.0.0.8", "path": state["path"]})
    assert run.get("failed") is not True, run.get("msg")
    assert run["changed"] is True and run["index"] > 0 and run["term"] >= 1
    with open(state["path"], "rb") as handle:
        assert run["sha256"] == hashlib.sha256(handle.read()).hexdigest()
    assert run["size"] == os.path.getsize(state["path"]) and oct(os.stat(state["path"]).st_mode & 0o777) == "0o600"
    # no temporary file left next to it
    assert os.listdir(os.path.dirname(state["path"])) == ["dc.snap"]
    state["saved"] = run.result


def test_inspect_reads_the_same_metadata(ansible):
    run = ansible("consul_snapshot", {"path": state["path"], "state": "inspected"})
    assert run["changed"] is False
    assert {k: run[k] for k in ("index", "term", "id", "sha256")} == {k: state["saved"][k] for k in ("index", "term", "id", "sha256")}


def test_restore_brings_the_old_value_back(datacenters, ansible):
    agent = datacenters["snap8"]
    assert agent.put(KEY, data="after").json() is True and value(agent) == "after"
    run = ansible("consul_snapshot", {"host": "127.0.0.8", "path": state["path"], "state": "restored"})
    assert run.get("failed") is not True, run.get("msg")
    assert run["changed"] is True and value(agent) == "before"


def test_restore_into_a_second_datacenter(datacenters, ansible):
    other = datacenters["snap9"]
    assert value(other) is None
    run = ansible("consul_snapshot", {"host": "127.0.0.9", "path": state["path"], "state": "restored"})
    assert run.get("failed") is not True, run.get("msg")
    assert value(other) == "before"


def test_a_corrupt_file_is_refused_and_nothing_changes(datacenters, ansible, tmp_path):
    other = datacenters["snap9"]
    assert other.put(KEY, data="kept").json() is True
    data = bytearray(open(state["path"], "rb").read())
    for name, broken in (("truncated", data[:len(data) // 2]), ("not-gzip", b"not a snapshot at all\n")):
        path = tmp_path / name
        path.write_bytes(bytes(broken))
        run = ansible("consul_snapshot", {"host": "127.0.0.9", "path": str(path), "state": "restored"})
        assert run["failed"] is True and "is not a" in run["msg"], run.result
        assert value(other) == "kept"
