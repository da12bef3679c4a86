# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: certificate_problems
short_description: Check a Consul agent's certificate before any host is touched
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - For certificates the user provides to the role C(quorum.consul.consul_cluster). A server's certificate must
    name C(server.<datacenter>.<domain>); every certificate must name C(127.0.0.1) or C(localhost), be valid now
    and for O(min_days) more, and be signed by the CA.
  - Runs on the controller and needs the Python library C(cryptography) there (a dependency of ansible-core).
requirements:
  - cryptography
options:
  _input:
    description: The certificate (PEM).
    type: str
    required: true
  ca:
    description: The CA certificate (PEM).
    type: str
    required: true
  host:
    description: The inventory host, for the messages.
    type: str
    required: true
  server:
    description: Whether the agent is a server.
    type: bool
    required: true
  datacenter:
    description: The datacenter.
    type: str
    required: true
  domain:
    description: Consul's domain.
    type: str
    default: consul
  min_days:
    description: Days the certificate must stay valid.
    type: int
    default: 7
  ips:
    description: IP addresses the certificate must name too (the agent's own address).
    type: list
    elements: str
    default: []
  names:
    description: DNS names the certificate must name too (the agent's host name).
    type: list
    elements: str
    default: []
  variable:
    description: Where the certificate comes from, for the messages.
    type: str
    default: consul_cluster_tls_cert_src
"""

EXAMPLES = r"""
- name: Refuse a certificate that does not fit
  ansible.builtin.fail:
    msg: "{{ problems }}"
  when: problems | length > 0
  vars:
    problems: >-
      {{ lookup('ansible.builtin.file', 'certs/consul-a.pem')
         | quorum.consul.certificate_problems(ca=lookup('ansible.builtin.file', 'certs/ca.pem'), host='consul-a',
                                              server=true, datacenter='dc1') }}
"""

RETURN = r"""
_value:
  description: Problems, each naming the host; empty when the certificate fits.
  type: list
  elements: str
"""

import calendar
import importlib.util
import time

from ansible.errors import AnsibleFilterError
from ansible_collections.quorum.consul.plugins.plugin_utils._tls import certificate_problems as decide

# Imported when a certificate is checked: Ansible loads every filter file of the collection in each worker process
# that uses one of them, and cryptography alone costs that load 30 ms (a second of CPU on 25 hosts).
HAS_CRYPTOGRAPHY = importlib.util.find_spec('cryptography') is not None


def _epoch(moment):
    return calendar.timegm(moment.utctimetuple())


def _signed_by(cert, ca):
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    key = ca.public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), cert.signature_hash_algorithm)
        else:
            return False
    except Exception:  # pylint: disable=broad-except  # cryptography raises InvalidSignature and others
        return False
    return cert.issuer == ca.subject


def not_after(cert):
    """When the certificate expires, in epoch seconds (the *_utc properties since cryptography 42, naive before)."""
    return _epoch(cert.not_valid_after_utc if hasattr(cert, 'not_valid_after_utc') else cert.not_valid_after)


def facts_of(cert_pem, ca_pem):
    """The facts certificate_problems decides on, from the PEM texts."""
    from cryptography import x509
    cert = x509.load_pem_x509_certificate(cert_pem.encode('ascii'))
    ca = x509.load_pem_x509_certificate(ca_pem.encode('ascii'))
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names, ips = san.get_values_for_type(x509.DNSName), [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        names, ips = [], []
    not_before = cert.not_valid_before_utc if hasattr(cert, 'not_valid_before_utc') else cert.not_valid_before
    return dict(names=names, ips=ips, not_before=_epoch(not_before), not_after=not_after(cert),
                issued_by_ca=_signed_by(cert, ca))


def certificate_problems(cert_pem, ca, host, server, datacenter, domain='consul', min_days=7, now=None, ips=None,
                         names=None, variable='consul_cluster_tls_cert_src'):
    if not HAS_CRYPTOGRAPHY:
        raise AnsibleFilterError('certificate_problems needs the Python library cryptography on the controller')
    try:
        facts = facts_of(str(cert_pem), str(ca))
    except ValueError as exc:
        return ['host %s: the certificate in %s or the CA is not a PEM certificate: %s' % (host, variable, exc)]
    return decide(host, facts, bool(server), datacenter, domain, int(time.time() if now is None else now),
                  min_days=int(min_days), variable=variable, ips=[str(ip) for ip in ips or ()],
                  names=[str(name) for name in names or ()])


class FilterModule(object):
    def filters(self):
        return {'certificate_problems': certificate_problems}
