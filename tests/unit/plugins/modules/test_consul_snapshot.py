# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""consul_snapshot's check of a snapshot file, on archives laid out as Consul writes them (tests/integration saves
and restores real ones)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import io
import json
import tarfile

import pytest

from ansible_collections.quorum.consul.plugins.modules.consul_snapshot import SnapshotError, inspect

META = dict(Version=1, ID='2-13-1765000000000', Index=13, Term=2)


def archive(path, files):
    with tarfile.open(str(path), 'w:gz') as out:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return str(path)


def snapshot_files(meta=None, state=b'raft state', sums=None):
    meta = json.dumps(meta or META).encode()
    sums = sums if sums is not None else ('%s  meta.json\n%s  state.bin\n' % (
        hashlib.sha256(meta).hexdigest(), hashlib.sha256(state).hexdigest())).encode()
    return {'meta.json': meta, 'state.bin': state, 'SHA256SUMS': sums}


def test_a_whole_snapshot_gives_its_metadata(tmp_path):
    path = archive(tmp_path / 'ok.snap', snapshot_files())
    found = inspect(path)
    assert (found['index'], found['term'], found['id'], found['version']) == (13, 2, '2-13-1765000000000', 1)
    with open(path, 'rb') as handle:
        assert found['sha256'] == hashlib.sha256(handle.read()).hexdigest()


@pytest.mark.parametrize('name, files, message', [
    ('state_changed_after_the_sums', dict(snapshot_files(), **{'state.bin': b'someone else'}),
     'corrupt: the SHA-256 of its state.bin does not match'),
    ('no_sums', dict((k, v) for k, v in snapshot_files().items() if k != 'SHA256SUMS'), 'SHA256SUMS missing'),
    ('meta_not_json', dict(snapshot_files(), **{'meta.json': b'{'}), 'its meta.json does not match'),
])
def test_a_broken_snapshot_is_refused(tmp_path, name, files, message):
    with pytest.raises(SnapshotError, match=message):
        inspect(archive(tmp_path / (name + '.snap'), files))


def test_a_file_that_is_no_archive_is_refused(tmp_path):
    path = tmp_path / 'plain.snap'
    path.write_bytes(b'not a snapshot')
    with pytest.raises(SnapshotError, match='is not a Consul snapshot'):
        inspect(str(path))


def test_a_snapshot_consul_cannot_take_yet_is_asked_again(tmp_path):
    """Right after a promotion Consul answers 500 until the configuration entry is applied: the save waits it out."""
    from ansible_collections.quorum.consul.plugins.module_utils._api import ConsulHTTPError
    from ansible_collections.quorum.consul.plugins.modules import consul_snapshot

    whole = archive(tmp_path / 'source.snap', snapshot_files())
    answers = [ConsulHTTPError('GET http://127.0.0.1:8500/v1/snapshot failed: 500 Raft error when taking snapshot: '
                               'cannot take snapshot now, wait until the configuration entry at 33 has been applied '
                               '(have applied 32)', status=500)]

    class Client(object):
        timeout = 10

        def request(self, method, path, sink=None, timeout=None):
            if answers:
                raise answers.pop()
            with open(whole, 'rb') as handle:
                sink.write(handle.read())

    target = str(tmp_path / 'saved.snap')
    found = consul_snapshot.wait_until(lambda: consul_snapshot.save(Client(), target), lambda found: True, 5,
                                       interval=0)
    assert found['index'] == 13 and not answers
    # no temporary file is left behind by the attempt that failed
    assert sorted(p.name for p in tmp_path.iterdir()) == ['saved.snap', 'source.snap']
