#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: consul_snapshot
short_description: Save, restore or inspect a snapshot of a Consul datacenter's state, like C(consul snapshot)
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - O(state=saved) writes C(GET /v1/snapshot) (what C(consul snapshot save) calls) to O(path) on the managed host, through
    a temporary file in the same directory that is checked before it replaces O(path) (mode C(0600)).
  - O(state=restored) checks the snapshot in O(path) first - a file that is not a whole Consul snapshot (its
    C(SHA256SUMS) do not match, or it is not a gzipped archive with C(meta.json) and C(state.bin)) is refused before
    anything is sent - then sends it with C(PUT /v1/snapshot) (C(consul snapshot restore)) and waits until the
    datacenter has a leader again and, on a server, the raft log is applied past the snapshot's index.
  - O(state=inspected) only reads O(path) (C(consul snapshot inspect)) and returns its metadata.
  - With ACLs, saving and restoring need a management token (O(token), sent in a header, never logged).
extends_documentation_fragment:
  - quorum.consul.connection
  - quorum.consul.connection.attributes
attributes:
  check_mode:
    description: Saves and restores nothing; a restore still checks O(path) and refuses a corrupt file.
    support: full
options:
  path:
    description: The snapshot file on the managed host.
    type: path
    required: true
  state:
    description:
      - V(saved) - take a snapshot into O(path) (always a change - every snapshot is new).
      - V(restored) - restore the datacenter from O(path) (always a change).
      - V(inspected) - read O(path)'s metadata, nothing else.
    type: str
    choices: [saved, restored, inspected]
    default: saved
  wait_timeout:
    description:
      - Seconds to wait for a snapshot the datacenter can take (right after a server joined, was promoted or
        restarted, Consul answers C(500) until the raft configuration entry is applied, or has no leader yet), and
        after a restore for a leader and the applied index.
    type: int
    default: 60
seealso:
  - name: Consul snapshot HTTP API
    description: The endpoint this module calls.
    link: https://developer.hashicorp.com/consul/api-docs/snapshot
"""

EXAMPLES = r"""
- name: Take a snapshot before a destructive step
  quorum.consul.consul_snapshot:
    path: /var/lib/consul-snapshots/before-upgrade.snap
    token: "{{ management_token }}"
  register: snapshot

- name: Restore it
  quorum.consul.consul_snapshot:
    path: /var/lib/consul-snapshots/before-upgrade.snap
    state: restored
    token: "{{ management_token }}"

- name: Read a snapshot's index and term
  quorum.consul.consul_snapshot:
    path: /var/lib/consul-snapshots/before-upgrade.snap
    state: inspected
"""

RETURN = r"""
index:
  description: The raft index the snapshot was taken at.
  returned: success
  type: int
  sample: 1042
term:
  description: The raft term the snapshot was taken in.
  returned: success
  type: int
id:
  description: The snapshot's ID.
  returned: success
  type: str
  sample: 2-1042-1765000000000
version:
  description: The snapshot format's version.
  returned: success
  type: int
size:
  description: Bytes of O(path).
  returned: success
  type: int
sha256:
  description: The SHA-256 of O(path).
  returned: success
  type: str
duration:
  description: Seconds this call took, waits included.
  returned: always
  type: float
