# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_api: address parsing, environment fallbacks, typed errors and the reply helpers, and real requests through the
running ansible-core's Request.open (plain HTTP and HTTPS against a local server)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import json
import ssl
import threading

import pytest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from http.server import BaseHTTPRequestHandler, HTTPServer

from ansible_collections.quorum.consul.plugins.module_utils import _api
from ansible_collections.quorum.consul.plugins.module_utils._api import (
    ConsulClient,
    ConsulConnectionError,
    ConsulError,
    ConsulHTTPError,
    ConsulResponseError,
    client_from_params,
    acl_mode,
    is_bootstrap,
    parse_http_addr,
    raft_stats,
)


@pytest.mark.parametrize('value, parsed', [
    ('10.0.0.5', (None, '10.0.0.5', None)),
    ('10.0.0.5:8501', (None, '10.0.0.5', 8501)),
    ('HTTPS://consul.example:8501/', ('https', 'consul.example', 8501)),
    ('http://consul.example', ('http', 'consul.example', None)),
    (' [::1]:8500 ', (None, '::1', 8500)),
    ('https://[fd00::5]', ('https', 'fd00::5', None)),
    ('fd00::5', (None, 'fd00::5', None)),
])
def test_parse_http_addr(value, parsed):
    assert parse_http_addr(value) == parsed


@pytest.mark.parametrize('value, message', [
    ('unix:///var/run/consul.sock', 'CONSUL_HTTP_ADDR=unix:///var/run/consul.sock: only http and https addresses are supported'),
    ('http://', 'CONSUL_HTTP_ADDR=http:// names no host'),
])
def test_parse_http_addr_rejects(value, message):
    with pytest.raises(ConsulError) as caught:
        parse_http_addr(value)
    assert str(caught.value) == message


@pytest.mark.parametrize('params, environ, base_url', [
    ({}, {}, 'http://127.0.0.1:8500'),
    ({}, {'CONSUL_HTTP_ADDR': 'https://10.0.0.5:8501'}, 'https://10.0.0.5:8501'),
    ({}, {'CONSUL_HTTP_ADDR': '10.0.0.5'}, 'http://10.0.0.5:8500'),
    # an explicit port or scheme wins over the variable's, its host still applies
    ({'port': 9500}, {'CONSUL_HTTP_ADDR': 'https://10.0.0.5:8501'}, 'https://10.0.0.5:9500'),
    ({'scheme': 'http'}, {'CONSUL_HTTP_ADDR': 'https://10.0.0.5:8501'}, 'http://10.0.0.5:8501'),
    # an explicit host ignores the variable whole: never another agent's port or scheme
    ({'host': '10.0.0.6'}, {'CONSUL_HTTP_ADDR': 'https://10.0.0.5:8501'}, 'http://10.0.0.6:8500'),
    ({'host': 'fd00::6', 'port': 8501, 'scheme': 'https'}, {}, 'https://[fd00::6]:8501'),
])
def test_client_from_params_fallbacks(params, environ, base_url):
    assert client_from_params(params, environ=environ).base_url == base_url


def test_client_from_params_reads_os_environ_by_default(monkeypatch):
    monkeypatch.setenv('CONSUL_HTTP_ADDR', '10.0.0.7:8600')
    assert client_from_params({}).base_url == 'http://10.0.0.7:8600'


def test_client_from_params_passes_tls_and_token(consul):
    consul.serve('members')
    params = dict(token='t', validate_certs=False, ca_path='/ca.pem', client_cert='/c.pem', client_key='/k.pem',
                  timeout=3.5)
    client_from_params(params, environ={}).members()
    call = consul.calls[0]
    assert call['headers'] == {'Accept': 'application/json', 'X-Consul-Token': 't'}
    assert dict((k, call['kwargs'][k]) for k in ('validate_certs', 'ca_path', 'client_cert', 'client_key', 'timeout')) == dict(
        validate_certs=False, ca_path='/ca.pem', client_cert='/c.pem', client_key='/k.pem', timeout=3.5)
    # a redirect must not carry the token elsewhere
    assert call['kwargs']['follow_redirects'] == 'none'


def test_agent_token_goes_to_agent_endpoints_only(consul):
    consul.serve('members', 'status_leader')
    client = client_from_params(dict(token='management', agent_token='recovery'), environ={})
    client.members()
    client.leader()
    assert [c['headers'].get('X-Consul-Token') for c in consul.calls] == ['recovery', 'management']


