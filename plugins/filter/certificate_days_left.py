# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: certificate_days_left
short_description: Whole days until a certificate expires
version_added: 0.2.0
author:
  - quorum.consul contributors (@quorum)
description:
  - The role C(quorum.consul.consul_cluster) reports its CA's expiry with it; usable in your own playbooks.
  - Runs on the controller and needs the Python library C(cryptography) there (a dependency of ansible-core).
requirements:
  - cryptography
options:
  _input:
    description: The certificate (PEM).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Warn a month before the CA expires
  ansible.builtin.debug:
    msg: "The CA expires in {{ days }} days"
  vars:
    days: "{{ lookup('ansible.builtin.file', 'certs/ca.pem') | quorum.consul.certificate_days_left }}"
  when: days | int < 30
"""

RETURN = r"""
_value:
  description: Days left (negative once it expired).
  type: int
"""

import time

from ansible.errors import AnsibleFilterError
from ansible_collections.quorum.consul.plugins.filter.certificate_problems import HAS_CRYPTOGRAPHY, not_after
from ansible_collections.quorum.consul.plugins.plugin_utils._tls import days_left


def certificate_days_left(cert_pem, now=None):
    """Whole days until the certificate (a CA's, for example) expires."""
    if not HAS_CRYPTOGRAPHY:
        raise AnsibleFilterError('certificate_days_left needs the Python library cryptography on the controller')
    from cryptography import x509
    try:
        cert = x509.load_pem_x509_certificate(str(cert_pem).encode('ascii'))
    except ValueError as exc:
        raise AnsibleFilterError('certificate_days_left: not a PEM certificate: %s' % exc)
    return days_left(not_after(cert), int(time.time() if now is None else now))


class FilterModule(object):
    def filters(self):
        return {'certificate_days_left': certificate_days_left}
