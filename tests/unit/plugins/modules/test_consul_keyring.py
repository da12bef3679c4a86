# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""consul_keyring's steps, read from GET /v1/operator/keyring answers in the shapes Consul 1.8 (no PrimaryKeys) and
1.10 and later give; the calls themselves run against real agents in tests/integration/test_keyring.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.quorum.consul.plugins.modules.consul_keyring import steps

OLD = 'b2xk'
NEW = 'bmV3'


def ring(keys, nodes, wan=False, primary=None):
    out = dict(WAN=wan, Datacenter='dc1', Segment='', Keys=keys, NumNodes=nodes)
    if primary is not None:
        out['PrimaryKeys'] = primary
    return out


def test_a_new_key_is_installed_used_and_the_old_one_removed():
    assert steps([ring({OLD: 4}, 4), ring({OLD: 3}, 3, wan=True)], NEW) == (['install', 'use', 'remove'], [OLD])


def test_a_key_some_agent_lacks_is_installed_again():
    assert steps([ring({OLD: 4, NEW: 3}, 4), ring({OLD: 3, NEW: 3}, 3, wan=True)], NEW)[0] == ['install', 'use', 'remove']


def test_consul_18_uses_again_while_other_keys_remain():
    # an interrupted rotation: installed everywhere, primary or not (1.8 does not say)
    assert steps([ring({OLD: 4, NEW: 4}, 4), ring({OLD: 3, NEW: 3}, 3, wan=True)], NEW) == (['use', 'remove'], [OLD])


def test_primary_keys_spare_the_use_when_the_key_is_primary_everywhere():
    rings = [ring({OLD: 4, NEW: 4}, 4, primary={NEW: 4}), ring({OLD: 3, NEW: 3}, 3, wan=True, primary={NEW: 3})]
    assert steps(rings, NEW) == (['remove'], [OLD])
    rings[0]['PrimaryKeys'] = {OLD: 4}
    assert steps(rings, NEW) == (['use', 'remove'], [OLD])


def test_the_only_key_everywhere_is_no_step():
    assert steps([ring({NEW: 4}, 4), ring({NEW: 3}, 3, wan=True)], NEW) == ([], [])
    assert steps([ring({NEW: 4}, 4, primary={NEW: 4})], NEW) == ([], [])
