"""consul_agent_files on this machine, through Ansible: the role's one call that writes an agent's files.

It checks the configuration with the real consul binary (validate). The system user is not created here (that
changes the machine); the Molecule scenarios create it on every fresh host.
"""

import grp
import hashlib
import json
import os
import pwd
import stat

GOSSIP_KEY = "c2VjcmV0LWdvc3NpcC1rZXktMzItYnl0ZXMtbG9uZyE="


def layout(root, binary, config=None):
    me, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
    config = config if config is not None else {"datacenter": "dc1", "data_dir": str(root / "data"), "bind_addr": "127.0.0.1"}
    return {
        "directories": [{"path": str(root / "etc"), "owner": me, "group": group, "mode": "0750"},
                        {"path": str(root / "data"), "mode": "0700"}],
        "files": [{"path": str(root / "etc" / "consul.json"), "content": json.dumps(config) + "\n",
                   "owner": me, "group": group, "mode": "0640",
                   "validate": "%s validate -quiet -config-format=json %%s" % binary},
                  {"path": str(root / "consul.service"), "content": "[Unit]\n", "mode": "0644", "backup": True}],
        "sensitive_files": [{"path": str(root / "etc" / "encrypt.json"), "content": json.dumps({"encrypt": GOSSIP_KEY}),
                             "mode": "0600"}],
    }


def mode(path):
    return "%04o" % stat.S_IMODE(os.stat(path).st_mode)


def test_writes_directories_and_files_then_changes_nothing(tmp_path, binary, ansible):
    args = layout(tmp_path, binary)
    run = ansible("consul_agent_files", args)
    assert run.get("failed") is not True, run.get("msg")
    assert run["changed"] is True and run["user_created"] is False
    assert run["changed_directories"] == [str(tmp_path / "etc"), str(tmp_path / "data")]
    assert run["changed_files"] == [str(tmp_path / "etc" / "consul.json"), str(tmp_path / "consul.service"),
                                    str(tmp_path / "etc" / "encrypt.json")]
    assert json.loads((tmp_path / "etc" / "consul.json").read_text())["datacenter"] == "dc1"
    assert (mode(tmp_path / "etc"), mode(tmp_path / "data")) == ("0750", "0700")
    assert mode(tmp_path / "etc" / "consul.json") == "0640" and mode(tmp_path / "etc" / "encrypt.json") == "0600"
    assert run["backups"] == {}
    # no temporary file is left behind
    assert sorted(os.listdir(tmp_path / "etc")) == ["consul.json", "encrypt.json"]

    again = ansible("consul_agent_files", args)
    assert again["changed"] is False and again["changed_files"] == [] and again["changed_directories"] == []


def test_fixes_a_mode_and_keeps_a_replaced_file(tmp_path, binary, ansible):
    args = layout(tmp_path, binary)
    ansible("consul_agent_files", args)
    os.chmod(tmp_path / "etc" / "encrypt.json", 0o644)
    (tmp_path / "consul.service").write_text("[Unit]\nDescription=someone else's\n")

    run = ansible("consul_agent_files", args)
    assert run["changed_files"] == [str(tmp_path / "consul.service"), str(tmp_path / "etc" / "encrypt.json")]
    assert mode(tmp_path / "etc" / "encrypt.json") == "0600"
    backup = run["backups"][str(tmp_path / "consul.service")]
    assert open(backup).read() == "[Unit]\nDescription=someone else's\n"
    assert (tmp_path / "consul.service").read_text() == "[Unit]\n"


def test_check_mode_reports_and_writes_nothing(tmp_path, binary, ansible):
    run = ansible("consul_agent_files", layout(tmp_path, binary), check=True)
    assert run["changed"] is True and len(run["changed_files"]) == 3
    assert not (tmp_path / "etc").exists()


def test_a_configuration_consul_rejects_leaves_the_file_as_it_was(tmp_path, binary, ansible):
    ansible("consul_agent_files", layout(tmp_path, binary))
    before = (tmp_path / "etc" / "consul.json").read_text()

    run = ansible("consul_agent_files", layout(tmp_path, binary, config={"bootstrap": "not a boolean"}))
    assert run.get("failed") is True
    assert str(tmp_path / "etc" / "consul.json") in run["msg"] and "validate" in run["msg"]
    assert (tmp_path / "etc" / "consul.json").read_text() == before
    assert sorted(os.listdir(tmp_path / "etc")) == ["consul.json", "encrypt.json"]


