# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_wait.wait_until on the fake clock: what is retried, how often, and what a timeout says."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.quorum.consul.plugins.module_utils._api import ConsulConnectionError, ConsulHTTPError
from ansible_collections.quorum.consul.plugins.module_utils._wait import WaitTimeout, is_transient, wait_until

REFUSED = ConsulConnectionError('GET http://127.0.0.1:8500/v1/agent/self failed: no answer')


def http(status, body='x'):
    return ConsulHTTPError('GET failed: %s %s' % (status, body), status=status, body=body)


def polls(*answers):
    """poll() answering each in turn (raising exceptions), the last one repeating; .count says how often it ran."""
    queue = list(answers)

    def poll():
        poll.count += 1
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    poll.count = 0
    return poll


def wait(clock, poll, done=bool, timeout=60, **kwargs):
    return wait_until(poll, done, timeout, clock=clock.monotonic, sleep=clock.sleep, **kwargs)


def test_done_at_once_does_not_sleep(clock):
    assert wait(clock, polls('yes')) == 'yes'
    assert clock.sleeps == []


def test_polls_four_times_a_second_until_done(clock):
    poll = polls(0, 0, 0, 3)
    assert wait(clock, poll, done=lambda n: n == 3) == 3
    assert poll.count == 4
    assert clock.sleeps == [0.25, 0.25, 0.25]


def test_last_sleep_ends_at_the_deadline(clock):
    with pytest.raises(WaitTimeout):
        wait(clock, polls(0), timeout=0.6)
    assert clock.sleeps == pytest.approx([0.25, 0.25, 0.1])


def test_zero_timeout_polls_once(clock):
    poll = polls(0)
    with pytest.raises(WaitTimeout) as caught:
        wait(clock, poll, timeout=0)
    assert poll.count == 1
    assert str(caught.value) == 'condition not met after 0s'


def test_timeout_describes_the_last_observation(clock):
    with pytest.raises(WaitTimeout) as caught:
        wait(clock, polls(1, 2), done=lambda n: n >= 3, timeout=3,
             describe=lambda n, waited: '%d of 3 voters after %ds' % (n, waited))
    assert str(caught.value) == '2 of 3 voters after 3s'
    assert caught.value.last == 2
    assert caught.value.last_error is None
    assert caught.value.elapsed == pytest.approx(3)


@pytest.mark.parametrize('error', [REFUSED, http(500, 'No cluster leader'), http(500, 'No known Consul servers'),
                                   http(429)], ids=['refused', 'no-leader', 'no-servers', '429'])
def test_transient_errors_are_retried(clock, error):
    poll = polls(error, error, 'up')
    assert wait(clock, poll) == 'up'
    assert poll.count == 3


def test_still_failing_at_the_deadline_names_the_error(clock):
    error = http(500, 'No cluster leader')
    with pytest.raises(WaitTimeout) as caught:
        wait(clock, polls('stale', error), done=lambda last: False, timeout=2, describe=lambda last, waited: 'unused')
    assert str(caught.value) == 'still failing after 2s: GET failed: 500 No cluster leader'
    assert caught.value.last_error is error
    # the last answer before the errors is kept for the caller's result
    assert caught.value.last == 'stale'


def test_an_answer_after_errors_clears_the_error(clock):
    with pytest.raises(WaitTimeout) as caught:
        wait(clock, polls(REFUSED, 'no'), done=lambda a: a == 'yes', timeout=1, describe=lambda a, waited: 'saw ' + a)
    assert str(caught.value) == 'saw no'


@pytest.mark.parametrize('status', [400, 403, 404])
def test_lasting_errors_end_the_wait_at_once(clock, status):
    error = http(status)
    with pytest.raises(ConsulHTTPError) as caught:
        wait(clock, polls(error, 'never'))
    assert caught.value is error
    assert clock.sleeps == []


def test_other_exceptions_are_not_swallowed(clock):
    with pytest.raises(KeyError):
        wait(clock, polls(KeyError('Servers')))


@pytest.mark.parametrize('error, transient', [
    (REFUSED, True), (http(500), True), (http(503), True), (http(429), True),
    (http(403), False), (http(404), False), (http(400), False),
])
def test_is_transient(error, transient):
    assert is_transient(error) is transient
