# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""File helpers shared by the modules (on the hosts) and the controller plugins. Standard library only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib


def file_digest(path, algorithm='sha1'):
    """The hex digest of a file's content, read block by block (a consul binary is tens of MB); raises OSError."""
    digest = hashlib.new(algorithm)
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()
