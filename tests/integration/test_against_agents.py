"""The three modules against real Consul 1.8.7 agents, called through Ansible.

The tests share one cluster and run in file order, the order of a manual
bootstrap: join, wait for voters, catch up, then leave. Each test states the
cluster it expects, so a failure early on shows up as a clear failure later.
"""

import hashlib
import re
import threading

import pytest

from consul_agents import poll

SERVERS = ["127.0.0.2", "127.0.0.3"]


def member_status(agent):
    return {m["Name"]: {1: "alive", 3: "left", 4: "failed"}.get(m["Status"], m["Status"])
            for m in agent.get("agent/members").json()}


def test_join_check_mode_joins_nothing(cluster, ansible):
    run = ansible("consul_join", {"host": "127.0.0.1", "addresses": SERVERS}, check=True)
    assert run["changed"] is True
    assert run["joined"] == SERVERS
    assert member_status(cluster["n1"]) == {"n1": "alive"}


def test_client_before_join_sees_no_leader(ansible):
    run = ansible("consul_peers_info", {"host": "127.0.0.4"})
    assert run.get("failed") is not True, run.get("msg")
    assert run["leader"] == "" and run["peers"] == [] and run["servers"] == [] and run["autopilot"] is None
    assert run["server"] is False and run["bootstrap"] is False and run["node"] == "c4"


def test_join_servers(cluster, ansible):
    run = ansible("consul_join", {"host": "127.0.0.1", "addresses": SERVERS})
    assert run["changed"] is True, run.get("msg")
    assert run["joined"] == SERVERS
    assert run["already_members"] == [] and run["failed_addresses"] == {}
    assert member_status(cluster["n1"]) == {"n1": "alive", "n2": "alive", "n3": "alive"}


@pytest.mark.consul_waits
def test_min_voters_waits_for_autopilot_promotion(cluster, ansible):
    # joined servers are non-voters until autopilot promotes them, 10 s or more after the join
    assert sum(s["Voter"] for s in cluster["n2"].get("operator/raft/configuration").json()["Servers"]) < 3
    run = ansible("consul_peers_info", {"host": "127.0.0.2", "min_voters": 3, "min_failure_tolerance": 1,
                                        "wait_timeout": 90})
    assert run.get("failed") is not True, run.get("msg")
    assert run["voters"] == 3
    assert run["duration"] > 2
    assert run["leader"] == "127.0.0.1:8300"
    assert {s["node"]: (s["voter"], s["leader"]) for s in run["servers"]} == {
        "n1": (True, True), "n2": (True, False), "n3": (True, False)}
    assert run["raft"]["state"] == "Follower"
    # Stats.raft as numbers; its num_peers follows a configuration change a moment later than the configuration
    # itself (the module's voters and servers): 0 until this follower has applied one, at most the 2 other servers
    assert isinstance(run["raft"]["last_log_index"], int) and run["raft"]["num_peers"] in (0, 1, 2)
    assert run["node"] == "n2" and run["server"] is True and run["bootstrap"] is False
    # counted on the raft configuration: autopilot's own FailureTolerance may still be 0 until its next refresh
    assert run["failure_tolerance"] == 1 and run["autopilot"]["FailureTolerance"] in (0, 1)
    assert sorted(run["peers"]) == ["127.0.0.1:8300", "127.0.0.2:8300", "127.0.0.3:8300"]


def test_bootstrap_flag_is_reported(ansible):
    run = ansible("consul_peers_info", {"host": "127.0.0.1"})
    assert run["bootstrap"] is True and run["raft"]["state"] == "Leader"


def test_join_again_changes_nothing(ansible):
    addresses = SERVERS + ["n1", "127.0.0.3:8301"]
    run = ansible("consul_join", {"host": "127.0.0.1", "addresses": addresses})
    assert run["changed"] is False, run.get("msg")
    assert run["already_members"] == addresses and run["joined"] == []


