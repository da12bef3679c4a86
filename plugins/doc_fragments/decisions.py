# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The play's decisions that the role's later filters read.
    DOCUMENTATION = r"""
options:
  state:
    description: The result of P(quorum.consul.cluster_state#filter).
    type: dict
    required: true
  adoption:
    description: The result of P(quorum.consul.cluster_adoption#filter).
    type: dict
    required: true
"""
