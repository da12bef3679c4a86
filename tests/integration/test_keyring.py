"""consul_keyring called through Ansible against a real datacenter (kr13, kr14 servers and kr15 a client on
127.0.0.13-15, gossip encrypted with OLD): check mode changes nothing; the rotation leaves NEW the only key of
every agent, in both pools; a second call changes nothing; a member that is not alive is refused before any change.
The tests run in order. The keys reach the module through the environment, never its command line.
"""

import base64
import json

import pytest

from consul_agents import leader_of, poll, start_agents

OLD = base64.b64encode(b"k" * 32).decode()
NEW = base64.b64encode(b"n" * 32).decode()
OTHER = base64.b64encode(b"o" * 32).decode()
# joins retried every second; a stopped agent found failed in about a second instead of fifteen
CONFIG = {"datacenter": "kr", "encrypt": OLD, "retry_join": ["127.0.0.13"], "retry_interval": "1s",
          # a stopped server stays failed, not reaped by autopilot
          "autopilot": {"cleanup_dead_servers": False},
          "gossip_lan": {"probe_interval": "200ms", "probe_timeout": "100ms", "suspicion_mult": 2}}
SPECS = [("kr13", "127.0.0.13", {"bootstrap": True}),
         ("kr14", "127.0.0.14", {}),
         ("kr15", "127.0.0.15", {"server": False})]
ARGS = {"host": "127.0.0.13", "key": "{{ lookup('ansible.builtin.env', 'KEYRING_TEST_KEY') }}"}


@pytest.fixture(scope="module")
def datacenter(binary, tmp_path_factory, request):
    specs = [(name, ip, dict(kwargs, config=CONFIG)) for name, ip, kwargs in SPECS]
    agents = start_agents(binary, tmp_path_factory.mktemp("keyring"), specs, request.addfinalizer)
    poll(lambda: leader_of(agents["kr13"]), 30, "leadership of kr13")
    poll(lambda: len(agents["kr13"].get("agent/members").json()) == 3, 30, "three members")
    return agents


def keys(agent):
    """{pool: sorted keys} as the agent's keyring query reports them."""
    return dict(("wan" if ring["WAN"] else "lan", sorted(ring["Keys"])) for ring in agent.get("operator/keyring").json())


def rotate(ansible, key, check=False):
    return ansible("consul_keyring", ARGS, check=check, env={"KEYRING_TEST_KEY": key})


def test_check_mode_reports_the_steps_and_changes_nothing(datacenter, ansible):
    run = rotate(ansible, NEW, check=True)
    assert run.get("failed") is not True, run.get("msg")
    assert run["changed"] is True and run["steps"] == ["install", "use", "remove"] and run["removed"] == 1
    assert keys(datacenter["kr13"]) == {"lan": [OLD], "wan": [OLD]}


def test_rotation_leaves_the_new_key_alone_on_every_agent(datacenter, ansible):
    run = rotate(ansible, NEW)
    assert run.get("failed") is not True, run.get("msg")
    assert run["changed"] is True and run["steps"] == ["install", "use", "remove"]
    assert run["nodes"] == {"lan": 3, "wan": 2}
    for name in ("kr13", "kr14"):
        assert keys(datacenter[name]) == {"lan": [NEW], "wan": [NEW]}
    # never in what Ansible printed
    assert NEW not in run.output and OLD not in run.output
    # the agents still gossip: every member alive
    assert all(m["Status"] == 1 for m in datacenter["kr15"].get("agent/members").json())


def test_a_second_call_changes_nothing(datacenter, ansible):
    run = rotate(ansible, NEW)
    assert run.get("failed") is not True, run.get("msg")
    assert run["changed"] is False and run["steps"] == []


@pytest.mark.consul_waits
def test_an_agent_that_is_not_alive_is_refused_before_any_change(datacenter, ansible):
    datacenter["kr14"].stop()
    poll(lambda: any(m["Name"] == "kr14" and m["Status"] == 4 for m in datacenter["kr13"].get("agent/members").json()),
         60, "kr14 seen failed")
    run = rotate(ansible, OTHER)
    assert run.get("failed") is True and "kr14 (failed)" in run["msg"] and "nothing was changed" in run["msg"]
    # the keyring query fails while an agent is down: the agents' own keyring files say that nothing changed
    for name in ("kr13", "kr15"):
        assert json.loads((datacenter[name].dir / "data" / "serf" / "local.keyring").read_text()) == [NEW]
    assert OTHER not in run.output