def test_join_client(cluster, ansible):
    run = ansible("consul_join", {"host": "127.0.0.4", "addresses": ["127.0.0.1"]})
    assert run["changed"] is True and run["joined"] == ["127.0.0.1"]
    info = ansible("consul_peers_info", {"host": "127.0.0.4", "wait_for_leader": True})
    assert info["server"] is False and info["raft"] == {} and info["leader"] == "127.0.0.1:8300"
    assert {"name": "c4", "address": "127.0.0.4", "status": "alive", "role": "client"} in info["members"]


def test_min_last_log_index_waits_for_catch_up(cluster, ansible):
    leader, follower = cluster["n1"], cluster["n3"]
    target = int(leader.get("agent/self").json()["Stats"]["raft"]["last_log_index"]) + 20
    stop = threading.Event()

    def write():
        # a steady stream of writes: the follower can reach the target only as they replicate
        for i in range(2000):
            if stop.wait(0.05):
                return
            leader.put("kv/catch-up/%d" % i, data=b"x")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        run = ansible("consul_peers_info", {"host": "127.0.0.3", "min_last_log_index": target, "wait_timeout": 60})
    finally:
        stop.set()
        writer.join()
    assert run.get("failed") is not True, run.get("msg")
    assert run["raft"]["last_log_index"] >= target
    assert run["node"] == follower.name


def test_caught_up_reaches_the_leaders_index_in_autopilot(cluster, ansible):
    run = ansible("consul_peers_info", {"host": "127.0.0.3", "min_voters": 3, "caught_up": True, "wait_timeout": 30})
    assert run.get("failed") is not True, run.get("msg")
    leader = [s for s in run["autopilot"]["Servers"] if s["Leader"]]
    assert [s["Name"] for s in leader] == ["n1"]
    assert run["raft"]["last_log_index"] >= leader[0]["LastIndex"] > 0


def test_caught_up_is_never_met_by_a_client(ansible):
    run = ansible("consul_peers_info", {"host": "127.0.0.4", "caught_up": True, "wait_timeout": 1})
    assert run["failed"] is True
    assert re.match(r"^last_log_index None of the leader's \d+ after [12]s$", run["msg"]), run["msg"]


def test_wait_timeout_reports_what_it_saw(ansible):
    run = ansible("consul_peers_info", {"host": "127.0.0.2", "min_voters": 5, "wait_timeout": 1})
    assert run["failed"] is True
    assert re.match(r"^3 of 5 voters after [12]s: n\d, n\d, n\d$", run["msg"]), run["msg"]
    assert run["duration"] >= 1 and run["voters"] == 3


def test_join_unreachable_address_fails_naming_it(ansible):
    # retried for wait_timeout, then the failure names the address and its last error
    run = ansible("consul_join", {"host": "127.0.0.1", "addresses": ["127.0.0.2", "127.0.0.9"], "wait_timeout": 1})
    assert run["failed"] is True and run["changed"] is False
    assert list(run["failed_addresses"]) == ["127.0.0.9"]
    assert re.match(r"^agent 127\.0\.0\.1:8500 could not join 127\.0\.0\.9 in [12]s: 127\.0\.0\.9: ", run["msg"]), run["msg"]
    assert "500" in run["msg"]
    assert "127.0.0.9:8301: connect: connection refused" in run["msg"]


def test_unreachable_agent_fails_naming_it(ansible):
    run = ansible("consul_peers_info", {"host": "127.0.0.9"})
    assert run["failed"] is True
    assert "127.0.0.9:8500" in run["msg"] and "Connection refused" in run["msg"]
    assert "duration" in run.result


