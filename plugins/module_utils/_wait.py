# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Poll until a condition holds, inside one module call.

One round trip from the controller, sub-second polling on a monotonic clock
(wall-clock jumps must not end or stretch a wait), and transient errors of an
agent that restarts or has no leader yet are retried until the deadline.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.quorum.consul.plugins.module_utils._api import (
    ConsulConnectionError,
    ConsulError,
    ConsulHTTPError,
)

DEFAULT_INTERVAL = 0.25


class WaitTimeout(ConsulError):
    """The condition did not hold in time; carries what the last poll saw."""

    def __init__(self, message, last=None, last_error=None, elapsed=None):
        super(WaitTimeout, self).__init__(message)
        self.last = last
        self.last_error = last_error
        self.elapsed = elapsed


def is_transient(error):
    """Errors worth another poll: the agent is (re)starting, has no leader yet, or asks us to back off.

    A 500 from Consul during an election reads "No cluster leader" (or, on a
    client, "No known Consul servers"); 429 is a rate limit or autopilot's
    "unhealthy". A 403 or 404 will not fix itself and ends the wait at once.
    """
    if isinstance(error, ConsulConnectionError):
        return True
    return isinstance(error, ConsulHTTPError) and (error.status == 429 or error.status >= 500)


def wait_until(poll, done, timeout, describe=None, interval=DEFAULT_INTERVAL, transient=is_transient,
               clock=time.monotonic, sleep=time.sleep):
    """Call poll() until done(result) is true; return that result.

    poll        takes no argument and returns an observation (may raise ConsulError)
    done        observation -> bool
    timeout     seconds; 0 means a single poll
    describe    (observation, whole seconds waited) -> text of the timeout message,
                for example "2 of 3 voters after 60s: n1, n2"
    transient   error -> bool; other errors propagate at once

    Raises WaitTimeout with the last observation and error when time runs out.
    """
    start = clock()
    deadline = start + timeout
    last = last_error = None
    while True:
        try:
            last = poll()
            last_error = None
        except ConsulError as exc:
            if not transient(exc):
                raise
            last_error = exc
        else:
            if done(last):
                return last
        remaining = deadline - clock()
        if remaining <= 0:
            elapsed = clock() - start
            if last_error is not None:
                message = 'still failing after %ds: %s' % (round(elapsed), last_error)
            elif describe is not None:
                message = describe(last, round(elapsed))
            else:
                message = 'condition not met after %ds' % round(elapsed)
            raise WaitTimeout(message, last=last, last_error=last_error, elapsed=elapsed)
        sleep(min(interval, remaining))
