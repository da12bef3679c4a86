"""consul_leave's node option, called through Ansible, against a real three-server datacenter (rd10, rd11, rd12 on
127.0.0.10-12, autopilot's own dead-server cleanup off): an agent that is alive is refused; rd12 killed is removed
from gossip and from the raft configuration; a second call changes nothing. The tests run in order.
"""

import pytest

from consul_agents import leader_of, poll, start_agents

# a datacenter of its own and Consul's own waits for a dead member: on the newest ansible-core only (scripts/test.sh)
pytestmark = pytest.mark.consul_waits

SPECS = [("rd10", "127.0.0.10", {"bootstrap": True}),
         ("rd11", "127.0.0.11", {}),
         ("rd12", "127.0.0.12", {})]


# a datacenter of its own; without autopilot's cleanup a dead server stays until someone removes it
CONFIG = {"datacenter": "rd", "retry_join": ["127.0.0.10"],
          "autopilot": {"cleanup_dead_servers": False, "server_stabilization_time": "1s"}}


@pytest.fixture(scope="module")
def datacenter(binary, tmp_path_factory, request):
    specs = [(name, ip, dict(kwargs, config=CONFIG)) for name, ip, kwargs in SPECS]
    agents = start_agents(binary, tmp_path_factory.mktemp("remove-dead"), specs, request.addfinalizer)
    leader = agents["rd10"]
    poll(lambda: leader_of(leader), 30, "leadership of rd10")
    poll(lambda: sum(s["Voter"] for s in leader.get("operator/raft/configuration").json()["Servers"]) == 3, 60,
         "three voters")
    return agents


def status(agent, node):
    return next((m["Status"] for m in agent.get("agent/members").json() if m["Name"] == node), None)


def raft_nodes(agent):
    return sorted(s["Node"] for s in agent.get("operator/raft/configuration").json()["Servers"])


def test_an_alive_server_is_refused(datacenter, ansible):
    run = ansible("consul_leave", {"host": "127.0.0.10", "node": "rd12"})
    assert run.get("failed") is True and "node rd12 is alive" in run["msg"]
    assert raft_nodes(datacenter["rd10"]) == ["rd10", "rd11", "rd12"]


def test_a_dead_server_is_force_left_and_out_of_raft(datacenter, ansible):
    datacenter["rd12"].stop()
    # serf's failure detection: the member goes from alive to failed (status 4)
    poll(lambda: status(datacenter["rd10"], "rd12") == 4, 60, "rd12 seen failed")
    run = ansible("consul_leave", {"host": "127.0.0.10", "node": "rd12"}, check=True)
    assert run.get("failed") is not True, run.get("msg")
    assert run["changed"] is True and raft_nodes(datacenter["rd10"]) == ["rd10", "rd11", "rd12"]
    run = ansible("consul_leave", {"host": "127.0.0.10", "node": "rd12"})
    assert run.get("failed") is not True, run.get("msg")
    assert run["changed"] is True and run["removed_peer"]
    assert raft_nodes(datacenter["rd10"]) == ["rd10", "rd11"]
    # left (3), for every agent
    assert status(datacenter["rd10"], "rd12") == 3 and status(datacenter["rd11"], "rd12") == 3
    assert leader_of(datacenter["rd11"])


def test_a_second_call_changes_nothing(datacenter, ansible):
    run = ansible("consul_leave", {"host": "127.0.0.10", "node": "rd12"})
    assert run.get("failed") is not True, run.get("msg")
    assert run["changed"] is False and run["removed_peer"] == ""
