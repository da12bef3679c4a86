# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one client for Consul's agent HTTP API.

Modules never talk HTTP themselves: they build a ConsulClient from their
parameters and call its methods. Every failure is raised as a subclass of
ConsulError; only a module's main() turns it into fail_json. Managed nodes
need nothing beyond the standard library and ansible's module_utils.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import inspect
import json
import os
import re
import socket
import ssl

from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.six.moves.http_client import HTTPException
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import quote, urlencode
from ansible.module_utils.urls import ConnectionError as UrlsConnectionError
from ansible.module_utils.urls import Request, make_context
from ansible.module_utils.basic import env_fallback

DEFAULT_HOST = '127.0.0.1'
DEFAULT_PORT = 8500
DEFAULT_SCHEME = 'http'

# serf member status codes, as /v1/agent/members reports them
MEMBER_STATUS = {0: 'none', 1: 'alive', 2: 'leaving', 3: 'left', 4: 'failed'}
# serf role tag -> what the consul CLI prints in `consul members`
MEMBER_ROLE = {'consul': 'server', 'node': 'client'}
NO_KNOWN_SERVERS = 'No known Consul servers'


def connection_argument_spec():
    """Argument spec of the options every module shares (doc fragment quorum.consul.connection).

    host, port and scheme have no spec default: when unset they come from
    CONSUL_HTTP_ADDR, which may carry all three (see client_from_params).
    """
    return dict(
        host=dict(type='str'),
        port=dict(type='int'),
        scheme=dict(type='str', choices=['http', 'https']),
        validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['CONSUL_HTTP_SSL_VERIFY'])),
        ca_path=dict(type='path', fallback=(env_fallback, ['CONSUL_CACERT'])),
        client_cert=dict(type='path', fallback=(env_fallback, ['CONSUL_CLIENT_CERT'])),
        client_key=dict(type='path', fallback=(env_fallback, ['CONSUL_CLIENT_KEY'])),
        token=dict(type='str', no_log=True, fallback=(env_fallback, ['CONSUL_HTTP_TOKEN'])),
        agent_token=dict(type='str', no_log=True),
        timeout=dict(type='float', default=10),
    )


# One TLS context per set of TLS settings, for the module's whole run.
_CONTEXTS = {}
# Request.open() takes a ready context only from ansible-core 2.17 on; 2.16 makes its own for every request.
_OPEN_TAKES_CONTEXT = 'context' in inspect.signature(Request.open).parameters


def open_url(url, method, validate_certs=True, ca_path=None, client_cert=None, client_key=None, **kwargs):
    """Ansible's Request.open, with a TLS context that is made once where Request.open takes one: Ansible's open_url
    makes one for every request, even for plain HTTP, and loads the system's CA store each time (about 25 ms of CPU,
    more than the request). Plain HTTP gets a context that is never used and loads nothing. Where Request.open takes
    no context (ansible-core 2.16), the TLS settings go to it as they are: the same checks, made per request."""
    if not _OPEN_TAKES_CONTEXT:
        return Request().open(method, url, validate_certs=validate_certs, ca_path=ca_path, client_cert=client_cert,
                              client_key=client_key, **kwargs)
    if url.startswith('https:'):
        key = (validate_certs, ca_path, client_cert, client_key)
        if key not in _CONTEXTS:
            _CONTEXTS[key] = make_context(cafile=ca_path, validate_certs=validate_certs, client_cert=client_cert,
                                          client_key=client_key)
    else:
        key = 'http'
        if key not in _CONTEXTS:
            _CONTEXTS[key] = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return Request().open(method, url, context=_CONTEXTS[key], **kwargs)


class ConsulError(Exception):
    """Base of every error the client raises; carries the request and what came back."""

    def __init__(self, message, method=None, url=None, status=None, body=None):
        super(ConsulError, self).__init__(message)
        self.message = message
        self.method = method
        self.url = url
        self.status = status
        self.body = body

    def __str__(self):
        return self.message


class ConsulConnectionError(ConsulError):
    """The agent did not answer: refused, unreachable, reset or timed out."""


class ConsulHTTPError(ConsulError):
    """The agent answered with a status of 400 or more."""


class ConsulResponseError(ConsulError):
    """The agent answered 2xx with a body that is not the JSON expected."""


def _one_line(text):
    # Consul's error bodies are multi-line ("1 error occurred:\n\t* ..."); one line reads better in a task result
    return re.sub(r'\s+', ' ', text).strip()


def split_host_port(text):
    """Split "host", "host:port", "[v6]:port" or a bare IPv6 address into (host, port or None)."""
    match = re.match(r'^\[(?P<v6>[^\]]+)\](?::(?P<v6port>\d+))?$|^(?P<host>[^:]+)(?::(?P<port>\d+))?$', text)
    if not match:
        # more than one colon and no brackets: a bare IPv6 address
        return text, None
    port = match.group('v6port') or match.group('port')
    return match.group('v6') or match.group('host'), int(port) if port else None