def test_json_body_is_sent_with_its_content_type(consul):
    consul.route('PUT /v1/acl/token', consul.synthetic(200, {'AccessorID': 'a'}))
    ConsulClient(token='t').put('acl/token', data={'AccessorID': 'a'})
    call = consul.calls[0]
    assert call['kwargs']['data'] == '{"AccessorID": "a"}'
    assert call['headers']['Content-Type'] == 'application/json'


def test_http_error_carries_the_request_and_the_reply(consul):
    consul.serve('acl_403_acl_not_found')
    with pytest.raises(ConsulHTTPError) as caught:
        ConsulClient(host='127.0.0.5', token='t').agent_self()
    error = caught.value
    assert (error.method, error.url, error.status, error.body) == (
        'GET', 'http://127.0.0.5:8500/v1/agent/self', 403, 'ACL not found')


def test_multi_line_error_body_reads_as_one_line(consul):
    consul.serve('join_unreachable_500')
    with pytest.raises(ConsulHTTPError) as caught:
        ConsulClient().join('127.0.0.9')
    assert str(caught.value) == ('PUT http://127.0.0.1:8500/v1/agent/join/127.0.0.9 failed: 500 1 error occurred: '
                                 '* Failed to join 127.0.0.9: dial tcp 127.0.0.9:8301: connect: connection refused')
    assert caught.value.body == consul.recorded('join_unreachable_500')['body']


def test_connection_error(consul):
    consul.route('GET /v1/agent/self', consul.refused())
    with pytest.raises(ConsulConnectionError) as caught:
        ConsulClient().agent_self()
    assert (caught.value.method, caught.value.url, caught.value.status) == ('GET', 'http://127.0.0.1:8500/v1/agent/self', None)


def test_malformed_json_is_a_response_error(consul):
    consul.route('GET /v1/agent/members', consul.synthetic(200, '[{"Name":"n1",'))
    with pytest.raises(ConsulResponseError) as caught:
        ConsulClient().members()
    assert (caught.value.status, caught.value.body) == (200, '[{"Name":"n1",')


def test_empty_reply_is_none(consul):
    consul.serve('leave_200')
    assert ConsulClient().request('PUT', 'agent/leave') is None


def test_members_are_named_like_the_cli(consul):
    consul.serve('members_after_leave')
    members = ConsulClient().members()
    assert members[0] == dict(name='c4', address='127.0.0.4', port=8301, status='left', role='client')
    assert [(m['name'], m['status'], m['role']) for m in members[1:]] == [
        ('n1', 'alive', 'server'), ('n2', 'alive', 'server'), ('n3', 'alive', 'server')]


def test_join_puts_the_address_in_the_path(consul):
    consul.route('PUT /v1/agent/join/[fd00::2]:8301', 'join_200')
    ConsulClient().join('[fd00::2]:8301')
    assert consul.count('PUT /v1/agent/join/[fd00::2]:8301') == 1


@pytest.mark.parametrize('answer, up', [
    ('agent_self_client', True),
    ('acl_403_permission_denied', True),  # a denial still comes from a running agent
    (None, False),
])
def test_reachable(consul, answer, up):
    consul.route('GET /v1/agent/self', answer or consul.refused())
    assert ConsulClient().reachable() is up


def test_raft_stats_of_a_client_are_empty(consul):
    assert raft_stats(consul.body('agent_self_client')) == {}


@pytest.mark.parametrize('name, bootstrap', [
    ('agent_self_bootstrap_leader', True),
    ('agent_self_follower', False),
    ('agent_self_client', False),
])
def test_is_bootstrap_with_and_without_debug_config(consul, name, bootstrap):
    agent_self = consul.body(name)
    assert is_bootstrap(agent_self) is bootstrap
    # without DebugConfig, a server's Stats.consul.bootstrap tells the same
    del agent_self['DebugConfig']
    assert is_bootstrap(agent_self) is bootstrap


def test_plain_http_never_loads_a_ca_store_and_https_contexts_are_made_once(monkeypatch):
    made = []
    monkeypatch.setattr(_api, '_CONTEXTS', {})
    monkeypatch.setattr(_api, '_OPEN_TAKES_CONTEXT', True)
    monkeypatch.setattr(_api, 'make_context', lambda **kwargs: made.append(kwargs) or object())

    class Opened(object):
        def open(self, method, url, context=None, **kwargs):
            return context

    monkeypatch.setattr(_api, 'Request', Opened)
    plain = _api.open_url('http://127.0.0.1:8500/v1/status/leader', 'GET')
    assert _api.open_url('http://127.0.0.1:8500/v1/status/peers', 'GET') is plain and made == []
    tls = _api.open_url('https://127.0.0.1:8501/v1/status/leader', 'GET', ca_path='/ca.pem')
    assert _api.open_url('https://127.0.0.1:8501/v1/status/peers', 'GET', ca_path='/ca.pem') is tls
    assert _api.open_url('https://127.0.0.1:8501/v1/status/peers', 'GET', ca_path='/other.pem') is not tls
    assert [call['cafile'] for call in made] == ['/ca.pem', '/other.pem']


