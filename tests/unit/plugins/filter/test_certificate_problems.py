# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Certificates a user provides, checked before any host is touched: one named case per fault.

The certificates are made here with cryptography, as `consul tls` makes them (EC P-256, SANs).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress

import pytest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.quorum.consul.plugins.filter.certificate_days_left import certificate_days_left
from ansible_collections.quorum.consul.plugins.filter.certificate_problems import certificate_problems

NOW = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.timezone.utc)


def make_ca(name):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(1).not_valid_before(NOW - datetime.timedelta(days=1))
            .not_valid_after(NOW + datetime.timedelta(days=1825))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    return cert, key


CA = make_ca('Consul Agent CA')
OTHER_CA = make_ca('Someone else')


def leaf(names=('server.dc1.consul', 'localhost'), ips=('127.0.0.1',), days=365, starts=-1, ca=CA):
    key = ec.generate_private_key(ec.SECP256R1())
    san = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'agent')]))
               .issuer_name(ca[0].subject).public_key(key.public_key()).serial_number(2)
               .not_valid_before(NOW + datetime.timedelta(days=starts)).not_valid_after(NOW + datetime.timedelta(days=days)))
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return builder.sign(ca[1], hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode('ascii')


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode('ascii')


CASES = {
    'server_certificate_that_fits': (dict(), True, []),
    'client_certificate_without_the_server_name': (dict(names=('client.dc1.consul', 'localhost')), False, []),
    'server_certificate_without_the_server_name': (
        dict(names=('client.dc1.consul', 'localhost')), True,
        ['does not name server.dc1.consul, which servers verify (it names client.dc1.consul, localhost)']),
    'another_datacenter': (dict(names=('server.dc2.consul', 'localhost')), True, ['does not name server.dc1.consul']),
    'no_loopback_name': (dict(names=('server.dc1.consul',), ips=('10.0.0.1',)), True,
                         ['names neither 127.0.0.1 nor localhost']),
    'no_subject_alternative_names': (dict(names=(), ips=()), False, ['names neither 127.0.0.1 nor localhost']),
    'expired': (dict(days=-3, starts=-400), True, ['expired 3 days ago']),
    'expires_within_a_week': (dict(days=2), True, ['expires in less than 7 days']),
    'not_valid_yet': (dict(starts=5), True, ['is not valid yet (from 5 days on)']),
    'signed_by_another_ca': (dict(ca=OTHER_CA), True, ['is not signed by the CA in consul_cluster_tls_ca_cert_src']),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_certificate_problems(case):
    changes, server, expected = CASES[case]
    problems = certificate_problems(leaf(**changes), ca=pem(CA[0]), host='consul-a', server=server, datacenter='dc1',
                                    now=NOW.timestamp())
    assert len(problems) == len(expected), problems
    for problem, fragment in zip(problems, expected):
        assert fragment in problem
        assert problem.startswith('host consul-a: the certificate in consul_cluster_tls_cert_src ')


def test_not_a_certificate():
    problems = certificate_problems('not a PEM', ca=pem(CA[0]), host='consul-a', server=True, datacenter='dc1')
    assert len(problems) == 1 and 'host consul-a' in problems[0] and 'consul_cluster_tls_cert_src' in problems[0]


def test_the_agents_own_address_and_name_must_be_named_when_asked():
    problems = certificate_problems(leaf(names=('server.dc1.consul', 'localhost', 'consul-a'), ips=('127.0.0.1', '10.0.0.1')),
                                    ca=pem(CA[0]), host='consul-a', server=True, datacenter='dc1', now=NOW.timestamp(),
                                    ips=['10.0.0.2'], names=['consul-a'], variable='consul_cluster_secrets_dir')
    assert problems == ["host consul-a: the certificate in consul_cluster_secrets_dir does not name 10.0.0.2, the agent's address"]


def test_renewal_period():
    assert certificate_problems(leaf(days=20), ca=pem(CA[0]), host='consul-a', server=True, datacenter='dc1',
                                now=NOW.timestamp(), min_days=30)[0].endswith('expires in less than 30 days')


def test_days_left():
    assert certificate_days_left(pem(CA[0]), now=NOW.timestamp()) == 1825
    assert certificate_days_left(leaf(days=10), now=NOW.timestamp()) == 10
