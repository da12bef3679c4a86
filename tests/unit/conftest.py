# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared fixtures: a fake Consul agent that answers with recorded replies, a fake clock, a module runner.

The modules' main() runs end to end; only open_url (where _api imports it) is
replaced. Each fixture file is one reply of a real Consul 1.8.7 agent and knows
its own request, so routing a fixture needs no path typed by hand.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import functools
import io
import json
import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(REPO, 'tests', 'unit', 'fixtures')


def _collections_root():
    # under ansible-test the collection sits in ansible_collections/<ns>/<name>; in a checkout
    # scripts/setup.sh links the repo into .cache/collections
    above = os.path.dirname(os.path.dirname(REPO))
    if os.path.basename(above) == 'ansible_collections':
        return os.path.dirname(above)
    return os.path.join(REPO, '.cache', 'collections')


COLLECTIONS = _collections_root()
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)

try:
    from ansible_collections.quorum.consul.plugins.module_utils import _api, _wait
except ImportError as exc:  # pragma: no cover - only a broken checkout gets here
    raise ImportError('quorum.consul is not importable from %s (run scripts/setup.sh, which links the repo there): %s'
                      % (COLLECTIONS, exc))

from ansible.module_utils import basic
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import urlsplit
from ansible.module_utils.common.text.converters import to_bytes

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19: AnsibleModule reads its arguments from basic._ANSIBLE_ARGS
    @contextlib.contextmanager
    def patch_module_args(args):
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved


@functools.lru_cache(maxsize=None)
def _recorded(name):
    """The fixture file tests/unit/fixtures/<name>.json: {request, agent, status, content_type, body}."""
    with open(os.path.join(FIXTURES, name + '.json')) as handle:
        return json.load(handle)


class Reply(object):
    """What open_url returns for a 2xx status."""

    def __init__(self, status, body):
        self.status = status
        self._body = body.encode('utf-8')

    def getcode(self):
        return self.status

    def read(self):
        return self._body


class FakeConsul(object):
    """Stands in for open_url: routes "METHOD /v1/path?query" to replies and records every call.

    A route's answer is a fixture name, a synthetic() dict, an exception instance
    (raised, as open_url would) or a list of those, served one per call with the
    last one repeating. A request without a route fails the test.
    """

    def __init__(self):
        self.routes = {}
        self.calls = []

    # the recorded reply (shared between calls: read it, do not change it)
    recorded = staticmethod(_recorded)

    @staticmethod
    def body(name):
        """The decoded JSON body of a recorded reply, for tests that derive a reply from a real one."""
        return json.loads(_recorded(name)['body'])

    @staticmethod
    def synthetic(status, body):
        """A reply no agent was recorded giving, in the recorded shape (malformed or derived bodies)."""
        return dict(status=status, body=body if isinstance(body, str) else json.dumps(body))

    @staticmethod
    def refused():
        # what open_url raises when nothing listens on the port
        return URLError(ConnectionRefusedError(111, 'Connection refused'))

    def serve(self, *names):
        """Route each named fixture at the request it was recorded for."""
        for name in names:
            self.route(_recorded(name)['request'], name)
        return self

    def route(self, request, *answers):
        self.routes[request] = list(answers)
        return self

    def count(self, request):
        return sum(1 for call in self.calls if call['request'] == request)

    def __call__(self, url, method='GET', headers=None, **kwargs):
        parts = urlsplit(url)
        request = '%s %s' % (method, parts.path + ('?' + parts.query if parts.query else ''))
        self.calls.append(dict(request=request, url=url, headers=dict(headers or {}), kwargs=kwargs))
        if request not in self.routes:
            raise AssertionError('unexpected request %s; routed: %s' % (request, sorted(self.routes)))
        answers = self.routes[request]
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        reply = _recorded(answer) if isinstance(answer, str) else answer
        if reply['status'] >= 400:
            raise HTTPError(url, reply['status'], 'recorded error', {}, io.BytesIO(reply['body'].encode('utf-8')))
        return Reply(reply['status'], reply['body'])


class FakeClock(object):
    """Monotonic clock whose sleep() only moves the time on: waits of minutes take no real time."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class AnsibleExitJson(Exception):
    pass


class AnsibleFailJson(Exception):
    pass


def _exit_json(module, **kwargs):
    kwargs.setdefault('changed', False)
    raise AnsibleExitJson(kwargs)


def _fail_json(module, msg, **kwargs):
    kwargs.update(failed=True, msg=msg)
    raise AnsibleFailJson(kwargs)


@pytest.fixture
def consul(monkeypatch):
    fake = FakeConsul()
    monkeypatch.setattr(_api, 'open_url', fake)
    return fake


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def run(monkeypatch, clock):
    """run(module, check_mode=False, **args) -> the result main() exits or fails with ('failed' set on failure).

    The module's waits run on the fake clock.
    """
    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', _exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', _fail_json)

    def runner(module, check_mode=False, **args):
        if hasattr(module, 'wait_until'):
            monkeypatch.setattr(module, 'wait_until',
                                functools.partial(_wait.wait_until, clock=clock.monotonic, sleep=clock.sleep))
        args['_ansible_check_mode'] = check_mode
        with patch_module_args(args):
            try:
                module.main()
            except (AnsibleExitJson, AnsibleFailJson) as exc:
                return exc.args[0]
        raise AssertionError('%s.main() returned without exit_json or fail_json' % module.__name__)

    return runner
