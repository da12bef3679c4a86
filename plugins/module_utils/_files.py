# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""File helpers shared by the modules (on the hosts) and the controller plugins. Standard library only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os

# The SHA-1 a module wrote a file with, kept with the file (an extended attribute, "<inode>:<size>:<mtime ns> <sha1>")
DIGEST_ATTR = 'user.quorum.sha1'


def file_digest(path, algorithm='sha1'):
    """The hex digest of a file's content, read block by block (a consul binary is tens of MB); raises OSError."""
    digest = hashlib.new(algorithm)
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def _stamp(path):
    info = os.stat(path)
    return '%d:%d:%d' % (info.st_ino, info.st_size, getattr(info, 'st_mtime_ns', int(info.st_mtime * 1e9)))


def kept_digest(path):
    """file_digest(path), or the SHA-1 keep_digest() kept with the file while it is still the file it saw (the same
    inode, size and modification time, as rsync's quick check): a probe need not read a 60 MB binary on every run.
    Without extended attributes (another file system, Python 2), the file is read."""
    try:
        stamp, digest = os.getxattr(path, DIGEST_ATTR).decode('ascii').split(' ')
        if stamp == _stamp(path) and len(digest) == 40:
            return digest
    except (AttributeError, OSError, ValueError, UnicodeDecodeError):
        pass
    return file_digest(path)


def keep_digest(path, digest):
    """Keep a file's SHA-1 (known to whoever just wrote or read it) with the file, for kept_digest(); best effort."""
    try:
        os.setxattr(path, DIGEST_ATTR, ('%s %s' % (_stamp(path), digest)).encode('ascii'))
    except (AttributeError, OSError):
        pass


# The TLS files of the role quorum.consul.consul_cluster, in its TLS directory: the CA, the agent's certificate, its key.
TLS_FILES = ('consul-agent-ca.pem', 'agent.pem', 'agent-key.pem')


def role_path_kinds(settings):
    """Every path the role quorum.consul.consul_cluster writes on a host, in order, as (path, kind): config_dir,
    data_dir, unit, binary, tls_dir, private (root's, the agent reads it) or readable (the same, anyone reads it).

    settings: config_dir, data_dir, unit_file, config_file, encrypt_file; binary_path (the copy method's, else none) and
    tls_dir (with TLS, else none) add theirs. The owners and modes are the controller's business (agent_paths)."""
    kinds = [(settings['config_dir'], 'config_dir'), (settings['data_dir'], 'data_dir'),
             (settings['unit_file'], 'unit'), (settings['config_file'], 'private'),
             (settings['encrypt_file'], 'private')]
    if settings.get('binary_path'):
        kinds.append((settings['binary_path'], 'binary'))
    tls_dir = settings.get('tls_dir')
    if tls_dir:
        kinds.append((tls_dir, 'tls_dir'))
        kinds += [(tls_dir + '/' + name, kind) for name, kind in zip(TLS_FILES, ('readable', 'readable', 'private'))]
    return kinds


def probed_settings(settings):
    """The role's settings (with install_method) as its first probe reads them, before the run decided anything:
    the copy method's binary, and the TLS files whether or not the run uses TLS."""
    return dict(settings, binary_path=settings['binary_path'] if settings['install_method'] == 'copy' else None)