def test_sensitive_contents_never_show_and_other_files_diff(tmp_path, binary, ansible):
    run = ansible("consul_agent_files", layout(tmp_path, binary), env={"ANSIBLE_DIFF_ALWAYS": "1"})
    assert GOSSIP_KEY not in run.output
    assert [diff["after_header"] for diff in run["diff"]] == [str(tmp_path / "etc" / "consul.json"),
                                                              str(tmp_path / "consul.service")]
    assert run["diff"][1]["after"] == "[Unit]\n"


def test_a_directory_that_is_a_symlink_gives_its_target_the_attributes(tmp_path, binary, ansible):
    # a data directory linked to a volume: the agent needs the volume, not the link
    volume = tmp_path / "volume"
    volume.mkdir(mode=0o755)
    (tmp_path / "data").symlink_to(volume)
    run = ansible("consul_agent_files", layout(tmp_path, binary))
    assert run.get("failed") is not True, run.get("msg")
    assert mode(volume) == "0700" and (tmp_path / "data").is_symlink()


def test_a_sensitive_file_that_fails_validation_shows_no_output(tmp_path, binary, ansible):
    args = layout(tmp_path, binary)
    args["sensitive_files"][0]["validate"] = "sh -c 'cat %s; exit 1'"
    run = ansible("consul_agent_files", args)
    assert run.get("failed") is True and "not shown" in run["msg"]
    assert GOSSIP_KEY not in run.output
    assert not (tmp_path / "etc" / "encrypt.json").exists()


def sha1(path):
    return hashlib.sha1(open(path, "rb").read()).hexdigest()


def test_the_binary_is_sent_put_in_place_before_the_files_and_replaced_by_a_rename(tmp_path, binary, ansible):
    # the real consul binary: consul.json's validate runs the copy just put in place
    args = layout(tmp_path, tmp_path / "bin" / "consul")
    args["directories"].append({"path": str(tmp_path / "bin"), "mode": "0755"})
    args["binary"] = {"src": binary, "path": str(tmp_path / "bin" / "consul"), "mode": "0755", "checksum": sha1(binary)}
    (tmp_path / "bin").mkdir()
    run = ansible("consul_agent_files", args)
    assert run.get("failed") is not True, run.get("msg")
    assert run["changed_files"][:2] == [str(tmp_path / "bin" / "consul"), str(tmp_path / "etc" / "consul.json")]
    assert sha1(tmp_path / "bin" / "consul") == sha1(binary) and mode(tmp_path / "bin" / "consul") == "0755"
    inode = os.stat(tmp_path / "bin" / "consul").st_ino

    again = ansible("consul_agent_files", args)
    assert again["changed"] is False and again["changed_files"] == []
    assert ansible("consul_agent_files", args, check=True)["changed"] is False

    # another binary (an upgrade): a new file renamed over the old one, never written into (a running agent's)
    (tmp_path / "other").write_bytes(b"#!/bin/sh\necho other\n")
    args["binary"].update(src=str(tmp_path / "other"), checksum=sha1(tmp_path / "other"))
    args["files"] = []
    assert ansible("consul_agent_files", args, check=True)["changed_files"] == [str(tmp_path / "bin" / "consul")]
    assert sha1(tmp_path / "bin" / "consul") == sha1(binary)
    run = ansible("consul_agent_files", args)
    assert run["changed_files"] == [str(tmp_path / "bin" / "consul")]
    assert (tmp_path / "bin" / "consul").read_bytes() == b"#!/bin/sh\necho other\n"
    assert os.stat(tmp_path / "bin" / "consul").st_ino != inode and mode(tmp_path / "bin" / "consul") == "0755"


def test_a_binary_that_arrives_with_another_checksum_is_not_put_in_place(tmp_path, binary, ansible):
    (tmp_path / "bin").mkdir()
    args = {"binary": {"src": binary, "path": str(tmp_path / "bin" / "consul"), "checksum": "0" * 40}}
    run = ansible("consul_agent_files", args)
    assert run.get("failed") is True and "0" * 40 in run["msg"] and sha1(binary) in run["msg"]
    assert os.listdir(tmp_path / "bin") == []

    missing = ansible("consul_agent_files", {"binary": {"src": str(tmp_path / "nowhere"), "path": str(tmp_path / "x")}})
    assert missing.get("failed") is True and "binary.src" in missing["msg"] and "nowhere" in missing["msg"]