def parse_http_addr(value):
    """Split CONSUL_HTTP_ADDR ("host", "host:port", "scheme://host:port") into (scheme, host, port); None where absent."""
    scheme = None
    rest = value.strip()
    if '://' in rest:
        scheme, rest = rest.split('://', 1)
        scheme = scheme.lower()
        if scheme not in ('http', 'https'):
            raise ConsulError('CONSUL_HTTP_ADDR=%s: only http and https addresses are supported' % value)
    host, port = split_host_port(rest.rstrip('/'))
    if not host:
        raise ConsulError('CONSUL_HTTP_ADDR=%s names no host' % value)
    return scheme, host, port


def client_from_params(params, environ=None):
    """Build a ConsulClient from module params.

    Explicit options win over CONSUL_HTTP_ADDR, which wins over the defaults. An
    explicit host ignores CONSUL_HTTP_ADDR entirely, so that the port or scheme
    of another agent are never combined with it.
    """
    environ = os.environ if environ is None else environ
    env_scheme = env_host = env_port = None
    if environ.get('CONSUL_HTTP_ADDR') and not params.get('host'):
        env_scheme, env_host, env_port = parse_http_addr(environ['CONSUL_HTTP_ADDR'])
    return ConsulClient(
        host=params.get('host') or env_host or DEFAULT_HOST,
        port=params.get('port') or env_port or DEFAULT_PORT,
        scheme=params.get('scheme') or env_scheme or DEFAULT_SCHEME,
        token=params.get('token'),
        agent_token=params.get('agent_token'),
        timeout=params.get('timeout') or 10,
        validate_certs=params.get('validate_certs', True),
        ca_path=params.get('ca_path'),
        client_cert=params.get('client_cert'),
        client_key=params.get('client_key'),
    )


def _as_number(value):
    # agent/self Stats are all strings; turn "42" into 42 so playbooks can compare them
    if isinstance(value, str) and re.match(r'^-?\d+$', value):
        return int(value)
    return value


