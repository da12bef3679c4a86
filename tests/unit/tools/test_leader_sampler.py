# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""tests/tools/leader_sampler.py's report: the merge of the servers' samples and the restarts read from journals."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import json
import os

import pytest

TOOL = os.path.join(os.path.dirname(__file__), '..', '..', 'tools', 'leader_sampler.py')
SPEC = importlib.util.spec_from_file_location('leader_sampler', TOOL)
leader_sampler = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(leader_sampler)

# journalctl -u consul -o short-unix, as systemd writes a restart of the unit
JOURNAL = """{stop:.6f} s1 systemd[1]: Stopping consul.service - Consul agent (server)...
{mid:.6f} s1 consul[10]: agent: Requesting shutdown
{start:.6f} s1 systemd[1]: Started consul.service - Consul agent (server).
"""


def _write(tmp_path, samples, restarts):
    """samples: {server: [(time, leads)]}; restarts: {server: [(stopping, started)]}."""
    for server, rows in samples.items():
        (tmp_path / ('leader-%s.samples' % server)).write_text(''.join('%.3f %d\n' % row for row in rows))
    for server, pairs in restarts.items():
        (tmp_path / ('restarts-%s.journal' % server)).write_text(''.join(
            JOURNAL.format(stop=stop, mid=stop + 0.1, start=start) for stop, start in pairs))


def _report(tmp_path, servers, capsys):
    args = type('Args', (), dict(dir=str(tmp_path), servers=servers))
    assert leader_sampler.report(args) == 0
    return json.loads(capsys.readouterr().out)


def _timeline(start, end, leads):
    return [(start + i / 10.0, leads(start + i / 10.0)) for i in range(int((end - start) * 10))]


def test_a_leader_restart_is_a_window_it_explains(tmp_path, capsys):
    # s1 leads until it stops at 10.0; s2 leads from 12.0
    _write(tmp_path,
           dict(s1=_timeline(0, 20, lambda t: t < 10), s2=_timeline(0, 20, lambda t: t >= 12),
                s3=_timeline(0, 20, lambda t: False)),
           dict(s1=[(10.0, 11.0)], s2=[], s3=[]))
    result = _report(tmp_path, 3, capsys)
    assert result['leaderless_windows'] == 1 and result['unexplained_windows'] == 0
    assert result['longest_leaderless_s'] == pytest.approx(2.0, abs=0.11)
    assert result['longest_restart_s'] == 1.0 and result['longest_restart_host'] == 's1'


def test_a_window_no_restart_explains_is_counted(tmp_path, capsys):
    _write(tmp_path,
           dict(s1=_timeline(0, 20, lambda t: t < 5 or t > 6), s2=_timeline(0, 20, lambda t: False),
                s3=_timeline(0, 20, lambda t: False)),
           dict(s1=[(15.0, 16.0)], s2=[], s3=[]))
    assert _report(tmp_path, 3, capsys)['unexplained_windows'] == 1


def test_a_server_without_samples_is_an_error(tmp_path):
    _write(tmp_path, dict(s1=_timeline(0, 2, lambda t: True), s2=[]), dict(s1=[], s2=[]))
    args = type('Args', (), dict(dir=str(tmp_path), servers=2))
    with pytest.raises(SystemExit, match='no samples in'):
        leader_sampler.report(args)


def test_a_missing_server_is_an_error_not_a_shorter_report(tmp_path):
    _write(tmp_path, dict(s1=_timeline(0, 2, lambda t: True)), dict(s1=[]))
    args = type('Args', (), dict(dir=str(tmp_path), servers=3))
    with pytest.raises(SystemExit, match='not one of each for 3 servers'):
        leader_sampler.report(args)