def test_wrong_token_fails_with_403_and_hides_it(acl_agent, acl_token, ansible):
    wrong = "wrong-" + acl_token[::-1]
    # tokens reach the module through the environment, never the command line
    run = ansible("consul_peers_info", {"host": "127.0.0.5"}, env={"CONSUL_HTTP_TOKEN": wrong})
    assert run["failed"] is True
    assert "403 ACL not found" in run["msg"] and "127.0.0.5:8500" in run["msg"]
    assert wrong not in run.output
    joined = ansible("consul_join", {"host": "127.0.0.5", "addresses": ["127.0.0.1"]}, env={"CONSUL_HTTP_TOKEN": wrong})
    assert joined["failed"] is True and "403 ACL not found" in joined["msg"]
    assert wrong not in joined.output


def test_right_token_is_sent_as_header(acl_agent, acl_token, ansible):
    run = ansible("consul_peers_info", {"host": "127.0.0.5"}, env={"CONSUL_HTTP_TOKEN": acl_token})
    assert run.get("failed") is not True, run.get("msg")
    assert run["node"] == "acl5" and run["leader"] == "127.0.0.5:8300"
    assert acl_token not in run.output


def test_https_with_ca_from_the_environment(tls_agent, ansible):
    # the consul CLI's variables: scheme, host and port from CONSUL_HTTP_ADDR, the CA from CONSUL_CACERT
    env = {"CONSUL_HTTP_ADDR": tls_agent.url, "CONSUL_CACERT": tls_agent.verify}
    run = ansible("consul_peers_info", {}, env=env)
    assert run.get("failed") is not True, run.get("msg")
    assert run["node"] == "tls6" and run["leader"] == "127.0.0.6:8300"
    unverified = ansible("consul_peers_info", {"host": "127.0.0.6", "port": 8501, "scheme": "https"})
    assert unverified["failed"] is True and "CERTIFICATE_VERIFY_FAILED" in unverified["msg"]


def test_pinned_validate_certs_wins_over_the_environment(tls_agent, ansible):
    """The role sets validate_certs: true; a host's CONSUL_HTTP_SSL_VERIFY=false must not turn the check off."""
    args = {"host": "127.0.0.6", "port": 8501, "scheme": "https"}
    env = {"CONSUL_HTTP_SSL_VERIFY": "false"}
    # the variable alone turns it off (the consul CLI's meaning)...
    assert ansible("consul_peers_info", args, env=env).get("failed") is not True
    # ...but not under an explicit validate_certs
    pinned = ansible("consul_peers_info", dict(args, validate_certs=True), env=env)
    assert pinned["failed"] is True and "CERTIFICATE_VERIFY_FAILED" in pinned["msg"]


def test_leave_check_mode_leaves_nothing(cluster, ansible):
    run = ansible("consul_leave", {"host": "127.0.0.4"}, check=True)
    assert run["changed"] is True and run["node"] == "c4"
    assert cluster["c4"].answers()


def test_transfer_leader_changes_nothing_on_a_follower_nor_on_a_1_8_leader(cluster, ansible):
    leader = ansible("consul_peers_info", {"host": "127.0.0.1", "wait_for_leader": True})["leader"]
    for host in ("127.0.0.1", "127.0.0.2", "127.0.0.3"):
        run = ansible("consul_transfer_leader", {"host": host})
        assert run["changed"] is False and run["leader"] == leader, run.get("msg")
        # Consul 1.15 added the endpoint; 1.8.7's leader leads on and the module says so
        assert ("has no operator/raft/transfer-leader endpoint" in run.output) is leader.startswith(host + ":")
    assert ansible("consul_peers_info", {"host": "127.0.0.2"})["leader"] == leader


def test_leave_client(cluster, ansible):
    run = ansible("consul_leave", {"host": "127.0.0.4"})
    assert run["changed"] is True and run["node"] == "c4"
    assert cluster["c4"].proc.wait(timeout=10) == 0
    poll(lambda: member_status(cluster["n1"])["c4"] == "left", 10, "c4 seen as left")


