"""consul_acl_bootstrap and consul_agent_tokens, called through Ansible, against a real Consul 1.8.7 whose ACL
system starts unbootstrapped (acl7 on 127.0.0.7). The tests run in order: bootstrap, already bootstrapped,
a bad token, agent tokens, then HashiCorp's reset procedure.
"""

import re

import pytest

HOST = {"host": "127.0.0.7"}
state = {}


def test_bootstrap_check_mode_bootstraps_nothing(fresh_acl_agent, ansible):
    run = ansible("consul_acl_bootstrap", HOST, check=True)
    assert run["changed"] is True and run["secret_id"] == ""
    # that it bootstrapped nothing shows in the next test, which must still be able to


def test_bootstrap_returns_the_management_token_once(fresh_acl_agent, ansible):
    run = ansible("consul_acl_bootstrap", HOST)
    if not run["changed"]:
        pytest.fail("the ACL system was bootstrapped before this test (by check mode?): %s" % run.result)
    assert re.match(r"^[0-9a-f-]{36}$", run["secret_id"]) and re.match(r"^[0-9a-f-]{36}$", run["accessor_id"])
    assert run["reset_index"] is None and run["bootstrapped_now"] is True
    state["token"] = run["secret_id"]
    token = fresh_acl_agent.get("acl/token/self", token=state["token"]).json()
    assert [p["Name"] for p in token["Policies"]] == ["global-management"]


def test_already_bootstrapped_is_no_change_with_the_reset_index(ansible):
    run = ansible("consul_acl_bootstrap", HOST)
    assert "failed" not in run.result, run.result
    assert run["changed"] is False and run["secret_id"] == ""
    assert isinstance(run["reset_index"], int) and run["reset_index"] > 0
    assert run["token_valid"] is None
    state["reset_index"] = run["reset_index"]


def test_held_management_token_is_valid(ansible):
    run = ansible("consul_acl_bootstrap", dict(HOST, token=state["token"]))
    assert (run["changed"], run["token_valid"], run["reset_index"]) == (False, True, None)
    assert state["token"] not in run.output


def test_bad_token_is_invalid_not_an_error(ansible):
    wrong = "0" * 8 + state["token"][8:]
    run = ansible("consul_acl_bootstrap", dict(HOST, token=wrong))
    assert "failed" not in run.result, run.result
    assert (run["changed"], run["token_valid"]) == (False, False)
    assert run["reset_index"] == state["reset_index"]
    assert wrong not in run.output


def test_agent_tokens_are_created_once(fresh_acl_agent, ansible):
    tokens = [{"node": "acl7", "accessor_id": "5d4c5b0a-6b1e-4c8e-9a53-1d6f6e6d2a11",
               "secret_id": "7e0f0e0c-2b1a-4d8e-8f5b-8c2d9a1e4f21"},
              {"node": "later", "accessor_id": "9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
               "secret_id": "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"}]
    args = dict(HOST, token=state["token"], datacenter="aclnew", tokens=tokens)
    check = ansible("consul_agent_tokens", args, check=True)
    assert (check["changed"], check["created"]) == (True, ["acl7", "later"])
    first = ansible("consul_agent_tokens", args)
    assert (first["changed"], first["created"]) == (True, ["acl7", "later"])
    again = ansible("consul_agent_tokens", args)
    assert (again["changed"], again["unchanged"]) == (False, ["acl7", "later"])
    for entry in tokens:
        assert entry["secret_id"] not in first.output + again.output
    # the token works as the node's agent token: node:write on itself
    own = fresh_acl_agent.get("acl/token/self", token=tokens[0]["secret_id"]).json()
    assert own["NodeIdentities"] == [{"NodeName": "acl7", "Datacenter": "aclnew"}]
    # a changed secret replaces the token
    tokens[1]["secret_id"] = "2f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"
    changed = ansible("consul_agent_tokens", args)
    assert (changed["changed"], changed["updated"], changed["unchanged"]) == (True, ["later"], ["acl7"])


def test_reset_procedure_bootstraps_again_in_one_call_and_revokes_the_lost_token(fresh_acl_agent, ansible):
    reset_file = fresh_acl_agent.dir / "data" / "acl-bootstrap-reset"
    # a held token that is not valid (the lost one is unknown to the caller) and the reset file: one call resets
    run = ansible("consul_acl_bootstrap", dict(HOST, token="0" * 8 + state["token"][8:], reset_file=str(reset_file)))
    assert "failed" not in run.result, run.result
    assert (run["changed"], run["reset"], run["reset_index"]) == (True, True, state["reset_index"])
    assert run["secret_id"] and run["secret_id"] != state["token"] and not reset_file.exists()
    # bootstrapping is closed again; the lost token still works until it is revoked
    assert ansible("consul_acl_bootstrap", HOST)["changed"] is False
    assert fresh_acl_agent.get("acl/token/self", token=state["token"]).status_code == 200
    revoke = ansible("consul_acl_bootstrap", dict(HOST, token=run["secret_id"], revoke_replaced=True))
    assert (revoke["changed"], revoke["token_valid"]) == (True, True) and len(revoke["revoked"]) == 1
    assert fresh_acl_agent.get("acl/token/self", token=state["token"]).status_code == 403
    assert fresh_acl_agent.get("acl/token/self", token=run["secret_id"]).status_code == 200
    # the agents' tokens are not what a bootstrap made: kept
    assert fresh_acl_agent.get("acl/token/self", token="7e0f0e0c-2b1a-4d8e-8f5b-8c2d9a1e4f21").status_code == 200
    again = ansible("consul_acl_bootstrap", dict(HOST, token=run["secret_id"], revoke_replaced=True))
    assert (again["changed"], again["revoked"]) == (False, [])


def test_a_datacenter_born_with_its_management_token_needs_no_bootstrap(acl_agent, acl_token, ansible):
    """acl5 started with acl.tokens.master: nobody, not even this module, can make the first token any more."""
    run = ansible("consul_acl_bootstrap", {"host": "127.0.0.5", "token": acl_token, "bootstrap": False})
    assert "failed" not in run.result, run.result
    assert (run["changed"], run["token_valid"], run["bootstrapped_now"]) == (False, True, False)
    anyone = ansible("consul_acl_bootstrap", {"host": "127.0.0.5"})
    assert (anyone["changed"], anyone["secret_id"]) == (False, "") and isinstance(anyone["reset_index"], int)
    assert acl_token not in run.output