class ConsulClient(object):
    """HTTP client for one Consul agent."""

    def __init__(self, host=DEFAULT_HOST, port=DEFAULT_PORT, scheme=DEFAULT_SCHEME, token=None, timeout=10,
                 validate_certs=True, ca_path=None, client_cert=None, client_key=None, agent_token=None):
        self.host = host
        self.port = port
        self.scheme = scheme
        self.token = token
        # for /v1/agent/ endpoints only: the agent recovery token works while no server can validate tokens
        self.agent_token = agent_token
        self.timeout = timeout
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.client_cert = client_cert
        self.client_key = client_key
        netloc_host = '[%s]' % host if ':' in host else host
        self.base_url = '%s://%s:%s' % (scheme, netloc_host, port)

    def request(self, method, path, query=None, timeout=None, accept_status=(), data=None, anonymous=False,
                body=None, sink=None):
        """Send one request to /v1/<path>; return the decoded JSON body (None when empty).

        accept_status lists error statuses whose body is an answer, not a failure
        (autopilot health says "unhealthy" with 429 and a full JSON body).
        data, when given, is sent as a JSON body; body, bytes sent as they are (a snapshot); anonymous sends no
        token at all. sink, a binary file: the answer is copied into it in chunks, and its headers are returned.
        """
        url = '%s/v1/%s' % (self.base_url, path)
        if query:
            url = '%s?%s' % (url, urlencode(query))
        headers = {'Accept': 'application/json'}
        token = self.agent_token if self.agent_token and path.startswith('agent/') else self.token
        if token and not anonymous:
            headers['X-Consul-Token'] = token
        if data is not None:
            headers['Content-Type'] = 'application/json'
            data = json.dumps(data)
        elif body is not None:
            headers['Content-Type'] = 'application/octet-stream'
            data = body
        try:
            response = open_url(url, data=data, method=method, headers=headers, timeout=timeout or self.timeout,
                                validate_certs=self.validate_certs, ca_path=self.ca_path,
                                client_cert=self.client_cert, client_key=self.client_key,
                                follow_redirects='none', use_netrc=False)
            status = response.getcode()
            if sink is not None:
                for chunk in iter(lambda: response.read(1 << 20), b''):
                    sink.write(chunk)
                return dict((key.lower(), value) for key, value in response.headers.items())
            body = to_text(response.read(), errors='surrogate_or_strict')
        except HTTPError as exc:
            status = exc.code
            body = to_text(exc.read() if exc.fp else b'', errors='surrogate_or_strict')
            if status not in accept_status:
                raise ConsulHTTPError('%s %s failed: %s %s' % (method, url, status, _one_line(body) or exc.reason),
                                      method=method, url=url, status=status, body=body)
        except (URLError, UrlsConnectionError, HTTPException, socket.timeout, OSError) as exc:
            reason = getattr(exc, 'reason', None) or exc
            raise ConsulConnectionError('%s %s failed: no answer from the Consul agent at %s:%s: %s'
                                        % (method, url, self.host, self.port, to_text(reason)),
                                        method=method, url=url)
        if not body.strip():
            return None
        try:
            return json.loads(body)
        except ValueError as exc:
            raise ConsulResponseError('%s %s: status %s but the body is not JSON (%s): %s'
                                      % (method, url, status, exc, _one_line(body)[:200]),
                                      method=method, url=url, status=status, body=body)

    def get(self, path, query=None, **kwargs):
        return self.request('GET', path, query=query, **kwargs)

    def put(self, path, query=None, **kwargs):
        return self.request('PUT', path, query=query, **kwargs)

    def _expect(self, value, kind, path):
        # a reply of the wrong shape is as unusable as one that is not JSON
        if not isinstance(value, kind):
            url = '%s/v1/%s' % (self.base_url, path)
            raise ConsulResponseError('GET %s: expected a JSON %s, got %r' % (url, kind.__name__, value),
                                      method='GET', url=url, body=value)
        return value

    def agent_self(self):
        return self._expect(self.get('agent/self'), dict, 'agent/self')

    def members(self, wan=False):
        """Gossip members as this agent sees them: [{name, address, port, status, role}]."""
        path = 'agent/members'
        raw = self._expect(self.get(path, query={'wan': 1} if wan else None), list, path)
        return [dict(name=m.get('Name', ''),
                     address=m.get('Addr', ''),
                     port=m.get('Port'),
                     status=MEMBER_STATUS.get(m.get('Status'), to_text(m.get('Status'))),
                     role=MEMBER_ROLE.get(m.get('Tags', {}).get('role'), m.get('Tags', {}).get('role', '')))
                for m in raw]

    def join(self, address, wan=False):
        self.put('agent/join/%s' % quote(address, safe=':[]'), query={'wan': 1} if wan else None)

    def force_leave(self, node):
        # a failed member becomes left at once, for every agent (what consul force-leave does)
        self.put('agent/force-leave/%s' % quote(node, safe=''))

    def remove_peer(self, peer_id):
        # the raft configuration without this server (consul operator raft remove-peer -id), through the leader
        self.request('DELETE', 'operator/raft/peer', query={'id': peer_id})

    def leave(self, timeout=None):
        # a server's leave blocks until it has left raft and drained RPCs (about 15 s), so it gets its own timeout
        self.put('agent/leave', timeout=timeout)

    def _unless_serverless(self, path, kind, empty):
        # a client that knows no server yet answers 500 "No known Consul servers": from there, nothing is known
        try:
            return self._expect(self.get(path), kind, path)
        except ConsulHTTPError as exc:
            if exc.status == 500 and (exc.body or '').strip() == NO_KNOWN_SERVERS:
                return empty
            raise

    def leader(self):
        """'ip:port' of the raft leader, '' when there is none (or a client knows no server)."""
        return self._unless_serverless('status/leader', str, '')

    def peers(self):
        """Raft addresses of all servers, non-voters included; [] when a client knows no server."""
        return self._unless_serverless('status/peers', list, [])

    def raft_configuration(self):
        return self._expect(self.get('operator/raft/configuration'), dict, 'operator/raft/configuration')

    def autopilot_health(self):
        # 200 healthy, 429 unhealthy: both carry the same JSON document
        return self._expect(self.get('operator/autopilot/health', accept_status=(429,)), dict,
                            'operator/autopilot/health')

    def acl_bootstrap(self):
        """PUT /v1/acl/bootstrap: the new management token; 403 "ACL bootstrap no longer allowed" once done.

        Sent without a token: a token the ACL system does not know would be refused before the bootstrap is tried.
        """
        return self._expect(self.put('acl/bootstrap', anonymous=True), dict, 'acl/bootstrap')

    def token_self(self):
        """The token this client sends, as the ACL system knows it (403 "ACL not found" when it is unknown)."""
        return self._expect(self.get('acl/token/self'), dict, 'acl/token/self')

    def reachable(self):
        """True while the agent answers HTTP at all (an error status still means it is up)."""
        try:
            self.get('agent/self')
        except ConsulConnectionError:
            return False
        except (ConsulHTTPError, ConsulResponseError):
            return True
        return True


BOOTSTRAP_DONE = re.compile(r'ACL bootstrap no longer allowed \(reset index: (\d+)\)')