@pytest.mark.consul_waits
def test_leave_server_keeps_quorum(cluster, ansible):
    run = ansible("consul_leave", {"host": "127.0.0.3"})
    assert run["changed"] is True and run["node"] == "n3", run.get("msg")
    # the agent exits cleanly once it has left
    assert cluster["n3"].proc.wait(timeout=10) == 0
    assert member_status(cluster["n1"])["n3"] == "left"
    info = ansible("consul_peers_info", {"host": "127.0.0.2", "wait_for_leader": True, "wait_timeout": 30})
    assert info["leader"] in ("127.0.0.1:8300", "127.0.0.2:8300")
    assert [s["node"] for s in info["servers"]] == ["n1", "n2"] and info["voters"] == 2


# n3 left in test_leave_server_keeps_quorum
@pytest.mark.parametrize("host", [pytest.param("127.0.0.3", marks=pytest.mark.consul_waits), "127.0.0.4"])
def test_leave_again_changes_nothing(host, ansible):
    run = ansible("consul_leave", {"host": host})
    assert run["changed"] is False and run["node"] == "", run.get("msg")


def test_host_info_reads_files_and_agent_without_their_secrets(cluster, ansible):
    agent = cluster["n2"]
    config = agent.dir / "config.json"
    secret = agent.dir / "secret.hcl"
    secret.write_text('encrypt = "c2VjcmV0LWdvc3NpcC1rZXktMzItYnl0ZXMtbG9uZyE="\nbootstrap_expect = 3\n')
    try:
        run = ansible("consul_host_info", {"host": agent.ip, "config_dir": str(agent.dir), "data_dir": str(agent.dir / "data"),
                                           "paths": [str(config), str(agent.dir / "missing.json")],
                                           "skip_summary": ["config.json"]}, check=True)
    finally:
        secret.unlink()
    assert run.get("failed") is not True, run.get("msg")
    assert run["changed"] is False
    assert run["config_files"] == [str(config), str(secret)]
    assert run["config"] == [{"path": str(secret), "keys": ["bootstrap_expect", "encrypt"],
                              "values": {"bootstrap_expect": 3}, "error": ""}]
    assert "c2VjcmV0" not in run.output
    assert str(agent.dir / "data" / "raft" / "raft.db") in run["data_files"]
    assert run["paths"][str(agent.dir / "missing.json")] is None
    assert run["paths"][str(config)]["checksum"] == hashlib.sha1(config.read_bytes()).hexdigest()
    assert run["paths"][str(config)]["mode"] == "0600"
    # the agent's view, as consul_peers_info gives it
    assert run["agent"]["node"] == "n2" and run["agent"]["server"] is True and run["agent"]["leader"]
    assert set(run["unit"]) == {"path", "user", "active", "enabled", "dropins", "error"}


def test_host_info_looks_at_what_the_role_writes_from_its_record(tmp_path, ansible):
    """role_record: the role names each setting once (in the record) and the probe derives the paths it looks at."""
    conf, data, tls = tmp_path / "consul.d", tmp_path / "data", tmp_path / "consul.d" / "tls"
    conf.mkdir()
    (conf / "consul.json").write_text('{"verify_incoming": true, "acl": {"enabled": true}}')
    (conf / "encrypt.json").write_text('{"encrypt": "c2VjcmV0LWdvc3NpcC1rZXktMzItYnl0ZXMtbG9uZyE="}')
    (conf / "other.hcl").write_text("bootstrap_expect = 3\n")
    record = dict(node="n9", config_dir=str(conf), data_dir=str(data), unit_file=str(tmp_path / "consul.service"),
                  config_file=str(conf / "consul.json"), encrypt_file=str(conf / "encrypt.json"),
                  flag_file=str(conf / "bootstrap.json"), tls_dir=str(tls), install_method="copy",
                  binary_path=str(tmp_path / "consul"))
    run = ansible("consul_host_info", {"config_dir": str(conf), "data_dir": str(data), "agent": False,
                                       "role_record": True, "record": record})
    assert run.get("failed") is not True, run.get("msg")
    assert sorted(run["paths"]) == sorted([str(conf), str(data), record["unit_file"], record["config_file"],
                                           record["encrypt_file"], record["binary_path"], str(tls),
                                           str(tls / "consul-agent-ca.pem"), str(tls / "agent.pem"),
                                           str(tls / "agent-key.pem")])
    assert run["paths"][record["config_file"]]["checksum"] == hashlib.sha1((conf / "consul.json").read_bytes()).hexdigest()
    # the files the role writes are listed, not read; the others are read
    assert [found["path"] for found in run["config"]] == [str(conf / "other.hcl")]
    assert run["security"]["acl"] is True and "c2VjcmV0" not in run.output
    assert run["record"]["node"] == "n9"
    # a package install's binary is not the role's to look at
    package = ansible("consul_host_info", {"config_dir": str(conf), "data_dir": str(data), "agent": False,
                                           "role_record": True, "record": dict(record, install_method="package")})
    assert record["binary_path"] not in package["paths"] and record["config_file"] in package["paths"]
    # a record that lacks a setting, or none at all, is refused with what is missing
    lacking = ansible("consul_host_info", {"config_dir": str(conf), "data_dir": str(data), "agent": False,
                                           "role_record": True, "record": dict(record, tls_dir="")})
    assert lacking.get("failed") is True and "tls_dir" in lacking["msg"]
    alone = ansible("consul_host_info", {"config_dir": str(conf), "data_dir": str(data), "role_record": True})
    assert alone.get("failed") is True and "record" in alone["msg"]


