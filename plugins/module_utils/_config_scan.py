# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The top-level keys of a Consul configuration file (JSON or HCL), read where the file is.

Used on the hosts (consul_host_info) so that a file's other values, which may be a gossip key or tokens, never
leave them, and on the controller by the filter config_summary. Standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

# Values that decide whether a takeover keeps the datacenter; no other value is ever returned.
WATCHED = ('bootstrap', 'bootstrap_expect', 'data_dir', 'node_name', 'datacenter')

_TOKEN = re.compile(r'''
    (?P<space>\s+|\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<heredoc><<-?(?P<tag>\w+)\n.*?\n\s*(?P=tag)(?=\s|$))
  | (?P<word>[A-Za-z0-9_.+-]+)
  | (?P<punct>.)
''', re.S | re.X)


def _hcl_top_level(text):
    """(key, value) pairs at the top level of an HCL file: value is a scalar's text, or None for a block or list."""
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup if match.lastgroup != 'tag' else 'heredoc'
        if kind != 'space':
            tokens.append((kind, match.group(kind)))
    pairs, depth, index = [], 0, 0
    while index < len(tokens):
        kind, value = tokens[index]
        if kind == 'punct' and value in '{[':
            depth += 1
        elif kind == 'punct' and value in '}]':
            depth -= 1
        elif depth == 0 and kind in ('word', 'string'):
            nxt = tokens[index + 1] if index + 1 < len(tokens) else ('', '')
            if nxt == ('punct', '=') or nxt == ('punct', '{') or nxt[0] == 'string':
                name = value.strip('"')
                scalar = None
                if nxt == ('punct', '=') and index + 2 < len(tokens) and tokens[index + 2][0] in ('word', 'string'):
                    scalar = tokens[index + 2][1]
                    index += 2
                # a labelled block (service "web" { ... }): the labels are not keys
                while index + 1 < len(tokens) and tokens[index + 1][0] == 'string' and scalar is None:
                    index += 1
                pairs.append((name, scalar))
        index += 1
    return pairs


def _scalar(text):
    if text is None:
        return None
    if text.startswith('"'):
        return json.loads(text)
    if text in ('true', 'false'):
        return text == 'true'
    try:
        return int(text)
    except ValueError:
        return text


def config_summary(text, path):
    """The top-level keys of one Consul configuration file (JSON or HCL) and the values of WATCHED keys.

    Never returns other values: a foreign file may hold a gossip key or tokens.
    """
    try:
        if path.endswith('.json'):
            data = json.loads(text or '{}')
            if not isinstance(data, dict):
                raise ValueError('not a JSON object')
            pairs = [(key, data[key]) for key in data]
        else:
            pairs = [(key, _scalar(value)) for key, value in _hcl_top_level(text or '')]
    except ValueError as exc:
        return dict(path=path, keys=[], values={}, error='cannot be read as Consul configuration: %s' % exc)
    values = dict((key, value) for key, value in pairs if key in WATCHED and not isinstance(value, (dict, list)))
    return dict(path=path, keys=sorted(set(key for key, value in pairs)), values=values, error='')


def security_summary(text):
    """What a configuration file the role wrote (JSON) turns on: {acl, tls}, booleans only, never a value.

    tls: the plain HTTP port closed or any of the TLS keys (top level before Consul 1.12, the tls stanza after);
    acl: acl.enabled. A file that cannot be read turns nothing on.
    """
    try:
        data = json.loads(text or '{}')
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    ports = data.get('ports') if isinstance(data.get('ports'), dict) else {}
    acl = data.get('acl') if isinstance(data.get('acl'), dict) else {}
    tls = ports.get('http') == -1 or any(key in data for key in ('tls', 'cert_file', 'verify_incoming_rpc'))
    return dict(acl=acl.get('enabled') is True, tls=bool(tls))