def bootstrap_reset_index(error):
    """The reset index in a 403 "ACL bootstrap no longer allowed (reset index: N)", else None."""
    if not isinstance(error, ConsulHTTPError) or error.status != 403:
        return None
    match = BOOTSTRAP_DONE.search(error.body or '')
    return int(match.group(1)) if match else None


def raft_stats(agent_self):
    """The agent's Stats.raft (what `consul info` prints) with numeric values as ints; {} on a client."""
    raft = agent_self.get('Stats', {}).get('raft', {})
    return dict((key, _as_number(value)) for key, value in raft.items())


def is_bootstrap(agent_self):
    """Whether the agent runs with bootstrap = true.

    DebugConfig.Bootstrap is the resolved setting (bootstrap_expect = 1 becomes
    Bootstrap true there); Stats.consul.bootstrap carries the same value for a
    server and is the fallback should DebugConfig ever be absent.
    """
    debug = agent_self.get('DebugConfig') or {}
    if 'Bootstrap' in debug:
        return bool(debug['Bootstrap'])
    return agent_self.get('Stats', {}).get('consul', {}).get('bootstrap') == 'true'


def tls_stage(runtime):
    """How far an agent is in HashiCorp's move of a running datacenter to TLS, from its DebugConfig: 0 no certificate,
    1 a certificate and HTTPS next to HTTP, nothing verified, 2 outgoing RPC verified (with the server's name), 3 incoming
    RPC verified too (the end). Consul 1.12 and later keep the settings under TLS.InternalRPC, earlier ones at the top.
    """
    rpc = (runtime.get('TLS') or {}).get('InternalRPC') or {}
    cert = runtime.get('CertFile', rpc.get('CertFile'))
    if not cert:
        return 0
    if not runtime.get('VerifyOutgoing', rpc.get('VerifyOutgoing')):
        return 1
    return 3 if runtime.get('VerifyIncomingRPC', rpc.get('VerifyIncoming')) else 2


def acl_mode(runtime):
    """Whether the agent runs ACLs, and with which default policy ('' when its DebugConfig does not say), from its
    DebugConfig: what a running datacenter's move to ACLs reads (the default policy that keeps traffic flowing first,
    then the one asked for). Consul 1.11 and later keep the policy under ACLResolverSettings only."""
    resolver = runtime.get('ACLResolverSettings') or {}
    if not runtime.get('ACLsEnabled', resolver.get('ACLsEnabled')):
        return dict(enabled=False, default_policy='')
    return dict(enabled=True, default_policy=runtime.get('ACLDefaultPolicy') or resolver.get('ACLDefaultPolicy') or '')


def snapshot(client, tolerate_denied=False, raft_of_clients=True):
    """One view of the cluster as the agent sees it.

    tolerate_denied: a token without operator:read (403 on the raft configuration and autopilot) leaves those
    parts empty and names them in 'denied', instead of failing; the agent's own endpoints still answer.
    raft_of_clients: False leaves the peers, the raft configuration and autopilot health out when the agent is a
    client (servers answer them: a probe of many clients would load them for nothing).
    """
    me = client.agent_self()
    config = me.get('Config', {})
    runtime = me.get('DebugConfig') or {}
    leader = client.leader()
    servers, autopilot, denied = [], None, []
    raft_view = raft_of_clients or bool(config.get('Server'))
    if leader and raft_view:
        # both endpoints are answered by the leader; without one they block for the RPC hold timeout and fail
        try:
            servers = [dict(node=s.get('Node', ''), id=s.get('ID', ''), address=s.get('Address', ''),
                            leader=bool(s.get('Leader')), voter=bool(s.get('Voter')))
                       for s in client.raft_configuration().get('Servers') or []]
            autopilot = client.autopilot_health()
        except ConsulHTTPError as exc:
            if not (tolerate_denied and exc.status == 403):
                raise
            denied = ['operator/raft/configuration', 'operator/autopilot/health']
    return dict(
        denied=denied,
        leader=leader,
        peers=client.peers() if raft_view else [],
        servers=servers,
        voters=sum(1 for s in servers if s['voter']),
        raft=raft_stats(me),
        bootstrap=is_bootstrap(me),
        server=bool(config.get('Server')),
        node=config.get('NodeName', ''),
        datacenter=config.get('Datacenter', ''),
        data_dir=runtime.get('DataDir', ''),
        gossip=dict(encrypted=me.get('Stats', {}).get('serf_lan', {}).get('encrypted') == 'true',
                    verify_incoming=bool(runtime.get('EncryptVerifyIncoming', True)),
                    verify_outgoing=bool(runtime.get('EncryptVerifyOutgoing', True))),
        members=[dict((k, m[k]) for k in ('name', 'address', 'status', 'role')) for m in client.members()],
        autopilot=autopilot,
        tls_stage=tls_stage(runtime),
        acl=acl_mode(runtime),
        scheme=client.scheme,
    )