class _Leader(BaseHTTPRequestHandler):
    """Answers every GET as an agent's /v1/status/leader would, and echoes the token header it got."""

    def do_GET(self):
        body = json.dumps(dict(leader='127.0.0.1:8300', token=self.headers.get('X-Consul-Token'))).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _certificate(tmp_path, name, issuer=None):
    """A CA (issuer None) or a server certificate for 127.0.0.1 signed by issuer; returns (cert, key, paths)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (x509.CertificateBuilder().subject_name(subject).public_key(key.public_key()).serial_number(1)
               .issuer_name(issuer[0].subject if issuer else subject)
               .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1)))
    if issuer:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), critical=False)
    else:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    cert = builder.sign(issuer[1] if issuer else key, hashes.SHA256())
    cert_path, key_path = tmp_path / (name + '.pem'), tmp_path / (name + '-key.pem')
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert, key, str(cert_path), str(key_path)


@pytest.fixture(scope='module')
def agents(tmp_path_factory):
    """A plain HTTP and an HTTPS server on loopback, and the CA that signed the HTTPS one and one that did not."""
    tmp_path = tmp_path_factory.mktemp('tls')
    ca = _certificate(tmp_path, 'ca')
    other_ca = _certificate(tmp_path, 'other-ca')
    server = _certificate(tmp_path, 'server', issuer=ca)
    plain, tls = HTTPServer(('127.0.0.1', 0), _Leader), HTTPServer(('127.0.0.1', 0), _Leader)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(server[2], server[3])
    tls.socket = context.wrap_socket(tls.socket, server_side=True)
    for httpd in (plain, tls):
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield dict(http=plain.server_address[1], https=tls.server_address[1], ca=ca[2], other_ca=other_ca[2])
    for httpd in (plain, tls):
        httpd.shutdown()
        httpd.server_close()


# Both ways to reach Request.open that the running ansible-core supports: with one context per run (2.17 and
# later) and with the TLS settings per request (2.16, which has no context argument). Whichever runs, the
# answers and the certificate checks are the same.
OPEN_WAYS = [False] + (['context'] if _api._OPEN_TAKES_CONTEXT else [])


@pytest.mark.parametrize('takes_context', OPEN_WAYS)
def test_real_requests_through_the_running_ansible_core(monkeypatch, agents, takes_context):
    monkeypatch.setattr(_api, '_CONTEXTS', {})
    monkeypatch.setattr(_api, '_OPEN_TAKES_CONTEXT', bool(takes_context))
    plain = ConsulClient(port=agents['http'], token='t-1')
    assert plain.get('status/leader') == dict(leader='127.0.0.1:8300', token='t-1')
    verified = ConsulClient(port=agents['https'], scheme='https', ca_path=agents['ca'])
    assert verified.get('status/leader')['leader'] == '127.0.0.1:8300'
    assert verified.get('status/peers')['leader'] == '127.0.0.1:8300'
    with pytest.raises(ConsulConnectionError, match='CERTIFICATE_VERIFY_FAILED|certificate verify failed'):
        ConsulClient(port=agents['https'], scheme='https', ca_path=agents['other_ca']).get('status/leader')
    unverified = ConsulClient(port=agents['https'], scheme='https', ca_path=agents['other_ca'], validate_certs=False)
    assert unverified.get('status/leader')['leader'] == '127.0.0.1:8300'


def test_acl_mode_from_1_8_and_from_1_11_on(consul):
    # 1.8.7's recorded follower: ACLs off
    assert acl_mode(consul.body('agent_self_follower')['DebugConfig']) == dict(enabled=False, default_policy='')
    assert acl_mode(dict(ACLsEnabled=True, ACLDefaultPolicy='deny')) == dict(enabled=True, default_policy='deny')
    # from 1.11 the policy is only under ACLResolverSettings (Consul's runtime configuration)
    assert acl_mode(dict(ACLsEnabled=True, ACLResolverSettings=dict(ACLDefaultPolicy='deny'))) == dict(
        enabled=True, default_policy='deny')
    # a policy the agent does not report is not taken for allow
    assert acl_mode(dict(ACLsEnabled=True)) == dict(enabled=True, default_policy='')
