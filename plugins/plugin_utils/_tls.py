# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Whether a certificate the user provides fits an agent, decided from what it says (standard library only).

The parsing (plugins/filter/certificate_problems.py) turns the PEM into the plain facts used here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DAY = 86400


def certificate_problems(host, facts, server, datacenter, domain, now, min_days=7, variable='consul_cluster_tls_cert_src',
                         ips=(), names=()):
    """Problems of one agent's certificate, each naming the host and the variable.

    facts: {names: [DNS names], ips: [IP addresses], not_before, not_after (epoch seconds), issued_by_ca: bool}.
    A server's certificate must name server.<datacenter>.<domain> (verify_server_hostname checks it); every
    certificate must name 127.0.0.1 or localhost, where the role calls the agent's API; it must be valid now and
    for min_days more, and signed by the CA given. ips and names: addresses and DNS names it must name too (the
    agent's own, for a certificate the role made).
    """
    found = []
    where = 'host %s: the certificate in %s' % (host, variable)
    if server and 'server.%s.%s' % (datacenter, domain) not in facts.get('names', []):
        found.append('%s does not name server.%s.%s, which servers verify (it names %s)'
                     % (where, datacenter, domain, ', '.join(facts.get('names', [])) or 'no DNS name'))
    for ip in ips or ():
        if ip and ip not in facts.get('ips', []):
            found.append('%s does not name %s, the agent\'s address' % (where, ip))
    for name in names or ():
        if name and name not in facts.get('names', []):
            found.append('%s does not name %s, the agent\'s host name' % (where, name))
    if '127.0.0.1' not in facts.get('ips', []) and 'localhost' not in facts.get('names', []):
        found.append('%s names neither 127.0.0.1 nor localhost, where the role calls the agent\'s API' % where)
    if facts['not_before'] > now:
        found.append('%s is not valid yet (from %d days on)' % (where, -(-(facts['not_before'] - now) // DAY)))
    if facts['not_after'] <= now:
        found.append('%s expired %d days ago' % (where, (now - facts['not_after']) // DAY))
    elif facts['not_after'] - now < min_days * DAY:
        found.append('%s expires in less than %d days' % (where, min_days))
    if not facts.get('issued_by_ca'):
        found.append('%s is not signed by the CA in consul_cluster_tls_ca_cert_src' % where)
    return found


def days_left(not_after, now):
    """Whole days until a certificate expires (negative once it has)."""
    return int((not_after - now) // DAY)