def test_host_info_gathers_the_network_facts_setup_would(tmp_path, ansible):
    run = ansible("consul_host_info", {"config_dir": str(tmp_path), "data_dir": str(tmp_path), "agent": False,
                                       "network": True})
    setup = ansible("ansible.builtin.setup", {"gather_subset": ["!all", "!min", "network"]})
    assert run["agent"] == {}
    facts = setup["ansible_facts"]
    for fact in ("all_ipv4_addresses", "all_ipv6_addresses"):
        assert sorted(run["network"][fact]) == sorted(facts["ansible_" + fact]), fact
    for fact in ("default_ipv4", "default_ipv6"):
        expected = dict((key, value) for key, value in facts["ansible_" + fact].items() if key in ("address", "interface", "gateway"))
        assert run["network"][fact] == expected, fact
    # this machine has an address to compare: the test would pass on an empty answer otherwise
    assert run["network"]["default_ipv4"]["address"] in run["network"]["all_ipv4_addresses"]
    assert "network" not in ansible("consul_host_info", {"config_dir": str(tmp_path), "data_dir": str(tmp_path),
                                                         "agent": False}).result


def test_host_info_gathers_the_platform_facts_setup_would(tmp_path, ansible):
    run = ansible("consul_host_info", {"config_dir": str(tmp_path), "data_dir": str(tmp_path), "agent": False,
                                       "platform": True})
    setup = ansible("ansible.builtin.setup", {"gather_subset": ["!all", "!min", "platform", "distribution", "pkg_mgr"]})
    facts = dict((key[len("ansible_"):], value) for key, value in setup["ansible_facts"].items() if key.startswith("ansible_"))
    # the install methods read these three; the rest of the subsets comes along, named as setup names them
    assert run["platform"]["pkg_mgr"] and run["platform"]["architecture"] and run["platform"]["distribution"]
    assert run["platform"] == facts
    assert ansible("consul_host_info", {"config_dir": str(tmp_path), "data_dir": str(tmp_path),
                                        "agent": False})["platform"] == {}


def test_host_info_names_an_agent_that_does_not_answer(tmp_path, ansible):
    run = ansible("consul_host_info", {"host": "127.0.0.9", "config_dir": str(tmp_path / "none"),
                                       "data_dir": str(tmp_path / "none")})
    assert run.get("failed") is not True, run.get("msg")
    assert run["config_files"] == [] and run["config"] == [] and run["data_files"] == {}
    assert "node" not in run["agent"] and run["agent"]["status"] is None and "127.0.0.9" in run["agent"]["msg"]