"""

import hashlib
import json
import os
import tarfile
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.quorum.consul.plugins.module_utils._api import (
    ConsulError,
    client_from_params,
    connection_argument_spec,
    raft_stats,
)
from ansible_collections.quorum.consul.plugins.module_utils._files import file_digest
from ansible_collections.quorum.consul.plugins.module_utils._wait import WaitTimeout, wait_until


class SnapshotError(Exception):
    """A file that is not a whole Consul snapshot."""


def inspect(path):
    """The snapshot's metadata (index, term, id, version, size, sha256); raises SnapshotError for a broken file.

    A snapshot is a gzipped tar of meta.json, state.bin and SHA256SUMS (the SHA-256 of the other two).
    """
    contents = {}
    try:
        with tarfile.open(path, 'r:gz') as archive:
            for member in archive:
                if member.isfile() and member.name in ('meta.json', 'state.bin', 'SHA256SUMS'):
                    handle = archive.extractfile(member)
                    digest = hashlib.sha256()
                    data = b''
                    for chunk in iter(lambda: handle.read(1 << 20), b''):
                        digest.update(chunk)
                        if member.name != 'state.bin':
                            data += chunk
                    contents[member.name] = (digest.hexdigest(), data)
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise SnapshotError('%s is not a Consul snapshot (a gzipped archive): %s' % (path, exc))
    missing = [name for name in ('meta.json', 'state.bin', 'SHA256SUMS') if name not in contents]
    if missing:
        raise SnapshotError('%s is not a whole Consul snapshot: %s missing' % (path, ', '.join(missing)))
    sums = dict(reversed(line.split(None, 1)) for line in contents['SHA256SUMS'][1].decode('ascii', 'replace').splitlines()
                if line.strip())
    for name in ('meta.json', 'state.bin'):
        if sums.get(name) != contents[name][0]:
            raise SnapshotError('%s is corrupt: the SHA-256 of its %s does not match its SHA256SUMS' % (path, name))
    try:
        meta = json.loads(contents['meta.json'][1].decode('utf-8'))
    except ValueError as exc:
        raise SnapshotError('%s is corrupt: meta.json is not JSON (%s)' % (path, exc))
    return dict(index=meta.get('Index'), term=meta.get('Term'), id=meta.get('ID', ''), version=meta.get('Version'),
                size=os.path.getsize(path), sha256=file_digest(path, 'sha256'))


def save(client, path):
    """Stream GET /v1/snapshot into a private file next to path, check it, then put it in place."""
    directory = os.path.dirname(path) or '.'
    handle, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), dir=directory)
    try:
        with os.fdopen(handle, 'wb') as out:
            client.request('GET', 'snapshot', sink=out, timeout=max(client.timeout, 300))
        found = inspect(tmp)
        os.rename(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return found


def restored(client, index, before):
    """A leader again and, on a server, its raft log applied past what it had before the restore (a restore moves it
    on) and at least to the snapshot's index."""
    if not client.leader():
        return False
    applied = raft_stats(client.agent_self()).get('applied_index')
    return applied is None or (applied > before and applied >= (index or 0))


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(
        path=dict(type='path', required=True),
        state=dict(type='str', default='saved', choices=['saved', 'restored', 'inspected']),
        wait_timeout=dict(type='int', default=60),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    started = time.monotonic()
    path, state = params['path'], params['state']
    result = dict(changed=False)
    try:
        client = client_from_params(params)
        if state == 'inspected':
            result.update(inspect(path))
        elif state == 'saved':
            result['changed'] = True
            if not module.check_mode:
                # "cannot take snapshot now, wait until the configuration entry at N has been applied", "No cluster
                # leader": 500s that pass; a 403 does not
                result.update(wait_until(lambda: save(client, path), lambda found: True, params['wait_timeout']))
        else:
            found = inspect(path)
            result.update(found, changed=True)
            if not module.check_mode:
                before = raft_stats(client.agent_self()).get('applied_index', 0)
                with open(path, 'rb') as handle:
                    client.request('PUT', 'snapshot', body=handle.read(), timeout=max(client.timeout, 300))
                wait_until(lambda: restored(client, found['index'], before), lambda done: done, params['wait_timeout'],
                           describe=lambda done, waited: 'no leader, or the raft log not applied past index %s, %ds '
                                                         'after the restore' % (found['index'], waited))
    except SnapshotError as exc:
        module.fail_json(msg=str(exc), duration=round(time.monotonic() - started, 3))
    except (IOError, OSError) as exc:
        module.fail_json(msg='%s: %s' % (path, exc), duration=round(time.monotonic() - started, 3))
    except WaitTimeout as exc:
        module.fail_json(msg=str(exc), duration=round(time.monotonic() - started, 3))
    except ConsulError as exc:
        module.fail_json(msg=str(exc), status=exc.status, duration=round(time.monotonic() - started, 3))
    module.exit_json(duration=round(time.monotonic() - started, 3), **result)


if __name__ == '__main__':
    main()
